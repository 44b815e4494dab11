// SPDX-License-Identifier: Apache-2.0
#include "drivers/at/at_parser.h"

#include <cctype>

#include "libapdu/error.h"

namespace lpad::at {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(s[i])) != std::toupper(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

bool equal_nocase(std::string_view a, std::string_view b) { return a.size() == b.size() && starts_with_nocase(a, b); }

// Printable text of a line for error messages, bounded (a hostile modem must not fill the log).
std::string shown(std::string_view line) {
    std::string out;
    for (char c : line.substr(0, 80)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
    if (line.size() > 80) out += "...";
    return out;
}

[[noreturn]] void malformed(std::string_view what, std::string_view line) {
    fail(Errc::MalformedData, "modem answered '" + shown(line) + "': " + std::string(what));
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

std::string_view unquote(std::string_view s) {
    s = trim(s);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
    return s;
}

// After an optional prefix (any case), skip the colon's following spaces.
std::string_view strip_prefix(std::string_view line, std::string_view prefix) {
    line = trim(line);
    if (!prefix.empty() && starts_with_nocase(line, prefix)) line = trim(line.substr(prefix.size()));
    return line;
}

}  // namespace

Final final_result(std::string_view line, std::string* detail) {
    line = trim(line);
    if (equal_nocase(line, "OK")) return Final::Ok;
    if (equal_nocase(line, "ERROR")) return Final::Error;
    for (auto [prefix, kind] : {std::pair{std::string_view("+CME ERROR:"), Final::CmeError},
                                std::pair{std::string_view("+CMS ERROR:"), Final::CmsError}}) {
        if (starts_with_nocase(line, prefix)) {
            if (detail) *detail = std::string(trim(line.substr(prefix.size())));
            return kind;
        }
    }
    return Final::None;
}

bool is_unsolicited(std::string_view line, std::string_view prefix) {
    line = trim(line);
    for (std::string_view word : {"RING", "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE"})
        if (equal_nocase(line, word)) return true;
    if (line.empty() || (line.front() != '+' && line.front() != '^')) return false;
    if (!prefix.empty() && starts_with_nocase(line, prefix)) return false;
    // "+XXX:" or "^XXX:" with a name of letters/digits: another command's (or nobody's) report.
    std::size_t i = 1;
    while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_')) ++i;
    return i > 1 && i < line.size() && line[i] == ':';
}

std::string Reply::final_text() const {
    switch (final) {
        case Final::None: return "no final result";
        case Final::Ok: return "OK";
        case Final::Error: return "ERROR";
        case Final::CmeError: return "+CME ERROR: " + error_detail;
        case Final::CmsError: return "+CMS ERROR: " + error_detail;
    }
    return "?";
}

ReplyAssembler::ReplyAssembler(std::string command, std::string prefix, bool bare_info, bool needs_info)
    : command_(std::move(command)), prefix_(std::move(prefix)), bare_info_(bare_info), needs_info_(needs_info) {}

bool ReplyAssembler::feed(std::string_view raw) {
    if (done()) return true;
    std::string_view line = trim(raw);
    if (line.empty()) return false;
    if (equal_nocase(line, command_)) return false;  // echo left on
    std::string detail;
    Final f = final_result(line, &detail);
    if (f != Final::None) {
        if (f == Final::Ok && needs_info_ && reply_.info.empty()) {
            ++reply_.stale_finals;  // an extra OK of an earlier answer; ours is still coming
            return false;
        }
        reply_.final = f;
        reply_.error_detail = std::move(detail);
        return true;
    }
    if (is_unsolicited(line, prefix_)) {
        ++reply_.urcs;
        return false;
    }
    if ((!prefix_.empty() && starts_with_nocase(line, prefix_)) || bare_info_) {
        reply_.info.emplace_back(line);
        return false;
    }
    // Text that is neither ours nor a known report (a modem banner, a stray word): skipped like a URC.
    ++reply_.urcs;
    return false;
}

void LineSplitter::append(std::string_view bytes) { buffer_.append(bytes); }

std::optional<std::string> LineSplitter::next() {
    for (;;) {
        std::size_t end = buffer_.find_first_of("\r\n");
        if (end == std::string::npos) {
            if (buffer_.size() > kMaxLineLength) {
                buffer_.clear();
                fail(Errc::MalformedData, "modem sent a line longer than " + std::to_string(kMaxLineLength) + " bytes");
            }
            return std::nullopt;
        }
        std::string line = buffer_.substr(0, end);
        std::size_t skip = end;
        while (skip < buffer_.size() && (buffer_[skip] == '\r' || buffer_[skip] == '\n')) ++skip;
        buffer_.erase(0, skip);
        if (line.size() > kMaxLineLength)
            fail(Errc::MalformedData, "modem sent a line longer than " + std::to_string(kMaxLineLength) + " bytes");
        if (!trim(line).empty()) return line;
    }
}

Bytes parse_apdu_response(std::string_view line, std::string_view prefix) {
    std::string_view rest = strip_prefix(line, prefix);
    auto comma = rest.find(',');
    if (comma == std::string_view::npos) malformed("no ',' between length and response", line);
    std::string_view len_text = trim(rest.substr(0, comma));
    std::string_view hex = unquote(rest.substr(comma + 1));
    if (!all_digits(len_text) || len_text.size() > 5) malformed("the length is not a number", line);
    std::size_t length = std::stoul(std::string(len_text));
    if (hex.size() % 2 != 0 || hex.size() < 4) malformed("the response is not an even number of hex digits >= 4", line);
    if (length != hex.size() && length * 2 != hex.size())
        malformed("length " + std::to_string(length) + " does not match " + std::to_string(hex.size()) + " hex digits",
                  line);
    try {
        return from_hex(hex);
    } catch (const Error&) {
        malformed("the response is not hex", line);
    }
}

std::string parse_session_id(std::string_view line) {
    std::string_view id = unquote(strip_prefix(line, "+CCHO:"));
    if (!all_digits(id) || id.size() > 10) malformed("not a session id (1 to 10 digits)", line);
    while (id.size() > 1 && id.front() == '0') id.remove_prefix(1);
    return std::string(id);
}

std::string parse_imei(const std::vector<std::string>& info) {
    for (const auto& line : info) {
        std::string_view digits = unquote(strip_prefix(line, "+CGSN:"));
        if (all_digits(digits) && (digits.size() == 15 || digits.size() == 16)) return std::string(digits);
    }
    return {};
}

std::string csim_command(ByteView apdu) {
    return "AT+CSIM=" + std::to_string(apdu.size() * 2) + ",\"" + to_hex(apdu, true) + "\"";
}

std::string cgla_command(std::string_view session, ByteView apdu) {
    return "AT+CGLA=" + std::string(session) + "," + std::to_string(apdu.size() * 2) + ",\"" + to_hex(apdu, true) +
           "\"";
}

std::string ccho_command(ByteView aid) { return "AT+CCHO=\"" + to_hex(aid, true) + "\""; }

std::string cchc_command(std::string_view session) { return "AT+CCHC=" + std::string(session); }

}  // namespace lpad::at
