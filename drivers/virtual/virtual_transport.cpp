// SPDX-License-Identifier: Apache-2.0
#include "drivers/virtual/virtual_transport.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <utility>

#include "libapdu/error.h"

namespace lpad::virtual_euicc {

namespace {

std::mutex factory_mutex;
EuiccFactory& installed_factory() {
    static EuiccFactory factory;
    return factory;
}

// The card's own URI parameters (virtual_transport.h).
constexpr std::string_view kCardParams[] = {"latency", "block", "chunk", "channels", "aid", "atr", "fault", "drop_at", "counters"};

Bytes hex_param(const drivers::DriverUri& uri, const std::string& key, const Bytes& fallback) {
    if (!uri.has(key)) return fallback;
    try {
        return from_hex(uri.get(key));
    } catch (const Error&) {
        fail(Errc::InvalidArgument, "driver parameter " + key + "=" + uri.get(key) + " is not hex");
    }
}

void check_params(const drivers::DriverUri& uri, const std::vector<std::string>& application_params) {
    for (const auto& [key, value] : uri.params) {
        const bool known = std::find(std::begin(kCardParams), std::end(kCardParams), key) != std::end(kCardParams) ||
                           std::find(application_params.begin(), application_params.end(), key) !=
                               application_params.end();
        if (known) continue;
        std::string list;
        for (auto k : kCardParams) list += (list.empty() ? "" : ", ") + std::string(k);
        for (const auto& k : application_params) list += ", " + k;
        fail(Errc::InvalidArgument, "driver virtual: unknown parameter '" + key + "' (known: " + list + ")");
    }
}

}  // namespace

EuiccFactory set_euicc_factory(EuiccFactory factory) {
    std::lock_guard lock(factory_mutex);
    return std::exchange(installed_factory(), std::move(factory));
}

std::shared_ptr<VirtualCard> make_virtual_card(const drivers::DriverUri& uri) {
    EuiccFactory factory;
    {
        std::lock_guard lock(factory_mutex);
        factory = installed_factory();
    }
    check_params(uri, factory.params);

    CardConfig config;
    config.channels = static_cast<unsigned>(uri.get_int("channels", config.channels, 1, 20));
    config.isdr_aid = hex_param(uri, "aid", config.isdr_aid);
    config.atr = hex_param(uri, "atr", config.atr);
    config.validate();
    Knobs knobs;
    knobs.latency_ms = static_cast<unsigned>(uri.get_int("latency", 0, 0, 60'000));
    knobs.max_block = static_cast<std::size_t>(uri.get_int("block", 255, 1, 65535));
    knobs.chunk = static_cast<std::size_t>(uri.get_int("chunk", 256, 1, 256));
    if (uri.has("fault")) knobs.faults.push_back(Fault::parse(uri.get("fault")));
    if (uri.has("drop_at"))
        knobs.faults.push_back(Fault::parse("drop@" + std::to_string(uri.get_int("drop_at", 1, 1, 1L << 40))));

    if (!factory.create) fail(Errc::Unavailable, "virtual eUICC application not built");
    return std::make_shared<VirtualCard>(factory.create(uri), std::move(config), std::move(knobs));
}

VirtualTransport::VirtualTransport(std::shared_ptr<VirtualCard> card) : card_(std::move(card)) {
    if (!card_) fail(Errc::InvalidArgument, "virtual transport needs a card");
}

void VirtualTransport::open() {
    std::lock_guard lock(mutex_);
    if (open_) return;
    card_->reset();
    open_ = true;
}

void VirtualTransport::close() noexcept {
    std::lock_guard lock(mutex_);
    if (!open_) return;
    open_ = false;
    card_->power_off();
}

bool VirtualTransport::is_open() const {
    std::lock_guard lock(mutex_);
    return open_;
}

std::uint8_t VirtualTransport::open_logical_channel(ByteView aid) {
    std::lock_guard lock(mutex_);
    return ApduTransport::open_logical_channel(aid);
}

void VirtualTransport::close_logical_channel(std::uint8_t channel) {
    std::lock_guard lock(mutex_);
    ApduTransport::close_logical_channel(channel);
}

Bytes VirtualTransport::transmit(ByteView command_apdu) {
    std::lock_guard lock(mutex_);
    if (!open_) fail(Errc::TransportError, "virtual: transport is not open");
    struct Report {  // the counters after every APDU, answered or not
        const VirtualTransport* t;
        ~Report() {
            if (!t->counters_path_.empty()) t->write_counters();
        }
    } report{this};
    try {
        return card_->process(command_apdu);
    } catch (const Error& e) {
        if (e.code() == Errc::TransportError) open_ = false;  // the card dropped the link and is powered off
        throw;
    }
}

void VirtualTransport::write_counters() const {
    const Counters c = card_->counters();
    const std::string tmp = counters_path_ + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << "apdus " << c.apdus << "\nmanage_channel " << c.manage_channel << "\nselect " << c.select
            << "\nstore_data " << c.store_data << "\nget_response " << c.get_response << "\nother " << c.other
            << "\nbytes_in " << c.bytes_in << "\nbytes_out " << c.bytes_out << "\n";
        if (!out) return;  // a benchmark aid: a full disk must not fail the card
    }
    std::error_code ec;
    std::filesystem::rename(tmp, counters_path_, ec);
}

TransportLimits VirtualTransport::limits() const {
    return TransportLimits{255, false, true, false};
}

}  // namespace lpad::virtual_euicc

namespace lpad::drivers {

DriverInfo virtual_driver_info() {
    return DriverInfo{"virtual", "software SGP.22 eUICC in this process (virtual:/path/state.json?latency=MS&...)",
                      [](const DriverUri& uri) -> std::unique_ptr<Transport> {
                          auto t = std::make_unique<virtual_euicc::VirtualTransport>(
                              virtual_euicc::make_virtual_card(uri));
                          if (uri.has("counters")) t->set_counters_file(uri.get("counters"));
                          return t;
                      }};
}

}  // namespace lpad::drivers
