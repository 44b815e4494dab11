// SPDX-License-Identifier: Apache-2.0
#include "tests/fakes/mbim_proxy/fake_modem.h"

#include <cstdlib>

#include "libapdu/apdu.h"
#include "libapdu/bytes.h"

namespace lpad::fake_mbim {
namespace {
// MBIM status codes (MBIM 1.0 §9.4.5) and Microsoft's UICC ones.
constexpr std::uint32_t kNone = 0, kFailure = 2, kNoDeviceSupport = 9, kInvalidParameters = 21;
constexpr std::uint32_t kMsNoLogicalChannels = 0x87430001, kMsSelectFailed = 0x87430002,
                        kMsInvalidLogicalChannel = 0x87430003;
// CIDs
constexpr std::uint32_t kCidDeviceCaps = 1, kCidSlotMappings = 7, kCidSlotInfo = 8, kCidConfiguration = 1,
                        kCidOpenChannel = 2, kCidCloseChannel = 3, kCidApdu = 4;

std::uint16_t sw_of(ByteView r) { return static_cast<std::uint16_t>(r[r.size() - 2] << 8 | r[r.size() - 1]); }

std::uint8_t cla_for(std::uint8_t host_cla, std::uint32_t channel) {
    const std::uint8_t base = host_cla & 0x80;
    return channel < 4 ? static_cast<std::uint8_t>(base | channel)
                       : static_cast<std::uint8_t>(base | 0x40 | (channel - 4));
}
std::optional<std::uint32_t> channel_of(std::uint8_t cla) {
    if (cla == 0xFF || (cla & 0xE0) == 0x20) return std::nullopt;
    return (cla & 0x40) ? 4u + (cla & 0x0Fu) : cla & 0x03u;
}
}  // namespace

Fault Fault::parse(const std::string& text) {
    Fault f;
    f.text = text;
    auto at = text.find('@'), eq = text.find('=');
    if (at == std::string::npos || eq == std::string::npos || eq < at)
        fail(Errc::InvalidArgument, "fault '" + text + "': expected WHAT[:TAG]@N=ACTION");
    f.what = text.substr(0, at);
    if (auto colon = f.what.find(':'); colon != std::string::npos) {
        f.tag = from_hex(f.what.substr(colon + 1));
        f.what = f.what.substr(0, colon);
    }
    static const std::set<std::string> kinds{"config", "device-caps", "slot-mappings", "slot-info",
                                             "open-channel", "close-channel", "apdu"};
    if (!kinds.count(f.what)) fail(Errc::InvalidArgument, "fault '" + text + "': unknown command kind");
    f.at = std::strtoul(text.substr(at + 1, eq - at - 1).c_str(), nullptr, 10);
    if (f.at == 0) fail(Errc::InvalidArgument, "fault '" + text + "': N must be 1 or more");
    const std::string action = text.substr(eq + 1);
    if (action == "drop") f.action = Action::Drop;
    else if (action == "silent") f.action = Action::Silent;
    else if (action.rfind("status:", 0) == 0) {
        f.action = Action::Status;
        f.status = static_cast<std::uint32_t>(std::strtoul(action.c_str() + 7, nullptr, 16));
    } else if (action.rfind("delay:", 0) == 0) {
        f.action = Action::Delay;
        f.delay_ms = static_cast<unsigned>(std::strtoul(action.c_str() + 6, nullptr, 10));
    } else fail(Errc::InvalidArgument, "fault '" + text + "': unknown action");
    return f;
}

FakeModem::FakeModem(ModemConfig config, std::shared_ptr<virtual_euicc::VirtualCard> card)
    : config_(std::move(config)), card_(std::move(card)) {}

Bytes FakeModem::card(ByteView apdu) {
    Bytes r = card_->process(apdu);
    if (r.size() < 2) fail(Errc::Internal, "virtual card answered fewer than 2 bytes");
    return r;
}

Reply FakeModem::handle(const Message& m, bool& client_configured) {
    switch (m.type) {
    case kOpen:
        return {encode_done(kOpenDone, m.transaction_id, client_configured ? kNone : kFailure)};
    case kClose:
        return {encode_done(kCloseDone, m.transaction_id, kNone)};
    case kCommand:
        break;
    default:
        return {encode_function_error(m.transaction_id, 6 /* MBIM_PROTOCOL_ERROR_UNKNOWN */)};
    }
    if (m.fragment_total != 1 || m.fragment_current != 0)
        return {encode_function_error(m.transaction_id, 2 /* FRAGMENT_OUT_OF_SEQUENCE */)};
    if (m.service == kProxyControl && m.cid == kCidConfiguration) {
        if (auto f = fault_for("config", m)) return *f;
        // DevicePath (string), Timeout (u32)
        std::string path = ref_string(m.info, 0);
        if (path != config_.device) return {std::nullopt, true};
        client_configured = true;
        ++configured_;
        return {encode_command_done(m.transaction_id, kProxyControl, m.cid, kNone, {})};
    }
    if (!client_configured) return {encode_function_error(m.transaction_id, 5 /* NOT_OPENED */)};
    return command(m);
}

std::optional<Reply> FakeModem::fault_for(const std::string& what, const Message& m) {
    if (in_delay_) return std::nullopt;
    // Every fault counts the commands it matches; the first one whose count is reached fires.
    Fault* firing = nullptr;
    for (auto& f : config_.faults) {
        if (f.what != what) continue;
        if (!f.tag.empty()) {
            // apdu:TAG: the first STORE DATA block (INS E2, P2 00) whose data starts with TAG
            if (m.info.size() < 20) continue;
            Bytes apdu = ref_bytes(m.info, 12, true);
            if (apdu.size() < 5 + f.tag.size() || apdu[1] != 0xE2 || apdu[3] != 0x00 ||
                !std::equal(f.tag.begin(), f.tag.end(), apdu.begin() + 5))
                continue;
        }
        if (++f.seen == f.at && !f.fired && !firing) firing = &f;
    }
    if (!firing) return std::nullopt;
    firing->fired = true;
    ++faults_fired_;
    fired_.push_back(firing->text);
    switch (firing->action) {
    case Fault::Action::Drop: return Reply{std::nullopt, true};
    case Fault::Action::Silent: return Reply{std::nullopt, false};
    case Fault::Action::Status:
        return Reply{encode_command_done(m.transaction_id, m.service, m.cid, firing->status, {})};
    case Fault::Action::Delay: {
        in_delay_ = true;
        Reply r = command(m);  // answered normally, late
        in_delay_ = false;
        r.delay_ms = firing->delay_ms;
        return r;
    }
    }
    return std::nullopt;
}

Reply FakeModem::command(const Message& m) {
    try {
        if (m.service == kBasicConnect && m.cid == kCidDeviceCaps && m.command_type == 0) return device_caps(m);
        if (m.service == kMsBasicConnectExt && m.cid == kCidSlotMappings && m.command_type == 0) return slot_mappings(m);
        if (m.service == kMsBasicConnectExt && m.cid == kCidSlotInfo && m.command_type == 0) return slot_info(m);
        if (m.service == kMsUiccLowLevel && m.command_type == 1) {
            if (m.cid == kCidOpenChannel) return open_channel(m);
            if (m.cid == kCidCloseChannel) return close_channel(m);
            if (m.cid == kCidApdu) return apdu(m);
        }
    } catch (const Error&) {
        return {encode_command_done(m.transaction_id, m.service, m.cid, kInvalidParameters, {})};
    }
    return {encode_command_done(m.transaction_id, m.service, m.cid, kNoDeviceSupport, {})};
}

Reply FakeModem::device_caps(const Message& m) {
    if (auto f = fault_for("device-caps", m)) return *f;
    // DeviceType, CellularClass, VoiceClass, SimClass, DataClass, SmsCaps, ControlCaps, MaxSessions, then the
    // strings CustomDataClass, DeviceId, FirmwareInfo, HardwareInfo (MBIM 1.0 §10.5.1).
    InfoBuilder b(8 * 4 + 4 * 8);
    b.u32(0, 1);          // embedded
    b.u32(4, 1);          // GSM
    b.u32(8, 1);          // no voice
    b.u32(12, 2);         // removable SIM
    b.u32(16, 0x3F);      // data classes
    b.u32(20, 0);
    b.u32(24, 0x1);       // reg manual
    b.u32(28, 1);
    b.string(32, "");
    b.string(40, config_.imei);
    b.string(48, "lpad-fake-mbim 1.0");
    b.string(56, "fake");
    return {encode_command_done(m.transaction_id, m.service, m.cid, kNone, b.take())};
}

Reply FakeModem::slot_mappings(const Message& m) {
    if (auto f = fault_for("slot-mappings", m)) return *f;
    if (!config_.slot_mappings) return {encode_command_done(m.transaction_id, m.service, m.cid, kNoDeviceSupport, {})};
    // MapCount, then (offset, size) of each MbimSlot {Slot}
    InfoBuilder b(4 + 8);
    b.u32(0, 1);
    Bytes slot{static_cast<std::uint8_t>(config_.mapped_slot), 0, 0, 0};
    b.bytes(4, slot, false);
    return {encode_command_done(m.transaction_id, m.service, m.cid, kNone, b.take())};
}

Reply FakeModem::slot_info(const Message& m) {
    if (auto f = fault_for("slot-info", m)) return *f;
    if (!config_.slot_mappings) return {encode_command_done(m.transaction_id, m.service, m.cid, kNoDeviceSupport, {})};
    const std::uint32_t slot = u32_at(m.info, 0);
    if (slot >= config_.slots) return {encode_command_done(m.transaction_id, m.service, m.cid, kInvalidParameters, {})};
    InfoBuilder b(8);
    b.u32(0, slot);
    b.u32(4, slot == config_.mapped_slot ? (card_->powered() ? 7u /* ACTIVE_ESIM */ : 6u /* ERROR */) : 3u /* EMPTY */);
    return {encode_command_done(m.transaction_id, m.service, m.cid, kNone, b.take())};
}

Reply FakeModem::open_channel(const Message& m) {
    if (auto f = fault_for("open-channel", m)) return *f;
    // AppId (size, offset), SelectP2Arg, ChannelGroup
    Bytes aid = ref_bytes(m.info, 0, true);
    const std::uint32_t p2 = u32_at(m.info, 8), group = u32_at(m.info, 12);
    select_p2_.insert(p2);
    if (aid.empty() || aid.size() > 16 || (p2 != 0x00 && p2 != 0x04 && p2 != 0x0C))
        return {encode_command_done(m.transaction_id, m.service, m.cid, kInvalidParameters, {})};
    auto answer = [&](std::uint32_t status, std::uint32_t sw, std::uint32_t channel, ByteView response) {
        InfoBuilder b(16);
        b.u32(0, sw);
        b.u32(4, channel);
        b.bytes(8, response, true);
        return Reply{encode_command_done(m.transaction_id, m.service, m.cid, status, b.take())};
    };
    Bytes r = card(Bytes{0x00, 0x70, 0x00, 0x00, 0x01});
    if (sw_of(r) != 0x9000 || r.size() != 3) return answer(kMsNoLogicalChannels, sw_of(r), 0, {});
    const std::uint32_t channel = r[0];
    apdu::Command select{cla_for(0x00, channel), 0xA4, 0x04, static_cast<std::uint8_t>(p2 == 0x0C ? 0x0C : 0x00),
                         aid, std::nullopt};
    if (p2 != 0x0C) select.le = 256;
    Bytes s = card(select.encode());
    Bytes fci(s.begin(), s.end() - 2);
    while ((sw_of(s) >> 8) == 0x61) {  // the modem fetches the SELECT response itself
        s = card(Bytes{cla_for(0x00, channel), 0xC0, 0x00, 0x00, static_cast<std::uint8_t>(sw_of(s) & 0xFF)});
        fci.insert(fci.end(), s.begin(), s.end() - 2);
    }
    if (sw_of(s) != 0x9000) {
        card(Bytes{0x00, 0x70, 0x80, static_cast<std::uint8_t>(channel)});
        return answer(kMsSelectFailed, sw_of(s), 0, {});
    }
    channels_[channel] = Channel{group};
    ++opened_;
    return answer(kNone, 0x9000, channel, fci);
}

bool FakeModem::close_card_channel(std::uint32_t channel) {
    Bytes r = card(Bytes{0x00, 0x70, 0x80, static_cast<std::uint8_t>(channel)});
    channels_.erase(channel);
    ++closed_;
    return sw_of(r) == 0x9000;
}

Reply FakeModem::close_channel(const Message& m) {
    if (auto f = fault_for("close-channel", m)) return *f;
    const std::uint32_t channel = u32_at(m.info, 0), group = u32_at(m.info, 4);
    auto answer = [&](std::uint32_t status, std::uint32_t sw) {
        InfoBuilder b(4);
        b.u32(0, sw);
        return Reply{encode_command_done(m.transaction_id, m.service, m.cid, status, b.take())};
    };
    if (channel == 0) {  // every channel of the group
        std::vector<std::uint32_t> doomed;
        for (auto& [ch, c] : channels_)
            if (c.group == group) doomed.push_back(ch);
        for (auto ch : doomed) close_card_channel(ch);
        stale_released_ += doomed.size();
        return answer(kNone, 0x9000);
    }
    auto it = channels_.find(channel);
    if (it == channels_.end() || it->second.group != group) return answer(kMsInvalidLogicalChannel, 0x6881);
    return answer(kNone, close_card_channel(channel) ? 0x9000 : 0x6F00);
}

Reply FakeModem::apdu(const Message& m) {
    if (auto f = fault_for("apdu", m)) return *f;
    // Channel, SecureMessaging, ClassByteType, Command (size, offset)
    const std::uint32_t channel = u32_at(m.info, 0), sm = u32_at(m.info, 4), type = u32_at(m.info, 8);
    Bytes command = ref_bytes(m.info, 12, true);
    class_byte_types_.insert(type);
    if (sm != 0 || type > 1 || command.size() < 4)
        return {encode_command_done(m.transaction_id, m.service, m.cid, kInvalidParameters, {})};
    if (!channels_.count(channel))
        return {encode_command_done(m.transaction_id, m.service, m.cid, kMsInvalidLogicalChannel, {})};
    ++apdus_;
    if (channel_of(command[0]) != channel) ++cla_mismatch_;
    auto decoded = apdu::Command::decode(command);
    if (!decoded.data.empty() && !decoded.le) ++without_le_;
    command[0] = cla_for(command[0], channel);
    Bytes r = card(command);
    InfoBuilder b(12);
    b.u32(0, sw_of(r));
    b.bytes(4, ByteView(r.data(), r.size() - 2), true);
    return {encode_command_done(m.transaction_id, m.service, m.cid, kNone, b.take())};
}

void FakeModem::open_foreign_channel(std::uint32_t group) {
    Bytes r = card(Bytes{0x00, 0x70, 0x00, 0x00, 0x01});
    if (sw_of(r) != 0x9000 || r.size() != 3) fail(Errc::Internal, "no channel for the foreign group");
    channels_[r[0]] = Channel{group};
}

nlohmann::json FakeModem::stats() const {
    nlohmann::json open = nlohmann::json::array();
    std::size_t lpad_group = 0;
    for (auto& [ch, c] : channels_) {
        open.push_back({{"channel", ch}, {"group", c.group}});
        if (c.group == 2) ++lpad_group;
    }
    return {{"configured", configured_},     {"open_channels", open},        {"open_in_group2", lpad_group},
            {"channels_opened", opened_},    {"channels_closed", closed_},   {"stale_released", stale_released_},
            {"apdus", apdus_},               {"cla_mismatch", cla_mismatch_}, {"apdus_without_le", without_le_},
            {"select_p2", select_p2_},       {"class_byte_types", class_byte_types_},
            {"faults_fired", faults_fired_}, {"fired", fired_}, {"card_open_channels", card_->open_channels()}};
}

}  // namespace lpad::fake_mbim
