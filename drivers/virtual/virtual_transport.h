// SPDX-License-Identifier: Apache-2.0
// The in-process driver `virtual:`: a Transport around a VirtualCard (card.h), and the registration point through
// which the eUICC application (euicc.h) supplies the Es10Handler behind the card.
//
//   virtual:[/path/state.json][?latency=MS&block=N&chunk=N&channels=N&aid=HEX&atr=HEX&fault=SPEC&drop_at=N]
//
// The path and any parameters the application declares are the application's; the rest configure the card
// (CardConfig, Knobs; fault= takes Fault::parse text, drop_at=N means fault=drop@N).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "drivers/registry.h"
#include "drivers/virtual/card.h"
#include "libapdu/transport.h"

namespace lpad::virtual_euicc {

struct EuiccFactory {
    // Builds the eUICC application for a `virtual:` URI (the path names its state file). Throws lpad::Error.
    std::function<std::unique_ptr<Es10Handler>(const drivers::DriverUri&)> create;
    // URI parameters the application reads, accepted next to the card's own (anything else is a typo).
    std::vector<std::string> params;
};

// Install the eUICC application's factory for the `virtual:` driver and the vpcd bridge; returns the previous one.
// Until one is installed, creating a virtual card throws Error(Unavailable). Thread-safe.
EuiccFactory set_euicc_factory(EuiccFactory factory);

// The card a `virtual:` URI describes: config and knobs from its parameters, the application from the factory.
// Throws InvalidArgument for an unknown or malformed parameter, Unavailable without a factory.
std::shared_ptr<VirtualCard> make_virtual_card(const drivers::DriverUri& uri);

// Transport limits: short APDUs (255), logical channels, no GET RESPONSE handling in the link. Thread-safe (one
// mutex around every operation). open() resets (powers up) the card, close() powers it off. When the card drops the
// link (a DropLink fault), transmit() throws TransportError and the transport is closed until the next open().
class VirtualTransport : public ApduTransport {
public:
    explicit VirtualTransport(std::shared_ptr<VirtualCard> card);

    void open() override;
    void close() noexcept override;
    std::uint8_t open_logical_channel(ByteView aid) override;
    void close_logical_channel(std::uint8_t channel) override;
    Bytes transmit(ByteView command_apdu) override;
    TransportLimits limits() const override;

    bool is_open() const;
    // The card, for tests and benchmarks (knobs, counters).
    const std::shared_ptr<VirtualCard>& card() const { return card_; }
    // URI knob `counters=PATH`: after every APDU the card's counters are written to PATH (replaced atomically),
    // one "name value" line each (apdus, manage_channel, select, store_data, get_response, other, bytes_in,
    // bytes_out), so a benchmark can count the APDUs of a card that lives inside another process (lpad). The
    // `virtual:` driver sets it from the URI; the vpcd bridge (which does not use this transport) ignores it.
    void set_counters_file(std::string path) { counters_path_ = std::move(path); }

private:
    void write_counters() const;
    std::string counters_path_;
    std::shared_ptr<VirtualCard> card_;
    mutable std::recursive_mutex mutex_;  // ApduTransport's channel operations re-enter transmit()
    bool open_ = false;
};

}  // namespace lpad::virtual_euicc
