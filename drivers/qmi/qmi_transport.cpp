// SPDX-License-Identifier: Apache-2.0
#include "drivers/qmi/qmi_transport.h"

#include <utility>

#include "drivers/qmi/qmi_errors.h"
#include "drivers/qmi/uim_messages.h"
#include "drivers/summaries.h"
#include "libapdu/apdu.h"
#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::qmi {

namespace {
constexpr std::string_view kLog = "qmi";

std::string sw_hex(std::uint16_t sw) { return to_hex(Bytes{std::uint8_t(sw >> 8), std::uint8_t(sw & 0xFF)}, true); }
}  // namespace

QmiOptions QmiOptions::from_uri(const drivers::DriverUri& uri) {
    QmiOptions o;
    if (uri.path == "qrtr") {
        uri.expect_only({"node", "slot", "switch", "timeout"});
        if (!uri.has("node")) fail(Errc::InvalidArgument, "driver qmi: qmi:qrtr needs node=N");
        o.link.qrtr_node = static_cast<std::uint32_t>(uri.get_int("node", 0, 0, 0xFFFFFFFFL));
        o.link.proxy = false;
    } else {
        uri.expect_only({"slot", "switch", "proxy", "timeout"});
        if (uri.path.empty() || uri.path.front() != '/')
            fail(Errc::InvalidArgument, "driver qmi: needs a port path, e.g. qmi:/dev/cdc-wdm0, or qmi:qrtr?node=N");
        o.link.device = uri.path;
        o.link.proxy = uri.get_bool("proxy", true);
    }
    o.slot = static_cast<std::uint8_t>(uri.get_int("slot", 1, 1, 5));
    o.switch_slot = uri.get_bool("switch", false);
    o.link.timeout_s = static_cast<unsigned>(uri.get_int("timeout", 20, 10, 120));
    return o;
}

QmiTransport::QmiTransport(QmiOptions options) : options_(std::move(options)) {}

QmiTransport::~QmiTransport() { close(); }

QmiLink& QmiTransport::link() {
    if (!link_) fail(Errc::Unavailable, "qmi: not connected to the modem (open() first)");
    return *link_;
}

template <class F>
auto QmiTransport::guarded(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const Error& e) {
        if (e.code() == Errc::Unavailable || (link_ && link_->removed())) {
            log::warning(kLog, e.what());
            close();
        }
        throw;
    }
}

void QmiTransport::open() {
    if (link_ && !link_->removed()) return;
    close();
    link_ = std::make_unique<QmiLink>(options_.link);
    try {
        select_slot();
    } catch (...) {
        close();
        throw;
    }
}

void QmiTransport::select_slot() {
    auto query = [&] {
        return uim::parse_get_slot_status_response(link_->uim_request(uim::kGetSlotStatus, {}, "Get Slot Status"));
    };
    uim::SlotStatusResponse status = query();
    if (!status.result.ok() || status.slots.empty()) {
        // A modem without slot status (older firmware): one slot, addressed as slot 1.
        if (options_.slot != 1)
            fail(Errc::Unavailable, "qmi: the modem does not report UIM slots, so slot=" +
                                        std::to_string(options_.slot) + " cannot be used");
        uim_slot_ = 1;
        return;
    }
    const std::size_t index = options_.slot - 1u;
    if (index >= status.slots.size())
        fail(Errc::Unavailable, "qmi: the modem has " + std::to_string(status.slots.size()) +
                                    " UIM slot(s), no slot " + std::to_string(options_.slot));
    if (!status.slots[index].active()) {
        std::string active = "none";
        for (std::size_t i = 0; i < status.slots.size(); ++i)
            if (status.slots[i].active()) active = std::to_string(i + 1);
        if (!options_.switch_slot)
            fail(Errc::Unavailable, "qmi: UIM slot " + std::to_string(options_.slot) +
                                        " is not active (active slot: " + active +
                                        "); add switch=1 to the URI to let lpad switch slots");
        log::warning(kLog, "switching the modem's active UIM slot from " + active + " to " +
                               std::to_string(options_.slot) + " (switch=1)");
        link_->switch_slot(options_.slot);
        status = query();
        if (!status.result.ok() || index >= status.slots.size() || !status.slots[index].active())
            fail(Errc::Unavailable, "qmi: UIM slot " + std::to_string(options_.slot) + " did not become active");
    }
    const uim::PhysicalSlot& slot = status.slots[index];
    if (!slot.card_present())
        fail(Errc::Unavailable, "qmi: no card in UIM slot " + std::to_string(options_.slot));
    uim_slot_ = slot.logical_slot ? slot.logical_slot : 1;
    log::debug(kLog, "UIM slot " + std::to_string(options_.slot) + " active as logical slot " +
                         std::to_string(uim_slot_) + (slot.is_euicc.value_or(false) ? " (eUICC)" : ""));
}

void QmiTransport::close() noexcept {
    if (!link_) return;
    for (std::uint8_t channel : std::set<std::uint8_t>(channels_)) {
        if (link_->removed()) break;  // the link went away: its channels went with it
        try {
            request_close(channel);
        } catch (const std::exception& e) {
            log::warning(kLog, "closing logical channel " + std::to_string(channel) + ": " + e.what());
        }
    }
    channels_.clear();
    link_.reset();
}

void QmiTransport::request_close(std::uint8_t channel) {
    channels_.erase(channel);
    auto response = uim::parse_close_logical_channel_response(link().uim_request(
        uim::kLogicalChannel, uim::close_logical_channel_request(uim_slot_, channel), "Logical Channel (close)"));
    if (!response.result.ok()) throw qmi_error(response.result.error, "UIM Logical Channel (close)");
    log::debug(kLog, "logical channel " + std::to_string(channel) + " closed");
}

std::uint8_t QmiTransport::open_logical_channel(ByteView aid) {
    return guarded([&]() -> std::uint8_t {
        auto response = uim::parse_open_logical_channel_response(
            link().uim_request(uim::kOpenLogicalChannel, uim::open_logical_channel_request(uim_slot_, aid),
                               "Open Logical Channel"));
        if (!response.result.ok()) {
            // The modem ran MANAGE CHANNEL + SELECT itself; a card that refused either says so in the card result.
            if (response.status_word && *response.status_word != 0x9000)
                throw Error::card(*response.status_word, "qmi: SELECT " + to_hex(aid, true) + " refused (" +
                                                             sw_hex(*response.status_word) + ")");
            throw qmi_error(response.result.error, "UIM Open Logical Channel");
        }
        if (!response.channel || *response.channel == 0 || *response.channel > 19) {
            if (response.channel) request_close(*response.channel);
            fail(Errc::MalformedData, "qmi: Open Logical Channel answered without a valid channel id");
        }
        channels_.insert(*response.channel);
        log::debug(kLog, "logical channel " + std::to_string(*response.channel) + " open");
        return *response.channel;
    });
}

void QmiTransport::close_logical_channel(std::uint8_t channel) {
    if (!link_ || link_->removed()) {
        channels_.erase(channel);
        return;  // the link went away: its channels went with it
    }
    guarded([&] { request_close(channel); });
}

Bytes QmiTransport::transmit(ByteView command_apdu) {
    return guarded([&]() -> Bytes {
        if (command_apdu.size() < 4) fail(Errc::InvalidArgument, "qmi: APDU shorter than 4 bytes");
        const auto channel = static_cast<std::uint8_t>(apdu::channel_of(command_apdu[0]));
        auto response = uim::parse_send_apdu_response(
            link().uim_request(uim::kSendApdu, uim::send_apdu_request(uim_slot_, channel, command_apdu), "Send APDU"));
        if (!response.result.ok()) throw qmi_error(response.result.error, "UIM Send APDU");
        if (!response.apdu || response.apdu->size() < 2)
            fail(Errc::MalformedData, "qmi: Send APDU answered without a response APDU");
        return std::move(*response.apdu);
    });
}

std::string QmiTransport::device_imei() {
    if (!link_ || link_->removed()) return {};
    return link_->imei();
}

}  // namespace lpad::qmi

namespace lpad::drivers {

DriverInfo qmi_driver_info() {
    return DriverInfo{"qmi",
                      kQmiSummary,
                      [](const DriverUri& uri) -> std::unique_ptr<Transport> {
                          return std::make_unique<qmi::QmiTransport>(qmi::QmiOptions::from_uri(uri));
                      }};
}

}  // namespace lpad::drivers
