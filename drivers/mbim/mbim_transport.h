// SPDX-License-Identifier: Apache-2.0
// The `mbim:` driver: the eUICC behind an MBIM modem, through the Microsoft "UICC low-level access" service
// (open channel / APDU / close channel), with libmbim-glib (see docs/drivers/mbim.md).
//
//   mbim:/dev/cdc-wdm0[?slot=N][&proxy=0|1][&timeout=S]
//
// - slot (default 1): the physical SIM slot holding the eUICC, 1-based. On modems with MS basic connect extensions
//   the slot must be the one the modem maps to its executor (device slot mappings) and hold a card (slot info
//   status); the driver never remaps slots itself (that would reset the modem's SIM under ModemManager).
// - proxy (default 1): go through mbim-proxy, as ModemManager does, so both share the port. proxy=0 opens the
//   port exclusively (only when nothing else uses the modem).
// - timeout (default 30, 1..300 s): for opening the port and for each MBIM command.
//
// Channels: each ISD-R session is an MS UICC "open channel" in channel group 2 (ModemManager uses group 1 for its
// own channels: keeping apart lets neither close the other's; ChromeOS hermes made the same choice) with SelectP2Arg
// 04, as ModemManager and hermes send it. open() releases channels a previous run left in group 2 (close channel 0
// of the group); close() closes every channel it opened. APDUs go with secure messaging none and class byte type
// "extended" (ETSI TS 102 221); a case 3 APDU gets Le = 00 (mbim_codec.h).
//
// Limits: short APDUs (255), logical channels, 61xx/6Cxx resolved by exchange() (the modem passes them through).
// Errors: no device, no proxy, slot not mapped, no card → Unavailable; a failed or hung-up link → TransportError
// (Unavailable when the proxy went away); MBIM status codes by name (mbim_codec.h); a refused SELECT → CardError with
// the card's status word. After a link failure the transport is closed and the next open() starts afresh.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "drivers/registry.h"
#include "libapdu/error.h"
#include "libapdu/transport.h"

namespace lpad::mbim {

class MbimLink;

struct MbimOptions {
    std::string device;    // absolute path of the MBIM control port
    std::uint32_t slot = 1;  // 1-based physical slot
    bool proxy = true;
    unsigned timeout = 30;   // seconds

    // From the driver URI; unknown parameters and bad values → Error(InvalidArgument).
    static MbimOptions from_uri(const drivers::DriverUri& uri);
};

constexpr std::uint32_t kChannelGroup = 2;
constexpr std::uint32_t kSelectP2 = 0x04;

class MbimTransport : public Transport {
public:
    explicit MbimTransport(MbimOptions options);
    ~MbimTransport() override;

    void open() override;
    void close() noexcept override;
    std::uint8_t open_logical_channel(ByteView aid) override;
    void close_logical_channel(std::uint8_t channel) override;
    Bytes transmit(ByteView command_apdu) override;
    TransportLimits limits() const override { return TransportLimits{255, false, true, false}; }
    std::string device_imei() override { return imei_; }

    bool is_open() const;
    const MbimOptions& options() const { return options_; }

private:
    void read_device_caps();
    void check_slot();
    void release_stale_channels();
    void send_close_channel(std::uint32_t channel);
    [[noreturn]] void link_failed(const Error& e);

    MbimOptions options_;
    std::unique_ptr<MbimLink> link_;
    std::set<std::uint8_t> channels_;  // open in kChannelGroup by this transport
    std::string imei_;
};

}  // namespace lpad::mbim
