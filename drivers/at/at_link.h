// SPDX-License-Identifier: Apache-2.0
// One AT command at a time over a SerialPort: flush stale input, send, assemble the reply (at_parser.h) within a
// bounded time. A command that gets no final result in time is recovered: the port is resynchronised with `AT`
// until the modem answers again, then Error(Timeout) names the command and the timeout; a modem that does not come
// back is TransportError. Never blocks longer than the timeout plus the bounded resync.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "drivers/at/at_parser.h"
#include "drivers/at/serial_port.h"

namespace lpad::at {

// Traffic on the serial line since the link was made (for lpad-bench and the logs).
struct LinkStats {
    std::size_t commands = 0;
    std::size_t bytes_sent = 0;
    std::size_t bytes_received = 0;
    std::size_t urcs = 0;           // unsolicited lines skipped inside answers
    std::size_t stale_bytes = 0;    // input flushed before commands
    std::size_t timeouts = 0;
};

struct CommandSpec {
    std::string line;        // the command, without CR
    std::string name;        // how errors and logs name it (never APDU bytes): "AT+CSIM=522"
    std::string prefix;      // information prefix ("+CSIM:"), empty when the command has none
    bool bare_info = false;  // bare lines are information too (CCHO, CGSN)
    bool needs_info = false; // an OK before any information line is stale (ReplyAssembler)
    std::chrono::milliseconds timeout{10'000};
};

class AtLink {
public:
    explicit AtLink(std::unique_ptr<SerialPort> port);

    // Runs one command. Throws Timeout (after a successful resync), TransportError (port failed, or no resync),
    // MalformedData (a line over kMaxLineLength). A final ERROR is returned in the Reply, not thrown.
    Reply run(const CommandSpec& command);
    // `AT` until the modem answers (at most 5 tries of `timeout` each). False when it never did.
    bool resync(std::chrono::milliseconds timeout);

    SerialPort& port() { return *port_; }
    const LinkStats& stats() const { return stats_; }

private:
    Reply exchange(const std::string& line, ReplyAssembler& assembler, Clock::time_point deadline);

    std::unique_ptr<SerialPort> port_;
    LineSplitter splitter_;
    LinkStats stats_;
};

}  // namespace lpad::at
