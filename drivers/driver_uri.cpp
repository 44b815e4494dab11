// SPDX-License-Identifier: Apache-2.0
// DriverUri and presence names: the part of drivers/registry.h every driver uses, without the driver table (so a
// driver library or a loadable driver module does not pull the table, and with it every other driver, in).
#include <cctype>
#include <charconv>

#include "drivers/registry.h"
#include "libapdu/error.h"

namespace lpad::drivers {

DriverUri DriverUri::parse(std::string_view text) {
    auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0)
        fail(Errc::InvalidArgument, "driver '" + std::string(text) + "' has no scheme (expected e.g. pcsc: or virtual:/path)");
    DriverUri uri;
    uri.scheme = std::string(text.substr(0, colon));
    for (char c : uri.scheme)
        if (!std::isalnum(static_cast<unsigned char>(c)))
            fail(Errc::InvalidArgument, "driver scheme '" + uri.scheme + "' has an illegal character");
    std::string_view rest = text.substr(colon + 1);
    std::string_view query;
    if (auto q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    } else if (!rest.empty() && rest.front() != '/' && rest.find('=') != std::string_view::npos) {
        query = rest;
        rest = {};
    }
    uri.path = std::string(rest);
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (item.empty()) continue;
        auto eq = item.find('=');
        std::string key(item.substr(0, eq));
        std::string value = eq == std::string_view::npos ? "1" : std::string(item.substr(eq + 1));
        if (key.empty()) fail(Errc::InvalidArgument, "driver '" + std::string(text) + "' has a parameter with no name");
        if (!uri.params.emplace(key, value).second)
            fail(Errc::InvalidArgument, "driver '" + std::string(text) + "' repeats parameter '" + key + "'");
    }
    return uri;
}

std::string DriverUri::to_string() const {
    std::string out = scheme + ":" + path;
    char sep = '?';
    for (const auto& [k, v] : params) {
        out += sep + k + "=" + v;
        sep = '&';
    }
    // A path holding '=' without a leading '/' would read back as parameters (parse's "pcsc:reader=X" form): an
    // empty query keeps it a path. (Found by fuzz_driver_uri; its input is a regression seed.)
    if (params.empty() && !path.empty() && path.front() != '/' && path.find('=') != std::string::npos) out += '?';
    return out;
}

std::string DriverUri::get(const std::string& key, const std::string& fallback) const {
    auto it = params.find(key);
    return it == params.end() ? fallback : it->second;
}

long DriverUri::get_int(const std::string& key, long fallback, long min, long max) const {
    auto it = params.find(key);
    if (it == params.end()) return fallback;
    long value = 0;
    const std::string& s = it->second;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || p != s.data() + s.size() || value < min || value > max)
        fail(Errc::InvalidArgument, "driver parameter " + key + "=" + s + " must be an integer from " +
                                        std::to_string(min) + " to " + std::to_string(max));
    return value;
}

bool DriverUri::get_bool(const std::string& key, bool fallback) const {
    auto it = params.find(key);
    if (it == params.end()) return fallback;
    const std::string& v = it->second;
    if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
    if (v == "0" || v == "false" || v == "no" || v == "off") return false;
    fail(Errc::InvalidArgument, "driver parameter " + key + "=" + v + " must be a boolean (1/0, true/false)");
}

void DriverUri::expect_only(std::initializer_list<std::string_view> known) const {
    for (const auto& [k, v] : params) {
        bool ok = false;
        for (auto name : known) ok = ok || name == k;
        if (!ok) {
            std::string list;
            for (auto name : known) list += (list.empty() ? "" : ", ") + std::string(name);
            fail(Errc::InvalidArgument, "driver " + scheme + ": unknown parameter '" + k + "' (known: " +
                                            (list.empty() ? "none" : list) + ")");
        }
    }
}

std::string_view presence_name(Presence p) {
    switch (p) {
    case Presence::Present: return "present";
    case Presence::Absent: return "absent";
    case Presence::NoService: return "no-service";
    }
    return "?";
}

}  // namespace lpad::drivers
