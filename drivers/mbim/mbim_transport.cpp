// SPDX-License-Identifier: Apache-2.0
#include "drivers/mbim/mbim_transport.h"

#include <cstdio>

#include "drivers/mbim/mbim_codec.h"
#include "drivers/mbim/mbim_link.h"
#include "drivers/summaries.h"
#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::mbim {
namespace {
constexpr const char* kTag = "mbim";

std::string hex(ByteView b) {
    static const char* digits = "0123456789ABCDEF";
    std::string s;
    for (auto v : b) {
        s += digits[v >> 4];
        s += digits[v & 15];
    }
    return s;
}

std::string sw_hex(std::uint16_t sw) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", sw);
    return buf;
}

// The COMMAND_DONE's status, NONE or thrown as the mapped error.
void check_status(MbimMessage* response, std::string_view what) {
    const auto status = static_cast<std::uint32_t>(mbim_message_command_done_get_status_code(response));
    if (status != MBIM_STATUS_ERROR_NONE) throw status_error(what, status);
}

[[noreturn]] void parse_failed(std::string_view what, GError* raw) {
    ErrorPtr error(raw);
    fail(Errc::MalformedData, "mbim: " + std::string(what) + " response does not parse: " +
                                  (error ? error->message : "unknown error"));
}
}  // namespace

MbimOptions MbimOptions::from_uri(const drivers::DriverUri& uri) {
    uri.expect_only({"slot", "proxy", "timeout"});
    MbimOptions o;
    o.device = uri.path;
    if (o.device.empty() || o.device.front() != '/')
        fail(Errc::InvalidArgument, "driver mbim: needs the absolute path of the MBIM port, e.g. mbim:/dev/cdc-wdm0");
    o.slot = static_cast<std::uint32_t>(uri.get_int("slot", 1, 1, 16));
    o.proxy = uri.get_bool("proxy", true);
    o.timeout = static_cast<unsigned>(uri.get_int("timeout", 30, 1, 300));
    return o;
}

MbimTransport::MbimTransport(MbimOptions options) : options_(std::move(options)) {}

MbimTransport::~MbimTransport() { close(); }

bool MbimTransport::is_open() const { return link_ && link_->is_open(); }

void MbimTransport::link_failed(const Error& e) {
    // The link is already released by MbimLink; what was open on it is gone with it.
    channels_.clear();
    link_.reset();
    throw e;
}

void MbimTransport::open() {
    if (is_open()) return;
    link_ = std::make_unique<MbimLink>(options_.device, options_.proxy, options_.timeout);
    try {
        link_->open();
        read_device_caps();
        check_slot();
        release_stale_channels();
    } catch (...) {
        close();
        throw;
    }
}

void MbimTransport::read_device_caps() {
    imei_.clear();
    MessagePtr request(mbim_message_device_caps_query_new(nullptr));
    MessagePtr response = link_->command(request.get(), "device caps");
    const auto status = static_cast<std::uint32_t>(mbim_message_command_done_get_status_code(response.get()));
    if (status != MBIM_STATUS_ERROR_NONE) {
        log::info(kTag, "device caps: " + status_info(status).name + ": the modem's IMEI is not known");
        return;
    }
    gchar* raw_id = nullptr;
    GError* raw = nullptr;
    if (!mbim_message_device_caps_response_parse(response.get(), nullptr, nullptr, nullptr, nullptr, nullptr,
                                                 nullptr, nullptr, nullptr, nullptr, &raw_id, nullptr, nullptr,
                                                 &raw)) {
        ErrorPtr error(raw);
        log::info(kTag, std::string("device caps do not parse: ") + (error ? error->message : "?"));
        return;
    }
    GCharPtr device_id(raw_id);
    imei_ = imei_from_device_id(device_id ? device_id.get() : "");
    if (imei_.empty()) log::info(kTag, "device caps: the device id is not an IMEI");
}

void MbimTransport::check_slot() {
    const std::uint32_t slot = options_.slot - 1;  // MBIM slot indices are 0-based
    MessagePtr request(mbim_message_ms_basic_connect_extensions_device_slot_mappings_query_new(nullptr));
    MessagePtr response = link_->command(request.get(), "device slot mappings");
    const auto status = static_cast<std::uint32_t>(mbim_message_command_done_get_status_code(response.get()));
    if (status != MBIM_STATUS_ERROR_NONE) {
        // A single-slot modem without MS basic connect extensions: its only slot is slot 1.
        if (options_.slot == 1) {
            log::debug(kTag, "device slot mappings: " + status_info(status).name + ": single-slot modem assumed");
            return;
        }
        throw status_error("slot=" + std::to_string(options_.slot) + ": device slot mappings", status);
    }
    guint32 count = 0;
    MbimSlot** raw_map = nullptr;
    GError* raw = nullptr;
    if (!mbim_message_ms_basic_connect_extensions_device_slot_mappings_response_parse(response.get(), &count, &raw_map,
                                                                                      &raw))
        parse_failed("device slot mappings", raw);
    SlotArrayPtr map(raw_map);
    std::vector<std::uint32_t> mappings;
    for (guint32 i = 0; i < count && map; ++i) mappings.push_back(map.get()[i]->slot);
    if (!slot_is_mapped(mappings, slot))
        fail(Errc::Unavailable, "mbim: slot " + std::to_string(options_.slot) + " is not the modem's active slot (it maps "
                                "slot " + std::to_string(mappings.front() + 1) + "); switch it first, e.g. mmcli "
                                "--set-primary-sim-slot=" + std::to_string(options_.slot));

    request.reset(mbim_message_ms_basic_connect_extensions_slot_info_status_query_new(slot, nullptr));
    response = link_->command(request.get(), "slot info status");
    check_status(response.get(), "slot info status");
    guint32 index = 0;
    MbimUiccSlotState state = MBIM_UICC_SLOT_STATE_UNKNOWN;
    if (!mbim_message_ms_basic_connect_extensions_slot_info_status_response_parse(response.get(), &index, &state, &raw))
        parse_failed("slot info status", raw);
    switch (state) {
    case MBIM_UICC_SLOT_STATE_ACTIVE:
    case MBIM_UICC_SLOT_STATE_ACTIVE_ESIM:
    case MBIM_UICC_SLOT_STATE_ACTIVE_ESIM_NO_PROFILES:
        return;
    default: {
        const char* name = mbim_uicc_slot_state_get_string(state);
        fail(Errc::Unavailable, "mbim: slot " + std::to_string(options_.slot) + " is not ready: " +
                                    (name ? name : std::to_string(static_cast<unsigned>(state))));
    }
    }
}

void MbimTransport::send_close_channel(std::uint32_t channel) {
    MessagePtr request(mbim_message_ms_uicc_low_level_access_close_channel_set_new(channel, kChannelGroup, nullptr));
    MessagePtr response = link_->command(request.get(), "close channel");
    check_status(response.get(), "close channel " + std::to_string(channel));
    guint32 status = 0;
    GError* raw = nullptr;
    if (!mbim_message_ms_uicc_low_level_access_close_channel_response_parse(response.get(), &status, &raw))
        parse_failed("close channel", raw);
    auto sw = status_word(status);
    if (!sw) fail(Errc::MalformedData, "mbim: close channel: status " + std::to_string(status) + " is not a status word");
    if (*sw != 0x9000) {
        Error e(Errc::CardError, "mbim: close channel " + std::to_string(channel) + ": card answered " + sw_hex(*sw));
        e.status_word = *sw;
        throw e;
    }
}

// Channel 0 closes every channel of the group: what an earlier lpad (killed mid-session) left open.
void MbimTransport::release_stale_channels() {
    try {
        send_close_channel(0);
    } catch (const Error& e) {
        if (!link_->is_open()) link_failed(e);
        log::debug(kTag, std::string("releasing stale channels of group 2: ") + e.what() + " (ignored)");
    }
}

void MbimTransport::close() noexcept {
    if (link_ && link_->is_open()) {
        for (auto ch : std::set<std::uint8_t>(channels_)) {
            try {
                send_close_channel(ch);
            } catch (const std::exception& e) {
                log::debug(kTag, "closing channel " + std::to_string(ch) + ": " + e.what());
            }
            if (!link_ || !link_->is_open()) break;
        }
    }
    channels_.clear();
    if (link_) link_->close();
    link_.reset();
}

std::uint8_t MbimTransport::open_logical_channel(ByteView aid) {
    if (!is_open()) fail(Errc::Unavailable, "mbim: " + options_.device + " is not open");
    if (aid.size() < 5 || aid.size() > 16) fail(Errc::InvalidArgument, "mbim: AID must be 5..16 bytes");
    MessagePtr request(mbim_message_ms_uicc_low_level_access_open_channel_set_new(
        static_cast<guint32>(aid.size()), aid.data(), kSelectP2, kChannelGroup, nullptr));
    MessagePtr response;
    try {
        response = link_->command(request.get(), "open channel");
    } catch (const Error& e) {
        link_failed(e);
    }
    const auto mbim_status = static_cast<std::uint32_t>(mbim_message_command_done_get_status_code(response.get()));
    guint32 status = 0, channel = 0, size = 0;
    const guint8* select_response = nullptr;
    GError* raw = nullptr;
    const bool parsed = mbim_message_ms_uicc_low_level_access_open_channel_response_parse(
        response.get(), &status, &channel, &size, &select_response, &raw);
    ErrorPtr parse_error(raw);
    const auto sw = parsed ? status_word(status) : std::nullopt;
    if (mbim_status != MBIM_STATUS_ERROR_NONE || !sw || *sw != 0x9000) {
        if (mbim_status == MBIM_STATUS_ERROR_NONE && parsed && channel != 0) {
            // Opened, but the card refused the SELECT: hand the channel back.
            try { send_close_channel(channel); } catch (const Error&) {}
        }
        if (sw && *sw != 0x9000) {
            Error e(Errc::CardError, "mbim: open channel for AID " + hex(aid) + ": card answered " + sw_hex(*sw));
            e.status_word = *sw;
            throw e;
        }
        if (mbim_status != MBIM_STATUS_ERROR_NONE) throw status_error("open channel for AID " + hex(aid), mbim_status);
        fail(Errc::MalformedData, std::string("mbim: open channel response: ") +
                                      (parse_error ? parse_error->message : "status is not a status word"));
    }
    if (channel < 1 || channel > 19) {
        // Not a channel lpad can address in a class byte; give it back to the modem.
        try { send_close_channel(channel); } catch (const Error&) {}
        fail(Errc::ProtocolViolation, "mbim: the modem opened channel " + std::to_string(channel) + " (expected 1..19)");
    }
    channels_.insert(static_cast<std::uint8_t>(channel));
    log::debug(kTag, "channel " + std::to_string(channel) + " open (group 2) on AID " + hex(aid));
    return static_cast<std::uint8_t>(channel);
}

void MbimTransport::close_logical_channel(std::uint8_t channel) {
    if (!channels_.count(channel)) fail(Errc::InvalidArgument, "mbim: channel " + std::to_string(channel) + " is not open");
    if (!is_open()) {
        channels_.erase(channel);
        fail(Errc::Unavailable, "mbim: " + options_.device + " is not open");
    }
    channels_.erase(channel);  // a channel the modem refuses to close is not ours to use any more either
    try {
        send_close_channel(channel);
    } catch (const Error& e) {
        if (!link_->is_open()) link_failed(e);
        throw;
    }
}

Bytes MbimTransport::transmit(ByteView command_apdu) {
    if (!is_open()) fail(Errc::Unavailable, "mbim: " + options_.device + " is not open");
    if (command_apdu.size() < 4) fail(Errc::InvalidArgument, "mbim: command APDU shorter than 4 bytes");
    auto channel = cla_channel(command_apdu[0]);
    if (!channel || !channels_.count(static_cast<std::uint8_t>(*channel)))
        fail(Errc::InvalidArgument, "mbim: APDU class byte " + hex(command_apdu.subspan(0, 1)) +
                                        " does not address a channel open through the modem");
    Bytes command = command_for_modem(command_apdu);
    MessagePtr request(mbim_message_ms_uicc_low_level_access_apdu_set_new(
        *channel, MBIM_UICC_SECURE_MESSAGING_NONE, MBIM_UICC_CLASS_BYTE_TYPE_EXTENDED,
        static_cast<guint32>(command.size()), command.data(), nullptr));
    MessagePtr response;
    try {
        response = link_->command(request.get(), "APDU");
    } catch (const Error& e) {
        link_failed(e);
    }
    check_status(response.get(), "APDU on channel " + std::to_string(*channel));
    guint32 status = 0, size = 0;
    const guint8* data = nullptr;
    GError* raw = nullptr;
    if (!mbim_message_ms_uicc_low_level_access_apdu_response_parse(response.get(), &status, &size, &data, &raw))
        parse_failed("APDU", raw);
    return response_apdu(status, ByteView(data, size));
}

}  // namespace lpad::mbim

namespace lpad::drivers {
DriverInfo mbim_driver_info() {
    return DriverInfo{
        "mbim",
        kMbimSummary,
        [](const DriverUri& uri) -> std::unique_ptr<Transport> {
            return std::make_unique<mbim::MbimTransport>(mbim::MbimOptions::from_uri(uri));
        }};
}
}  // namespace lpad::drivers
