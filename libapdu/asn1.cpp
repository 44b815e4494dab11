// SPDX-License-Identifier: Apache-2.0
#include "libapdu/asn1.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>

#include "libapdu/error.h"

namespace lpad::asn1 {

BitString& BitString::set(std::size_t n, bool value) {
    if (n >= bits_.size()) bits_.resize(n + 1, false);
    bits_[n] = value;
    return *this;
}

Bytes BitString::encode_content() const {
    std::size_t used = bits_.size();
    while (used > 0 && !bits_[used - 1]) --used;
    Bytes out(1 + (used + 7) / 8, 0);
    out[0] = static_cast<std::uint8_t>((8 - used % 8) % 8);
    for (std::size_t i = 0; i < used; ++i)
        if (bits_[i]) out[1 + i / 8] |= static_cast<std::uint8_t>(0x80 >> (i % 8));
    return out;
}

BitString BitString::decode_content(ByteView content) {
    if (content.empty()) fail(Errc::MalformedData, "BIT STRING has no unused-bits octet");
    unsigned unused = content[0];
    if (unused > 7 || (content.size() == 1 && unused != 0))
        fail(Errc::MalformedData, "BIT STRING has an invalid unused-bits count " + std::to_string(unused));
    if (unused && (content.back() & ((1u << unused) - 1)) != 0)
        fail(Errc::MalformedData, "BIT STRING has non-zero padding bits");
    BitString b((content.size() - 1) * 8 - unused);
    for (std::size_t i = 0; i < b.size(); ++i) b.bits_[i] = (content[1 + i / 8] >> (7 - i % 8)) & 1;
    return b;
}

bool BitString::operator==(const BitString& other) const {
    std::size_t n = std::max(size(), other.size());
    for (std::size_t i = 0; i < n; ++i)
        if (test(i) != other.test(i)) return false;
    return true;
}

std::string version_string(ByteView v) {
    if (v.size() != 3) fail(Errc::MalformedData, "VersionType must be 3 bytes, got " + std::to_string(v.size()));
    return std::to_string(v[0]) + "." + std::to_string(v[1]) + "." + std::to_string(v[2]);
}

Bytes version_bytes(std::string_view text) {
    Bytes out;
    std::size_t pos = 0;
    for (int i = 0; i < 3; ++i) {
        std::size_t end = text.find('.', pos);
        if (i < 2 && end == std::string_view::npos) break;
        std::string_view part = text.substr(pos, (i < 2 ? end : text.size()) - pos);
        unsigned value = 0;
        auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
        if (ec != std::errc() || p != part.data() + part.size() || part.empty() || value > 255) break;
        out.push_back(static_cast<std::uint8_t>(value));
        pos = end + 1;
    }
    if (out.size() != 3) fail(Errc::InvalidArgument, "version must look like 2.2.0, got '" + std::string(text) + "'");
    return out;
}

bool is_valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 99;
        if (n == 99 || i + n >= s.size() + (n == 0 ? 1 : 0)) return false;
        std::uint32_t cp = n == 0 ? c : c & (0x3F >> n);
        for (std::size_t k = 1; k <= n; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Reject overlong forms, surrogates and code points past U+10FFFF.
        static const std::uint32_t min_cp[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += n + 1;
    }
    return true;
}

std::string utf8(ByteView content, std::size_t max_bytes, std::string_view field) {
    if (content.size() > max_bytes)
        fail(Errc::MalformedData, std::string(field) + " is " + std::to_string(content.size()) + " bytes, more than " +
                                      std::to_string(max_bytes));
    std::string s = to_string(content);
    if (!is_valid_utf8(s)) fail(Errc::MalformedData, std::string(field) + " is not valid UTF-8");
    return s;
}

std::string oid_string(ByteView v) {
    if (v.empty()) fail(Errc::MalformedData, "OBJECT IDENTIFIER is empty");
    std::string out;
    std::uint64_t acc = 0;
    bool first = true;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (acc == 0 && v[i] == 0x80) fail(Errc::MalformedData, "OBJECT IDENTIFIER has a non-minimal sub-identifier");
        if (acc > (std::numeric_limits<std::uint64_t>::max() >> 7))
            fail(Errc::MalformedData, "OBJECT IDENTIFIER sub-identifier too large");
        acc = (acc << 7) | (v[i] & 0x7F);
        if (v[i] & 0x80) {
            if (i + 1 == v.size()) fail(Errc::MalformedData, "OBJECT IDENTIFIER ends inside a sub-identifier");
            continue;
        }
        if (first) {  // X.690 §8.19.4: the first sub-identifier packs the first two arcs
            std::uint64_t a = acc < 40 ? 0 : acc < 80 ? 1 : 2;
            out = std::to_string(a) + "." + std::to_string(acc - 40 * a);
            first = false;
        } else {
            out += "." + std::to_string(acc);
        }
        acc = 0;
    }
    return out;
}

Bytes oid_content(std::string_view dotted) {
    auto bad = [&] { fail(Errc::InvalidArgument, "not an OBJECT IDENTIFIER: '" + std::string(dotted) + "'"); };
    std::vector<std::uint64_t> arcs;
    std::size_t pos = 0;
    while (pos <= dotted.size()) {
        std::size_t end = std::min(dotted.find('.', pos), dotted.size());
        std::string_view part = dotted.substr(pos, end - pos);
        std::uint64_t arc = 0;
        auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), arc);
        if (part.empty() || ec != std::errc() || p != part.data() + part.size()) bad();
        arcs.push_back(arc);
        pos = end + 1;
    }
    if (arcs.size() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40) ||
        arcs[1] > std::numeric_limits<std::uint64_t>::max() - 80)
        bad();
    Bytes out;
    auto put = [&](std::uint64_t x) {
        Bytes tmp{static_cast<std::uint8_t>(x & 0x7F)};
        for (x >>= 7; x; x >>= 7) tmp.insert(tmp.begin(), static_cast<std::uint8_t>(0x80 | (x & 0x7F)));
        append(out, tmp);
    };
    put(arcs[0] * 40 + arcs[1]);
    for (std::size_t i = 2; i < arcs.size(); ++i) put(arcs[i]);
    return out;
}

}  // namespace lpad::asn1
