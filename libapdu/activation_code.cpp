// SPDX-License-Identifier: Apache-2.0
#include "libapdu/activation_code.h"

#include <algorithm>
#include <vector>

#include "libapdu/error.h"

namespace lpad {

namespace {

constexpr std::size_t kMaxMatchingId = 255;
constexpr std::size_t kMaxHost = 253;  // RFC 1035 §2.3.4, without the trailing dot
constexpr std::size_t kMaxLabel = 63;
constexpr std::size_t kMaxOid = 255;

[[noreturn]] void invalid(const std::string& what) { fail(Errc::InvalidArgument, "activation code: " + what); }

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (std::size_t start = 0;;) {
        std::size_t end = s.find(sep, start);
        out.push_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) return out;
        start = end + 1;
    }
}

bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

// Decimal without leading zeros, value <= max.
bool is_number(std::string_view s, unsigned long max) {
    if (!all_digits(s) || s.size() > 10 || (s.size() > 1 && s[0] == '0')) return false;
    return std::stoul(std::string(s)) <= max;
}

bool is_ipv4(std::string_view host) {
    auto parts = split(host, '.');
    return parts.size() == 4 && std::all_of(parts.begin(), parts.end(), [](auto p) { return is_number(p, 255); });
}

// RFC 1123 host name: dot-separated labels of [a-z0-9-], 1..63 long, not starting or ending with '-'.
bool is_dns_name(std::string_view host) {
    if (host.empty() || host.size() > kMaxHost) return false;
    auto labels = split(host, '.');
    for (auto l : labels) {
        if (l.empty() || l.size() > kMaxLabel || l.front() == '-' || l.back() == '-') return false;
        if (!std::all_of(l.begin(), l.end(), [](char c) { return is_lower_alnum(c) || c == '-'; })) return false;
    }
    // An all-numeric last label would be a malformed IPv4 address, not a name.
    return !all_digits(labels.back());
}

std::string parse_address(std::string_view field) {
    if (field.empty()) invalid("SM-DP+ address is empty");
    std::string address;
    std::transform(field.begin(), field.end(), std::back_inserter(address), to_lower);
    std::string_view host = address;
    if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
        if (!is_number(host.substr(colon + 1), 65535) || host.substr(colon + 1) == "0")
            invalid("SM-DP+ address has an invalid port");
        host = host.substr(0, colon);
    }
    if (!is_ipv4(host) && !is_dns_name(host))
        invalid("SM-DP+ address is not a host name or IPv4 address with an optional port");
    return address;
}

void check_matching_id(std::string_view field) {
    // Empty is allowed: the SM-DP+ then looks the order up by EID.
    if (field.size() > kMaxMatchingId)
        invalid("matching ID is longer than " + std::to_string(kMaxMatchingId) + " characters");
    // SGP.22 §4.1: upper-case alphanumerics and '-'. Lower case is tolerated; the value is passed on unchanged.
    auto ok = [](char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '-'; };
    if (!std::all_of(field.begin(), field.end(), ok))
        invalid("matching ID contains a character other than 0-9, A-Z, a-z and '-'");
}

// Dotted decimal object identifier (ITU-T X.660): at least two arcs, the first 0..2, no empty arcs or leading zeros.
bool is_oid(std::string_view s) {
    if (s.size() > kMaxOid) return false;
    auto arcs = split(s, '.');
    if (arcs.size() < 2 || !is_number(arcs[0], 2)) return false;
    return std::all_of(arcs.begin() + 1, arcs.end(), [](auto a) {
        return all_digits(a) && (a.size() == 1 || a[0] != '0');
    });
}

}  // namespace

std::string ActivationCode::parse_address(std::string_view address) { return lpad::parse_address(address); }

ActivationCode ActivationCode::parse(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    if (text.size() >= 4 && to_lower(text[0]) == 'l' && to_lower(text[1]) == 'p' && to_lower(text[2]) == 'a' &&
        text[3] == ':')
        text.remove_prefix(4);
    if (text.empty()) invalid("empty");

    auto fields = split(text, '$');
    static const char* const kNames[] = {"format", "SM-DP+ address", "matching ID", "SM-DP+ OID",
                                         "confirmation code flag"};
    for (std::size_t i = 0; i < fields.size() && i < 5; ++i) {
        for (char c : fields[i]) {
            auto u = static_cast<unsigned char>(c);
            if (u < 0x21 || u > 0x7E)
                invalid(std::string(kNames[i]) + " contains a space, control or non-ASCII character");
        }
    }
    if (fields[0] != "1") invalid("format must be 1 (only SGP.22 activation code format 1 is supported)");
    if (fields.size() < 3) invalid("needs at least format, SM-DP+ address and matching ID separated by '$'");
    if (fields.size() > 5)
        invalid("has " + std::to_string(fields.size()) + " fields, SGP.22 v2 defines at most 5");

    ActivationCode ac;
    ac.smdp_address = parse_address(fields[1]);
    check_matching_id(fields[2]);
    ac.matching_id = std::string(fields[2]);
    if (fields.size() >= 4 && !fields[3].empty()) {
        if (!is_oid(fields[3])) invalid("SM-DP+ OID is not a dotted decimal object identifier");
        ac.smdp_oid = std::string(fields[3]);
    }
    if (fields.size() == 5) {
        if (fields[4] != "1") invalid("confirmation code flag must be 1 when present");
        ac.confirmation_code_required = true;
    }
    return ac;
}

std::string ActivationCode::format() const {
    std::string out = "LPA:1$" + smdp_address + "$" + matching_id;
    if (smdp_oid || confirmation_code_required) out += "$" + smdp_oid.value_or("");
    if (confirmation_code_required) out += "$1";
    return out;
}

}  // namespace lpad
