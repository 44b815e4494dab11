// SPDX-License-Identifier: Apache-2.0
#include "drivers/at/at_link.h"

#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::at {

namespace {
constexpr std::string_view kLog = "at";
constexpr int kResyncTries = 5;

std::string seconds(std::chrono::milliseconds t) {
    if (t.count() % 1000 == 0) return std::to_string(t.count() / 1000) + " s";
    return std::to_string(t.count()) + " ms";
}
}  // namespace

AtLink::AtLink(std::unique_ptr<SerialPort> port) : port_(std::move(port)) {}

Reply AtLink::exchange(const std::string& line, ReplyAssembler& assembler, Clock::time_point deadline) {
    // Whatever arrived since the last answer (URCs, a late or extra final result) is not this command's.
    splitter_.clear();
    stats_.stale_bytes += port_->discard_input();
    const std::string wire = line + "\r";
    port_->write_all(wire, deadline);
    stats_.bytes_sent += wire.size();
    log::trace(kLog, "> " + (line.size() > 24 ? line.substr(0, 16) + "... (" + std::to_string(line.size()) + " chars)" : line));
    while (!assembler.done()) {
        while (auto got = splitter_.next()) {
            // APDU bytes (an AuthenticateServer answer carries the matching ID) are never logged: their length is.
            log::trace(kLog, "< " + (got->size() > 24 ? got->substr(0, 12) + "... (" + std::to_string(got->size()) +
                                                            " chars)"
                                                      : *got));
            if (assembler.feed(*got)) break;
        }
        if (assembler.done()) break;
        std::string chunk = port_->read_some(deadline);
        if (chunk.empty()) break;  // deadline
        stats_.bytes_received += chunk.size();
        splitter_.append(chunk);
    }
    return assembler.reply();
}

Reply AtLink::run(const CommandSpec& command) {
    ++stats_.commands;
    ReplyAssembler assembler(command.line, command.prefix, command.bare_info, command.needs_info);
    Reply reply = exchange(command.line, assembler, Clock::now() + command.timeout);
    stats_.urcs += reply.urcs;
    if (reply.final != Final::None) {
        log::debug(kLog, command.name + ": " + reply.final_text() +
                             (reply.urcs ? " (" + std::to_string(reply.urcs) + " unsolicited lines skipped)" : ""));
        return reply;
    }
    ++stats_.timeouts;
    log::warning(kLog, command.name + " got no answer within " + seconds(command.timeout) + " on " + port_->path() +
                           "; resynchronising");
    if (!resync(std::min(command.timeout, std::chrono::milliseconds(3000))))
        fail(Errc::TransportError, "at: " + command.name + " got no answer within " + seconds(command.timeout) +
                                       " and the modem on " + port_->path() + " no longer answers AT");
    fail(Errc::Timeout, "at: " + command.name + " got no answer within " + seconds(command.timeout) + " on " +
                            port_->path() + " (the port was resynchronised)");
}

bool AtLink::resync(std::chrono::milliseconds timeout) {
    for (int i = 0; i < kResyncTries; ++i) {
        ++stats_.commands;
        ReplyAssembler assembler("AT", "", false, false);
        Reply r = exchange("AT", assembler, Clock::now() + timeout);
        if (r.final == Final::Ok) {
            log::info(kLog, "modem on " + port_->path() + " answers again");
            return true;
        }
    }
    return false;
}

}  // namespace lpad::at
