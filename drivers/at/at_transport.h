// SPDX-License-Identifier: Apache-2.0
// The `at:` driver: the eUICC of a cellular modem through its AT command port (docs/drivers/at.md).
//
//   at:/dev/ttyUSB2[?baud=115200&mode=auto|csim|ccho&block=N&timeout=S&load-timeout=S]
//
// - mode=csim: every APDU through AT+CSIM=<len>,"<hex>" (3GPP TS 27.007 §8.17); logical channels with MANAGE
//   CHANNEL inside CSIM (ApduTransport).
// - mode=ccho: AT+CCHO="<AID>" -> session id (a channel number or an opaque handle), AT+CGLA=<id>,<len>,"<hex>",
//   AT+CCHC=<id> (27.007 §8.45, §8.46, §8.43). The APDU keeps the channel lpad numbered in its CLA; a modem with
//   opaque handles puts its own channel in.
// - mode=auto (default): AT+CCHO is tried at the first channel opened, AT+CSIM when the modem refuses it; no `=?`
//   test command is sent (some modems never answer them). What worked is remembered for the port while this
//   transport lives (lpad's lifetime); a restart finds out again.
// - block: STORE DATA data bytes per APDU, 6..255 (default 240 for csim, 230 for ccho: a 255-byte block makes a
//   command line of over 530 characters, more than many modems take).
// - timeout (default 10 s): every command; load-timeout (default 300 s): every command while a Bound Profile
//   Package loads (from the STORE DATA carrying BF36 until the next other ES10 function or the channel's close).
//
// The port is opened and locked (serial_port.h) at the first open() and kept, with its locks, until the transport
// is destroyed, the port vanishes, or its link fails; close() closes every channel but keeps the port, so no other
// program can slip in between two jobs. At the first open of the port, and whenever a channel could not be closed
// (or its opening timed out), the channels an earlier run may have left are closed before a new one is opened:
// AT+CCHC of the ids known to be stale and of 1..3 (ids that are channel numbers) in ccho and auto modes, MANAGE
// CHANNEL close of the known ones in csim mode (and of 1..3 when the card says no channel is free, 6A81).
// Errors: port missing or gone -> Unavailable; port locked -> Busy; a command answered ERROR / +CME ERROR ->
// TransportError naming the command and the answer; no answer -> Timeout (the port is resynchronised first).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "drivers/at/at_link.h"
#include "drivers/registry.h"
#include "libapdu/error.h"
#include "libapdu/transport.h"

namespace lpad::at {

enum class Mode { Auto, Csim, Ccho };
std::string_view mode_name(Mode m);

struct AtOptions {
    std::string path;
    unsigned baud = 115200;
    Mode mode = Mode::Auto;
    std::optional<std::size_t> block;  // unset: per mode
    std::chrono::milliseconds timeout{10'000};
    std::chrono::milliseconds load_timeout{300'000};
    std::string lock_dir = "/run/lock";  // not a URI parameter (tests construct AtOptions directly)

    // From the driver URI; unknown parameters and bad values -> Error(InvalidArgument).
    static AtOptions from_uri(const drivers::DriverUri& uri);
};

constexpr std::size_t kDefaultCsimBlock = 240;
constexpr std::size_t kDefaultCchoBlock = 230;

class AtTransport : public ApduTransport {
public:
    explicit AtTransport(AtOptions options);
    ~AtTransport() override;

    void open() override;
    void close() noexcept override;
    std::uint8_t open_logical_channel(ByteView aid) override;
    void close_logical_channel(std::uint8_t channel) override;
    Bytes transmit(ByteView command_apdu) override;
    TransportLimits limits() const override;
    std::string device_imei() override;

    Mode mode() const { return mode_; }  // Auto until the first channel found out
    bool port_open() const { return link_ != nullptr; }
    // Serial-line traffic of the current port (zeros when none is open).
    LinkStats stats() const { return link_ ? link_->stats() : LinkStats{}; }

private:
    Reply run(CommandSpec spec);
    [[noreturn]] void link_failed(const Error& e);
    std::chrono::milliseconds timeout_for(ByteView apdu);
    std::uint8_t open_ccho(ByteView aid, bool probing);
    std::uint8_t open_csim(ByteView aid);
    std::uint8_t number_for(const std::string& session) const;
    void sweep();

    AtOptions options_;
    Mode mode_;
    std::unique_ptr<AtLink> link_;
    std::map<std::uint8_t, std::string> sessions_;  // open channels: lpad's channel number -> modem session id
    std::set<std::string> stale_;                    // ids to close before the next open ("*": 1..3)
    bool first_open_ = true;                         // the port's first channel since it was opened
    bool loading_ = false;                           // a Bound Profile Package is loading
    bool last_refused_ = false;                      // the last command was answered ERROR / +CME ERROR
};

}  // namespace lpad::at
