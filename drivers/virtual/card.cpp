// SPDX-License-Identifier: Apache-2.0
#include "drivers/virtual/card.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "libapdu/error.h"
#include "libapdu/tlv.h"

namespace lpad::virtual_euicc {

namespace {

Bytes sw_only(std::uint16_t sw) { return {static_cast<std::uint8_t>(sw >> 8), static_cast<std::uint8_t>(sw)}; }

// SW2 of 61xx / 6Cxx: a count of 256 is coded 00 (ISO 7816-3 §10.3.3).
std::uint16_t with_count(std::uint8_t sw1, std::size_t n) {
    return static_cast<std::uint16_t>((sw1 << 8) | (n >= 256 ? 0 : n));
}

constexpr std::uint8_t kInsTerminalCapability = 0xAA;  // ETSI TS 102 221 §11.1.19, class 80

// Status words that may carry response data: normal processing (9000, 91xx) and warnings (62xx, 63xx).
bool carries_data(std::uint16_t sw) {
    const unsigned sw1 = sw >> 8;
    return sw == 0x9000 || sw1 == 0x91 || sw1 == 0x62 || sw1 == 0x63;
}

}  // namespace

Bytes default_isdr_aid() {
    return {0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00};
}

void CardConfig::validate() const {
    if (atr.size() < 2 || atr.size() > 33)
        fail(Errc::InvalidArgument, "virtual card ATR must be 2..33 bytes, got " + std::to_string(atr.size()));
    if (isdr_aid.size() < 5 || isdr_aid.size() > 16)
        fail(Errc::InvalidArgument, "virtual card ISD-R AID must be 5..16 bytes, got " + to_hex(isdr_aid));
    if (channels < 1 || channels > 20)
        fail(Errc::InvalidArgument, "virtual card channels must be 1..20, got " + std::to_string(channels));
    if (max_command < 1) fail(Errc::InvalidArgument, "virtual card max_command must be positive");
}

VirtualCard::VirtualCard(std::unique_ptr<Es10Handler> application, CardConfig config, Knobs knobs)
    : application_(std::move(application)), config_(std::move(config)), knobs_(std::move(knobs)) {
    if (!application_) fail(Errc::InvalidArgument, "virtual card needs an eUICC application");
    config_.validate();
    knobs_.validate();
    arm(knobs_);
    channels_.resize(config_.channels);
    channels_[0].open = true;
}

Bytes VirtualCard::atr() const { return config_.atr; }

bool VirtualCard::powered() const {
    std::lock_guard lock(mutex_);
    return powered_;
}

void VirtualCard::power_off() {
    std::lock_guard lock(mutex_);
    power_off_locked();
}

void VirtualCard::power_off_locked() {
    for (unsigned n = 0; n < channels_.size(); ++n)
        if (channels_[n].open) application_->session_reset(static_cast<std::uint8_t>(n));
    std::fill(channels_.begin(), channels_.end(), Channel{});
    powered_ = false;
}

void VirtualCard::reset() {
    std::lock_guard lock(mutex_);
    if (powered_) power_off_locked();
    channels_[0].open = true;
    powered_ = true;
}

Knobs VirtualCard::knobs() const {
    std::lock_guard lock(mutex_);
    return knobs_;
}

void VirtualCard::set_knobs(Knobs knobs) {
    knobs.validate();
    std::lock_guard lock(mutex_);
    knobs_ = std::move(knobs);
    arm(knobs_);
}

void VirtualCard::arm(const Knobs& knobs) {
    armed_.clear();
    for (const auto& f : knobs.faults)
        armed_.push_back(ArmedFault{f, f.at_apdu ? std::vector<tlv::Tag>{} : es10_step_tags(f.at_step), 0, false});
}

Counters VirtualCard::counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

void VirtualCard::reset_counters() {
    std::lock_guard lock(mutex_);
    counters_ = Counters{};
}

std::vector<std::uint8_t> VirtualCard::open_channels() const {
    std::lock_guard lock(mutex_);
    std::vector<std::uint8_t> out;
    for (unsigned n = 0; n < channels_.size(); ++n)
        if (channels_[n].open) out.push_back(static_cast<std::uint8_t>(n));
    return out;
}

std::optional<Fault> VirtualCard::fault_at_apdu(std::size_t apdu) {
    for (auto& a : armed_) {
        if (a.spent || a.fault.at_apdu == 0) continue;
        if (apdu == a.fault.at_apdu || (a.fault.persistent && apdu > a.fault.at_apdu)) {
            a.spent = !a.fault.persistent;
            ++counters_.faults_fired;
            return a.fault;
        }
    }
    return std::nullopt;
}

std::optional<Fault> VirtualCard::fault_at_step(tlv::Tag tag) {
    std::optional<Fault> fired;
    for (auto& a : armed_) {
        if (a.fault.at_apdu != 0 || std::find(a.tags.begin(), a.tags.end(), tag) == a.tags.end()) continue;
        ++a.seen;  // every matching fault counts the command, even when an earlier one fires
        if (fired || a.spent) continue;
        if (a.seen == a.fault.occurrence || (a.fault.persistent && a.seen > a.fault.occurrence)) {
            a.spent = !a.fault.persistent;
            ++counters_.faults_fired;
            fired = a.fault;
        }
    }
    return fired;
}

void VirtualCard::drop_link(const std::string& where) {
    power_off_locked();
    fail(Errc::TransportError, "virtual card: link dropped by fault injection at " + where);
}

Bytes VirtualCard::process(ByteView command_apdu) {
    if (unsigned ms = knobs().latency_ms) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    std::lock_guard lock(mutex_);
    if (!powered_) fail(Errc::TransportError, "virtual card: APDU sent to a card that is powered off");

    const std::size_t number = ++counters_.apdus;
    counters_.bytes_in += command_apdu.size();
    const std::uint8_t ins = command_apdu.size() > 1 ? command_apdu[1] : 0;
    switch (ins) {
    case apdu::kInsManageChannel: ++counters_.manage_channel; break;
    case apdu::kInsSelect: ++counters_.select; break;
    case apdu::kInsStoreData: ++counters_.store_data; break;
    case apdu::kInsGetResponse: ++counters_.get_response; break;
    default: ++counters_.other; break;
    }

    Bytes out;
    if (auto f = fault_at_apdu(number)) {
        if (f->action == FaultAction::DropLink) drop_link("APDU " + std::to_string(number));
        // The card refused this command: a STORE DATA sequence it belonged to is abandoned.
        const Cla cla = command_apdu.empty() ? Cla{0x6E00} : decode_cla(command_apdu[0]);
        if (!cla.error && cla.channel < channels_.size() && ins == apdu::kInsStoreData) {
            channels_[cla.channel].sequence_open = false;
            channels_[cla.channel].command.clear();
        }
        out = sw_only(f->sw);
    } else if (command_apdu.size() < 4) {
        out = sw_only(0x6700);  // not even a header
    } else {
        const Cla cla = decode_cla(command_apdu[0]);
        if (cla.error) {
            out = sw_only(cla.error);
        } else {
            try {
                out = dispatch(apdu::Command::decode(command_apdu), cla);
            } catch (const Error& e) {
                if (e.code() != Errc::MalformedData) throw;
                out = sw_only(0x6700);  // Lc/Le do not match the APDU's length (ISO 7816-4 §5.1)
            }
        }
    }
    counters_.bytes_out += out.size();
    return out;
}

// ISO 7816-4 §5.4.1 class byte. First interindustry 000x xxxx: b5 chaining, b4b3 secure messaging, b2b1 channel;
// further interindustry 01xx xxxx: b6 secure messaging, b5 chaining, b4..b1 channel - 4. GlobalPlatform uses the same
// layouts with b8 set (8x and Cx/Ex). 001x xxxx is RFU, 101x xxxx is the GSM class (A0), FF is invalid.
VirtualCard::Cla VirtualCard::decode_cla(std::uint8_t cla) {
    if (cla == 0xFF) return {0x6E00};
    const unsigned top = cla >> 5;
    Cla out;
    out.proprietary = (cla & 0x80) != 0;
    bool secure = false;
    if (top == 0 || top == 4) {
        secure = (cla & 0x0C) != 0;
        out.channel = cla & 0x03;
    } else if ((cla & 0x40) != 0) {
        secure = (cla & 0x20) != 0;
        out.channel = 4 + (cla & 0x0F);
    } else {
        return {0x6E00};
    }
    if (secure) return {0x6882};          // secure messaging not supported
    if (cla & 0x10) return {0x6884};      // command chaining not supported
    return out;
}

Bytes VirtualCard::dispatch(const apdu::Command& c, const Cla& cla) {
    if (cla.channel >= channels_.size() || !channels_[cla.channel].open) return sw_only(0x6881);
    Channel& ch = channels_[cla.channel];
    // ISO 7816-3 §10.3.4: the answer waiting for GET RESPONSE is lost with any other command on its channel.
    if (c.ins != apdu::kInsGetResponse) {
        ch.has_pending = false;
        ch.pending.clear();
    }
    switch (c.ins) {
    case apdu::kInsManageChannel:
        return cla.proprietary ? sw_only(0x6E00) : manage_channel(c, cla.channel);
    case apdu::kInsSelect:
        return cla.proprietary ? sw_only(0x6E00) : select(c, ch);
    case apdu::kInsStoreData:
        return cla.proprietary ? store_data(c, cla.channel, ch) : sw_only(0x6E00);
    case apdu::kInsGetResponse:
        return get_response(c, ch);
    case kInsTerminalCapability:
        return cla.proprietary ? terminal_capability(c) : sw_only(0x6E00);
    default:
        return sw_only(0x6D00);
    }
}

// ETSI TS 102 221 §11.1.19 TERMINAL CAPABILITY, case 3: 80 AA 00 00 Lc, data = the terminal capability template
// A9 {80 power supply, 81 extended logical channels, 82 additional interfaces, 83 eUICC capabilities, ...}. The
// card answers 9000 without data (nothing it does depends on the terminal's capabilities); data that is not one
// well-formed A9 element is 6A80.
Bytes VirtualCard::terminal_capability(const apdu::Command& c) {
    if (c.p1 != 0x00 || c.p2 != 0x00) return sw_only(0x6A86);
    if (c.data.empty()) return sw_only(0x6700);
    try {
        tlv::Element e = tlv::parse_one(c.data, tlv::Mode::Ber);
        if (e.tag != 0xA9) return sw_only(0x6A80);
        (void)tlv::parse_all(e.value, tlv::Mode::Ber);
    } catch (const Error&) {
        return sw_only(0x6A80);
    }
    return sw_only(0x9000);
}

// ISO 7816-4 §11.1.2 MANAGE CHANNEL. Open: P1 00, P2 00 = the card picks the lowest free channel and returns it,
// P2 nn = open channel nn. Opened from a logical channel, the new channel inherits that channel's selection.
// Close: P1 80, P2 nn (00 = the channel the command came on); the basic channel cannot be closed.
Bytes VirtualCard::manage_channel(const apdu::Command& c, unsigned origin) {
    if (!c.data.empty()) return sw_only(0x6700);
    if (c.p1 == 0x00) {
        unsigned n = c.p2;
        if (n == 0) {
            for (n = 1; n < channels_.size() && channels_[n].open; ++n) {
            }
            if (n >= channels_.size()) return sw_only(0x6A81);  // no channel free (ETSI TS 102 221 §11.1.17)
        } else if (n > 19) {
            return sw_only(0x6A86);
        } else if (n >= channels_.size()) {
            return sw_only(0x6881);  // the card does not have that channel
        } else if (channels_[n].open) {
            return sw_only(0x6A86);  // P2 names a channel that is already open
        }
        channels_[n] = Channel{};
        channels_[n].open = true;
        channels_[n].isdr_selected = origin != 0 && channels_[origin].isdr_selected;
        if (c.p2 != 0) return sw_only(0x9000);
        return respond(channels_[origin], Bytes{static_cast<std::uint8_t>(n)}, 0x9000, c.le);
    }
    if (c.p1 == 0x80) {
        const unsigned n = c.p2 == 0 ? origin : c.p2;
        if (n == 0 || n >= channels_.size() || !channels_[n].open) return sw_only(0x6A86);
        close_channel(n);
        return sw_only(0x9000);
    }
    return sw_only(0x6A86);
}

void VirtualCard::close_channel(unsigned n) {
    application_->session_reset(static_cast<std::uint8_t>(n));
    channels_[n] = Channel{};
}

// GlobalPlatform Card Specification §11.9 SELECT, by DF name only: this card has no file system. A failed SELECT
// leaves the current selection (GP §11.9.2.2). P2 00 returns the FCI, P2 0C nothing.
Bytes VirtualCard::select(const apdu::Command& c, Channel& ch) {
    if (c.p1 != 0x04) return sw_only(c.p1 <= 0x09 ? 0x6A82 : 0x6A86);
    if (c.p2 != 0x00 && c.p2 != 0x0C) return sw_only(0x6A86);
    const Bytes& aid = config_.isdr_aid;
    // ISO 7816-4 §12.2.3: a right-truncated DF name (at least the 5-byte RID) selects the application it starts.
    if (c.data.size() < 5 || c.data.size() > aid.size() || !std::equal(c.data.begin(), c.data.end(), aid.begin()))
        return sw_only(0x6A82);
    ch.isdr_selected = true;
    ch.sequence_open = false;
    ch.command.clear();
    if (c.p2 == 0x0C) return sw_only(0x9000);
    return respond(ch, fci(), 0x9000, c.le);
}

// FCI as field ISD-Rs return it: 6F { 84 AID, A5 { 9F65 max command data length, E0 { 82 version } } }
// (GP Card Specification §11.1.3 tags 84/A5/9F65; E0/82 as seen in SELECT ISD-R traces of commercial eUICCs).
Bytes VirtualCard::fci() const {
    const std::size_t max_data = std::min<std::size_t>(knobs_.max_block, 255);
    tlv::Writer w;
    w.begin(0x6F).add(0x84, config_.isdr_aid).begin(0xA5);
    w.add(0x9F65, Bytes{static_cast<std::uint8_t>(max_data)});
    w.begin(0xE0).add(0x82, ByteView(config_.isdr_version, 3)).end();
    w.end().end();
    return w.take();
}

// SGP.22 §5.7.1 / GlobalPlatform §11.11 STORE DATA. P1 is 11 (BER-TLV, case 4, more blocks) or 91 (the same, last
// block); P2 numbers the blocks from 00. A wrong P1 or an out-of-sequence P2 (a gap, or a new block 00 while a
// sequence is open) answers 6A86 "incorrect P1-P2": both are faults of the P1-P2 parameters, which is how GP
// §11.11.3 classes them (6A80 is for the data field). Every error abandons the partial command.
Bytes VirtualCard::store_data(const apdu::Command& c, unsigned channel, Channel& ch) {
    if (!ch.isdr_selected) return sw_only(0x6985);  // no application to take the data on this channel
    auto abandon = [&ch](std::uint16_t sw) {
        ch.sequence_open = false;
        ch.command.clear();
        return sw_only(sw);
    };
    if (c.p1 != 0x11 && c.p1 != 0x91) return abandon(0x6A86);
    if (c.data.empty() || c.data.size() > knobs_.max_block) return abandon(0x6700);
    const std::uint8_t expected = ch.sequence_open ? ch.next_block : 0;
    if (c.p2 != expected) return abandon(0x6A86);
    if (ch.command.size() + c.data.size() > config_.max_command) return abandon(0x6A84);
    append(ch.command, c.data);
    ch.sequence_open = true;
    ch.next_block = static_cast<std::uint8_t>(expected + 1);
    if (c.p1 == 0x11) return sw_only(0x9000);
    ch.sequence_open = false;
    return deliver(channel, ch, std::exchange(ch.command, {}), c.le);
}

Bytes VirtualCard::deliver(unsigned channel, Channel& ch, Bytes command, std::optional<std::uint32_t> le) {
    tlv::Tag tag = 0;
    try {
        tag = tlv::parse_header(command, tlv::Mode::Ber).tag;
    } catch (const Error&) {
        // Not a TLV: the application answers it (6A80 on a real eUICC); no step fault can match.
    }
    ++counters_.es10[tag];
    if (auto f = fault_at_step(tag)) {
        if (f->action == FaultAction::DropLink) drop_link("ES10 command " + tlv::tag_name(tag));
        return sw_only(f->sw);
    }
    Es10Reply reply;
    try {
        reply = application_->handle(static_cast<std::uint8_t>(channel), command);
    } catch (const std::exception&) {
        reply = Es10Reply{{}, 0x6F00};  // an application fault: "no precise diagnosis", as a card would answer
    }
    return respond(ch, std::move(reply.data), reply.sw, le);
}

// Answer `data` with `sw`: directly when it fits Le and the chunk size, else the first part + 61xx, or 61xx alone
// for a command without Le (ISO 7816-3 §10.3.4: T=0 cannot return data to a case 3 command).
Bytes VirtualCard::respond(Channel& ch, Bytes data, std::uint16_t sw, std::optional<std::uint32_t> le) {
    if (data.empty() || !carries_data(sw)) return sw_only(sw);
    ch.pending = std::move(data);
    ch.pending_offset = 0;
    ch.pending_sw = sw;
    ch.has_pending = true;
    if (!le) return sw_only(with_count(0x61, std::min(ch.pending.size(), knobs_.chunk)));
    return take_pending(ch, *le);
}

Bytes VirtualCard::take_pending(Channel& ch, std::size_t n) {
    const std::size_t remaining = ch.pending.size() - ch.pending_offset;
    n = std::min({n, knobs_.chunk, remaining});
    Bytes out(ch.pending.begin() + static_cast<std::ptrdiff_t>(ch.pending_offset),
              ch.pending.begin() + static_cast<std::ptrdiff_t>(ch.pending_offset + n));
    ch.pending_offset += n;
    const std::size_t left = ch.pending.size() - ch.pending_offset;
    if (left == 0) {
        ch.has_pending = false;
        ch.pending.clear();
        append(out, sw_only(ch.pending_sw));
    } else {
        append(out, sw_only(with_count(0x61, std::min(left, knobs_.chunk))));
    }
    return out;
}

// ISO 7816-4 §11.1.8 GET RESPONSE, case 2. T=0 rules (ISO 7816-3 §10.3.3): Le above what remains answers 6Cxx with
// the right length (Le 00 counts as 256); a smaller Le gets that many bytes and 61xx for the rest.
Bytes VirtualCard::get_response(const apdu::Command& c, Channel& ch) {
    if (c.p1 != 0 || c.p2 != 0) return sw_only(0x6A86);
    if (!c.data.empty() || !c.le) return sw_only(0x6700);
    if (!ch.has_pending) return sw_only(0x6985);
    const std::size_t remaining = ch.pending.size() - ch.pending_offset;
    if (*c.le > remaining) return sw_only(with_count(0x6C, std::min(remaining, knobs_.chunk)));
    return take_pending(ch, *c.le);
}

}  // namespace lpad::virtual_euicc
