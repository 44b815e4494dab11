// SPDX-License-Identifier: Apache-2.0
#include "drivers/qmi/uim_messages.h"

#include "libapdu/error.h"

namespace lpad::qmi::uim {

namespace {

constexpr std::uint8_t kSlotTlv = 0x01;

Tlv u8_tlv(std::uint8_t type, std::uint8_t v) { return Tlv{type, Bytes{v}}; }

void check_slot(std::uint8_t slot) {
    if (slot == 0) fail(Errc::InvalidArgument, "qmi: UIM slots are numbered from 1");
}

std::uint8_t read_u8_tlv(const Tlv& t, const char* what) {
    Reader r(t.value, what);
    std::uint8_t v = r.u8();
    r.expect_end();
    return v;
}

std::optional<std::uint8_t> optional_u8(const TlvList& tlvs, std::uint8_t type, const char* what) {
    const Tlv* t = find_tlv(tlvs, type);
    if (!t) return std::nullopt;
    return read_u8_tlv(*t, what);
}

std::uint8_t required_u8(const TlvList& tlvs, std::uint8_t type, const char* what) {
    auto v = optional_u8(tlvs, type, what);
    if (!v) fail(Errc::MalformedData, std::string("qmi: request without ") + what);
    return *v;
}

std::optional<std::uint16_t> card_result(const TlvList& tlvs) {
    const Tlv* t = find_tlv(tlvs, 0x11);
    if (!t) return std::nullopt;
    Reader r(t->value, "card result TLV");
    std::uint8_t sw1 = r.u8();
    std::uint8_t sw2 = r.u8();
    r.expect_end();
    return static_cast<std::uint16_t>(sw1 << 8 | sw2);
}

Tlv card_result_tlv(std::uint16_t sw) {
    return Tlv{0x11, Bytes{static_cast<std::uint8_t>(sw >> 8), static_cast<std::uint8_t>(sw & 0xFF)}};
}

Bytes u16_prefixed(ByteView data) {
    Bytes v;
    put_u16(v, static_cast<std::uint16_t>(data.size()));
    append(v, data);
    return v;
}

Bytes u8_prefixed(ByteView data) {
    Bytes v{static_cast<std::uint8_t>(data.size())};
    append(v, data);
    return v;
}

Bytes prefixed_value(const Tlv& t, bool wide, const char* what) {
    Reader r(t.value, what);
    Bytes v = wide ? r.u16_prefixed() : r.u8_prefixed();
    r.expect_end();
    return v;
}

}  // namespace

TlvList open_logical_channel_request(std::uint8_t slot, ByteView aid) {
    check_slot(slot);
    if (aid.empty() || aid.size() > 255) fail(Errc::InvalidArgument, "qmi: AID must be 1 to 255 bytes");
    return {u8_tlv(kSlotTlv, slot), Tlv{0x10, u8_prefixed(aid)}};
}

TlvList send_apdu_request(std::uint8_t slot, std::uint8_t channel, ByteView apdu) {
    check_slot(slot);
    if (apdu.size() < 4 || apdu.size() > 0xFFFF - 2)
        fail(Errc::InvalidArgument, "qmi: APDU of " + std::to_string(apdu.size()) + " bytes");
    return {u8_tlv(kSlotTlv, slot), Tlv{0x02, u16_prefixed(apdu)}, u8_tlv(0x10, channel)};
}

TlvList close_logical_channel_request(std::uint8_t slot, std::uint8_t channel) {
    check_slot(slot);
    return {u8_tlv(kSlotTlv, slot), u8_tlv(0x11, channel)};
}

OpenLogicalChannelRequest parse_open_logical_channel_request(const TlvList& tlvs) {
    OpenLogicalChannelRequest r;
    r.slot = required_u8(tlvs, kSlotTlv, "slot TLV");
    const Tlv* aid = find_tlv(tlvs, 0x10);
    if (aid) r.aid = prefixed_value(*aid, false, "AID TLV");
    return r;
}

SendApduRequest parse_send_apdu_request(const TlvList& tlvs) {
    SendApduRequest r;
    r.slot = required_u8(tlvs, kSlotTlv, "slot TLV");
    const Tlv* apdu = find_tlv(tlvs, 0x02);
    if (!apdu) fail(Errc::MalformedData, "qmi: Send APDU without an APDU TLV (0x02)");
    r.apdu = prefixed_value(*apdu, true, "APDU TLV");
    r.channel = optional_u8(tlvs, 0x10, "channel id TLV");
    return r;
}

CloseLogicalChannelRequest parse_close_logical_channel_request(const TlvList& tlvs) {
    CloseLogicalChannelRequest r;
    r.slot = required_u8(tlvs, kSlotTlv, "slot TLV");
    r.channel = optional_u8(tlvs, 0x11, "channel id TLV");
    return r;
}

OpenLogicalChannelResponse parse_open_logical_channel_response(const TlvList& tlvs) {
    OpenLogicalChannelResponse r;
    r.result = result_of(tlvs);
    r.channel = optional_u8(tlvs, 0x10, "channel id TLV");
    r.status_word = card_result(tlvs);
    if (const Tlv* t = find_tlv(tlvs, 0x12)) r.select_response = prefixed_value(*t, false, "select response TLV");
    return r;
}

SendApduResponse parse_send_apdu_response(const TlvList& tlvs) {
    SendApduResponse r;
    r.result = result_of(tlvs);
    if (const Tlv* t = find_tlv(tlvs, 0x10)) r.apdu = prefixed_value(*t, true, "response APDU TLV");
    return r;
}

CloseLogicalChannelResponse parse_close_logical_channel_response(const TlvList& tlvs) {
    CloseLogicalChannelResponse r;
    r.result = result_of(tlvs);
    r.status_word = card_result(tlvs);
    return r;
}

TlvList encode_open_logical_channel_response(const OpenLogicalChannelResponse& r) {
    TlvList t{result_tlv(r.result)};
    if (r.channel) t.push_back(u8_tlv(0x10, *r.channel));
    if (r.status_word) t.push_back(card_result_tlv(*r.status_word));
    if (!r.select_response.empty()) t.push_back(Tlv{0x12, u8_prefixed(r.select_response)});
    return t;
}

TlvList encode_send_apdu_response(const SendApduResponse& r) {
    TlvList t{result_tlv(r.result)};
    if (r.apdu) t.push_back(Tlv{0x10, u16_prefixed(*r.apdu)});
    return t;
}

TlvList encode_close_logical_channel_response(const CloseLogicalChannelResponse& r) {
    TlvList t{result_tlv(r.result)};
    if (r.status_word) t.push_back(card_result_tlv(*r.status_word));
    return t;
}

SlotStatusResponse parse_get_slot_status_response(const TlvList& tlvs) {
    SlotStatusResponse out;
    out.result = result_of(tlvs);
    if (const Tlv* t = find_tlv(tlvs, 0x10)) {
        Reader r(t->value, "physical slot status TLV");
        for (std::uint8_t n = r.u8(); n > 0; --n) {
            PhysicalSlot s;
            s.card_state = r.u32();
            s.slot_state = r.u32();
            s.logical_slot = r.u8();
            s.iccid = r.u8_prefixed();
            out.slots.push_back(std::move(s));
        }
        r.expect_end();
    }
    if (const Tlv* t = find_tlv(tlvs, 0x11)) {
        Reader r(t->value, "physical slot information TLV");
        const std::uint8_t n = r.u8();
        if (n != out.slots.size()) fail(Errc::MalformedData, "qmi: slot information for a different slot count");
        for (PhysicalSlot& s : out.slots) {
            (void)r.u32();  // card protocol
            (void)r.u8();   // valid applications
            s.atr = r.u8_prefixed();
            s.is_euicc = r.u8() != 0;
        }
        r.expect_end();
    }
    if (const Tlv* t = find_tlv(tlvs, 0x12)) {
        Reader r(t->value, "slot EID TLV");
        const std::uint8_t n = r.u8();
        if (n != out.slots.size()) fail(Errc::MalformedData, "qmi: slot EIDs for a different slot count");
        for (PhysicalSlot& s : out.slots) s.eid = r.u8_prefixed();
        r.expect_end();
    }
    return out;
}

TlvList encode_get_slot_status_response(const SlotStatusResponse& r) {
    TlvList t{result_tlv(r.result)};
    if (r.slots.empty() || r.slots.size() > 255) return t;
    Tlv status{0x10, Bytes{static_cast<std::uint8_t>(r.slots.size())}};
    Tlv info{0x11, Bytes{static_cast<std::uint8_t>(r.slots.size())}};
    Tlv eids{0x12, Bytes{static_cast<std::uint8_t>(r.slots.size())}};
    for (const PhysicalSlot& s : r.slots) {
        put_u32(status.value, s.card_state);
        put_u32(status.value, s.slot_state);
        status.value.push_back(s.logical_slot);
        append(status.value, u8_prefixed(s.iccid));
        put_u32(info.value, 2);  // QmiUimCardProtocol UICC
        info.value.push_back(1);
        append(info.value, u8_prefixed(s.atr));
        info.value.push_back(s.is_euicc.value_or(false) ? 1 : 0);
        append(eids.value, u8_prefixed(s.eid));
    }
    t.push_back(std::move(status));
    t.push_back(std::move(info));
    t.push_back(std::move(eids));
    return t;
}

}  // namespace lpad::qmi::uim
