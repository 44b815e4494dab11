// SPDX-License-Identifier: Apache-2.0
#include "libapdu/transport.h"

#include "libapdu/error.h"

namespace lpad {

namespace {

apdu::Response send(Transport& t, const apdu::Command& c, ExchangeCounters* counters) {
    Bytes raw = c.encode();
    Bytes answer = t.transmit(raw);
    if (counters) {
        ++counters->apdus;
        counters->bytes_sent += raw.size();
        counters->bytes_received += answer.size();
    }
    return apdu::Response::decode(answer);
}

std::uint32_t le_from_sw2(std::uint8_t sw2) { return sw2 == 0 ? 256u : sw2; }

}  // namespace

apdu::Response exchange(Transport& transport, const apdu::Command& command, ExchangeCounters* counters) {
    apdu::Response r = send(transport, command, counters);
    if (transport.limits().handles_get_response) return r;

    if (r.sw1() == 0x6C) {  // ISO 7816-3 T=0 procedure: wrong Le, SW2 = available length; resend once
        apdu::Command again = command;
        again.le = le_from_sw2(r.sw2());
        r = send(transport, again, counters);
    }

    // ISO 7816-3 T=0 procedure: 61xx, xx more bytes to fetch. Like lpac and pySim, GET RESPONSE keeps the class of the
    // command that produced it (the ISD-R answers 80 E2 ... with 61xx and gets 8n C0 00 00 xx).
    const std::uint8_t base_cla = command.cla & 0x80;
    const unsigned channel = apdu::channel_of(command.cla);
    Bytes data = std::move(r.data);
    for (std::size_t rounds = 0; r.sw1() == 0x61; ++rounds) {
        if (rounds == kMaxGetResponseRounds)
            fail(Errc::ProtocolViolation,
                 "card still answers 61xx after " + std::to_string(rounds) + " GET RESPONSE commands");
        apdu::Command get = apdu::get_response(channel, le_from_sw2(r.sw2()), base_cla);
        r = send(transport, get, counters);
        if (counters) ++counters->get_response_apdus;
        if (r.sw1() == 0x6C) {  // GET RESPONSE with a wrong Le: ask again for what the card has
            get.le = le_from_sw2(r.sw2());
            r = send(transport, get, counters);
            if (counters) ++counters->get_response_apdus;
        }
        append(data, r.data);
    }
    r.data = std::move(data);
    return r;
}

std::uint8_t ApduTransport::open_logical_channel(ByteView aid) {
    if (!limits().logical_channels) {
        apdu::Response sel = exchange(*this, apdu::select_by_aid(0, aid));
        if (!apdu::is_success(sel.sw)) throw Error::card(sel.sw, "SELECT " + to_hex(aid, true) + " on channel 0");
        return 0;
    }
    apdu::Response mc = exchange(*this, apdu::manage_channel_open());
    if (!apdu::is_success(mc.sw)) throw Error::card(mc.sw, "MANAGE CHANNEL open");
    if (mc.data.size() != 1 || mc.data[0] == 0 || mc.data[0] > 19)
        fail(Errc::MalformedData, "MANAGE CHANNEL open answered " + to_hex(mc.data) + ", not a channel 1..19");
    const std::uint8_t channel = mc.data[0];

    apdu::Response sel = exchange(*this, apdu::select_by_aid(channel, aid));
    if (!apdu::is_success(sel.sw)) {
        try {
            close_logical_channel(channel);
        } catch (const Error&) {
            // The SELECT failure is what the caller needs to see.
        }
        throw Error::card(sel.sw, "SELECT " + to_hex(aid, true) + " on channel " + std::to_string(channel));
    }
    return channel;
}

void ApduTransport::close_logical_channel(std::uint8_t channel) {
    if (channel == 0) return;  // the basic channel is never closed
    apdu::Response r = exchange(*this, apdu::manage_channel_close(channel));
    if (!apdu::is_success(r.sw)) throw Error::card(r.sw, "MANAGE CHANNEL close " + std::to_string(channel));
}

}  // namespace lpad
