// SPDX-License-Identifier: Apache-2.0
// The AT response parser of the `at:` driver: pure, bounds-checked, no I/O (fuzzed by tests/fuzz/fuzz_at_response).
//
// A modem answers a command (3GPP TS 27.007, ITU-T V.250) with lines: optionally the echo of the command,
// information lines (`+CSIM: 4,"9000"`), unsolicited result codes that may arrive anywhere (`+CREG: 1`, `RING`,
// `+QIND: ...`), then one final result: `OK`, `ERROR`, `+CME ERROR: <n>|<text>` (or `+CMS ERROR:`).
// Dialects seen in the field, all accepted: a space after the colon or not, hex quoted or not, upper or lower case,
// `+CCHO:` missing (a bare number), numeric or verbose CME errors, an extra `OK` line, echo left on.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libapdu/bytes.h"

namespace lpad::at {

// Longest line the parser keeps (a 255-byte APDU answer is 514 hex digits); longer lines are MalformedData.
constexpr std::size_t kMaxLineLength = 4096;

enum class Final { None, Ok, Error, CmeError, CmsError };

// One line (without CR/LF) as a final result; Final::None when it is not one. `detail` gets the text after
// "+CME ERROR:" / "+CMS ERROR:", trimmed (a number or words).
Final final_result(std::string_view line, std::string* detail = nullptr);

// True for a line that is an unsolicited result code for a command expecting `prefix` ("+CSIM:", or empty when the
// command has no information line): any `+XXX:`/`^XXX:` line with another prefix, and the V.250 words RING,
// NO CARRIER, BUSY, NO ANSWER, NO DIALTONE.
bool is_unsolicited(std::string_view line, std::string_view prefix);

// The answer to one command, as the assembler saw it.
struct Reply {
    Final final = Final::None;
    std::string error_detail;       // CME/CMS detail
    std::vector<std::string> info;  // information lines (echo and URCs removed), in order
    std::size_t urcs = 0;           // unsolicited lines skipped
    std::size_t stale_finals = 0;   // final results skipped as left over from an earlier command
    bool ok() const { return final == Final::Ok; }
    // "OK", "ERROR", "+CME ERROR: 4" ...
    std::string final_text() const;
};

// Assembles a Reply from the lines that follow one command.
//   command: the command line as sent (its echo is skipped);
//   prefix:  its information prefix, e.g. "+CSIM:" (lines starting with it, any case, are information);
//   bare_info: lines without a '+' prefix that are not URCs or echo also count as information (CCHO's bare
//              session id, CGSN's bare IMEI);
//   needs_info: an OK before any information line is a leftover of an earlier command, skipped (extra-OK
//              dialect); the real answer follows.
class ReplyAssembler {
public:
    ReplyAssembler(std::string command, std::string prefix, bool bare_info, bool needs_info);

    // Feed one line (CR/LF stripped). Returns true once the final result is in; later lines are ignored.
    bool feed(std::string_view line);
    bool done() const { return reply_.final != Final::None; }
    const Reply& reply() const { return reply_; }

private:
    std::string command_;
    std::string prefix_;
    bool bare_info_;
    bool needs_info_;
    Reply reply_;
};

// Splits a byte stream into lines at CR and/or LF; keeps the unfinished tail. Empty lines are dropped. A line over
// kMaxLineLength throws Error(MalformedData) (and the buffer is cleared).
class LineSplitter {
public:
    void append(std::string_view bytes);
    std::optional<std::string> next();
    void clear() { buffer_.clear(); }
    std::size_t pending() const { return buffer_.size(); }

private:
    std::string buffer_;
};

// `+CSIM: <length>,"<hex>"` / `+CGLA: ...` (prefix optional, any case, a space or not, quotes or not): the response
// APDU (data || SW1 SW2). <length> counts hex characters (27.007); a modem counting bytes is accepted too. Throws
// Error(MalformedData) naming the line for anything else, or fewer than 2 bytes.
Bytes parse_apdu_response(std::string_view line, std::string_view prefix);

// `+CCHO: <id>` or a bare `<id>` (quoted or not): the session id, 1 to 10 decimal digits (a channel number or an
// opaque handle). Throws Error(MalformedData) otherwise.
std::string parse_session_id(std::string_view line);

// The IMEI (15 digits) or IMEISV (16) among the information lines of AT+CGSN (`+CGSN: "<digits>"` or bare digits);
// empty when none is.
std::string parse_imei(const std::vector<std::string>& info);

// Command lines (without the trailing CR).
std::string csim_command(ByteView apdu);                                // AT+CSIM=<2n>,"<HEX>"
std::string cgla_command(std::string_view session, ByteView apdu);     // AT+CGLA=<id>,<2n>,"<HEX>"
std::string ccho_command(ByteView aid);                                 // AT+CCHO="<HEX>"
std::string cchc_command(std::string_view session);                    // AT+CCHC=<id>

}  // namespace lpad::at
