// SPDX-License-Identifier: Apache-2.0
#include "lpactl/output.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace lpactl {

const std::vector<Field> kChipFields = {
    {"euicc", "eUICC"},
    {"eid", "EID"},
    {"driver", "Driver"},
    {"status", "Status"},
    {"defaultSmdpAddress", "Default SM-DP+"},
    {"rootSmdsAddress", "Root SM-DS"},
    {"profileVersion", "Profile version"},
    {"svn", "SGP.22 version"},
    {"firmwareVersion", "Firmware version"},
    {"freeNonVolatileMemory", "Free NVM (bytes)"},
    {"freeVolatileMemory", "Free RAM (bytes)"},
    {"sasAccreditationNumber", "SAS accreditation"},
    {"ciPkids", "CI key ids"},
    {"profiles", "Profiles"},
    {"pendingNotifications", "Pending notifications"},
    {"interruptedDownload", "Interrupted download"},
};
const std::vector<Field> kProfileFields = {
    {"iccid", "ICCID"}, {"state", "STATE"}, {"name", "NAME"}, {"serviceProvider", "PROVIDER"},
    {"nickname", "NICKNAME"}, {"class", "CLASS"}, {"isdpAid", "ISD-P AID"},
};
const std::vector<Field> kNotificationFields = {
    {"seqNumber", "SEQ"}, {"operation", "OPERATION"}, {"address", "ADDRESS"}, {"iccid", "ICCID"},
};
const std::vector<Field> kEventFields = {{"eventId", "EVENT ID"}, {"smdpAddress", "SM-DP+ ADDRESS"}};
const std::vector<Field> kOutcomeFields = {
    {"seqNumber", "SEQ"}, {"sent", "SENT"}, {"removed", "REMOVED"}, {"error", "ERROR"}};

namespace {

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates, <= U+10FFFF), 0 if none;
// its code point in `cp`.
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& cp) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const unsigned char c = b(0);
    std::size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < n; ++k) {
        if ((b(k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b(k) & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }
bool is_bidi_control(char32_t cp) { return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069); }

std::string text(const nlohmann::json& v) {
    if (v.is_null()) return "";
    if (v.is_string()) return printable(v.get<std::string>());
    if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
    if (v.is_object()) {  // "state: installed, iccid: ..." (keys of a{ss}, sorted), empty values left out
        std::string out;
        if (v.contains("state")) out = text(v["state"]);
        for (const auto& [k, e] : v.items())
            if (k != "state" && !(e.is_string() && e.get<std::string>().empty()))
                out += (out.empty() ? "" : ", ") + printable(k) + ": " + text(e);
        return out;
    }
    if (v.is_array()) {
        std::string out;
        for (const auto& e : v) out += (out.empty() ? "" : ", ") + text(e);
        return out;
    }
    return v.dump();
}
}  // namespace

std::string printable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    char buf[16];
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = 0;
        const std::size_t n = utf8_sequence(s, i, cp);
        if (n == 0) {
            std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned char>(s[i]));
            out += buf;
            ++i;
            continue;
        }
        if (cp == '\\') {
            out += "\\\\";
        } else if (cp < 0x80 && is_control(cp)) {
            std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(cp));
            out += buf;
        } else if (is_control(cp) || is_bidi_control(cp)) {
            std::snprintf(buf, sizeof buf, "\\u{%04X}", static_cast<unsigned>(cp));
            out += buf;
        } else {
            out.append(s.substr(i, n));
        }
        i += n;
    }
    return out;
}

std::size_t find_control(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = 0;
        const std::size_t n = utf8_sequence(s, i, cp);
        if (n == 0) return i;  // not UTF-8: refused as well
        if (is_control(cp) || is_bidi_control(cp)) return i;
        i += n;
    }
    return std::string_view::npos;
}

std::string render_table(const std::vector<Field>& fields, const std::vector<Record>& rows) {
    std::vector<std::size_t> width;
    for (const auto& f : fields) {
        std::size_t w = f.header.size();
        for (const auto& r : rows) w = std::max(w, text(r.value(f.key, nlohmann::json())).size());
        width.push_back(w);
    }
    std::ostringstream out;
    auto line = [&](const std::function<std::string(std::size_t)>& cell) {
        std::string l;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            std::string c = cell(i);
            l += c + (i + 1 < fields.size() ? std::string(width[i] - c.size() + 2, ' ') : "");
        }
        while (!l.empty() && l.back() == ' ') l.pop_back();
        out << l << "\n";
    };
    line([&](std::size_t i) { return fields[i].header; });
    for (const auto& r : rows) line([&](std::size_t i) { return text(r.value(fields[i].key, nlohmann::json())); });
    return out.str();
}

std::string render_record(const std::vector<Field>& fields, const Record& record) {
    std::size_t w = 0;
    for (const auto& f : fields) w = std::max(w, f.header.size());
    std::ostringstream out;
    for (const auto& f : fields) {
        if (!record.contains(f.key)) continue;
        out << f.header << ":" << std::string(w - f.header.size() + 1, ' ') << text(record[f.key]) << "\n";
    }
    return out.str();
}

nlohmann::ordered_json to_json(const std::vector<Field>& fields, const Record& record) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& f : fields)
        if (record.contains(f.key)) out[f.key] = record[f.key];
    return out;
}

}  // namespace lpactl
