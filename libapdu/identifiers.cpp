// SPDX-License-Identifier: Apache-2.0
#include "libapdu/identifiers.h"

#include <algorithm>

#include "libapdu/error.h"

namespace lpad {

namespace {

bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string iccid_from_bcd(ByteView bcd) {
    if (bcd.size() != 10) fail(Errc::MalformedData, "ICCID must be 10 bytes, got " + std::to_string(bcd.size()));
    std::string out;
    bool padding = false;
    for (std::size_t i = 0; i < bcd.size() * 2; ++i) {
        const std::uint8_t b = bcd[i / 2];
        const unsigned nibble = (i % 2 == 0) ? (b & 0x0F) : (b >> 4);  // low nibble holds the earlier digit
        if (nibble == 0xF) {
            padding = true;
        } else if (nibble > 9) {
            fail(Errc::MalformedData, "ICCID " + to_hex(bcd) + " has a non-decimal digit at position " +
                                          std::to_string(i));
        } else if (padding) {
            fail(Errc::MalformedData, "ICCID " + to_hex(bcd) + " has a digit after F padding at position " +
                                          std::to_string(i));
        } else {
            out.push_back(static_cast<char>('0' + nibble));
        }
    }
    if (out.empty()) fail(Errc::MalformedData, "ICCID is all padding");
    return out;
}

Bytes swap_nibbles(ByteView bytes) {
    Bytes out(bytes.begin(), bytes.end());
    for (auto& b : out) b = static_cast<std::uint8_t>((b << 4) | (b >> 4));
    return out;
}

Bytes iccid_to_bcd(std::string_view digits) {
    if (digits.size() < 18 || digits.size() > 20 || !all_digits(digits))
        fail(Errc::InvalidArgument, "ICCID must be 18 to 20 decimal digits");
    Bytes out(10, 0xFF);
    for (std::size_t i = 0; i < digits.size(); ++i) {
        const auto d = static_cast<std::uint8_t>(digits[i] - '0');
        std::uint8_t& b = out[i / 2];
        b = (i % 2 == 0) ? static_cast<std::uint8_t>((b & 0xF0) | d) : static_cast<std::uint8_t>((b & 0x0F) | (d << 4));
    }
    return out;
}

bool is_valid_iccid_luhn(std::string_view digits) {
    if (digits.size() < 2 || !all_digits(digits)) return false;
    unsigned sum = 0;
    bool twice = false;  // from the right: the check digit as is, then every second digit doubled
    for (auto it = digits.rbegin(); it != digits.rend(); ++it, twice = !twice) {
        unsigned d = static_cast<unsigned>(*it - '0');
        if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
    }
    return sum % 10 == 0;
}

std::string eid_to_string(ByteView bcd) {
    if (bcd.size() != 16) fail(Errc::MalformedData, "EID must be 16 bytes, got " + std::to_string(bcd.size()));
    std::string out;
    for (std::size_t i = 0; i < bcd.size() * 2; ++i) {
        const unsigned nibble = (i % 2 == 0) ? (bcd[i / 2] >> 4) : (bcd[i / 2] & 0x0F);
        if (nibble > 9)
            fail(Errc::MalformedData, "EID " + to_hex(bcd) + " has a non-decimal digit at position " +
                                          std::to_string(i));
        out.push_back(static_cast<char>('0' + nibble));
    }
    return out;
}

Bytes eid_from_string(std::string_view digits) {
    if (digits.size() != 32 || !all_digits(digits)) fail(Errc::InvalidArgument, "EID must be 32 decimal digits");
    Bytes out(16, 0);
    for (std::size_t i = 0; i < 32; i += 2)
        out[i / 2] = static_cast<std::uint8_t>(((digits[i] - '0') << 4) | (digits[i + 1] - '0'));
    return out;
}

bool eid_check_digits_ok(std::string_view digits) {
    if (digits.size() != 32 || !all_digits(digits)) return false;
    unsigned rem = 0;
    for (char c : digits) rem = (rem * 10 + static_cast<unsigned>(c - '0')) % 97;
    return rem == 1;
}

bool is_valid_aid(ByteView aid) { return aid.size() >= 5 && aid.size() <= 16; }

Bytes aid_from_hex(std::string_view hex) {
    Bytes aid;
    try {
        aid = from_hex(hex);
    } catch (const Error& e) {
        fail(Errc::InvalidArgument, std::string("AID is not hex: ") + e.what());
    }
    if (!is_valid_aid(aid))
        fail(Errc::InvalidArgument, "AID must be 5 to 16 bytes, got " + std::to_string(aid.size()));
    return aid;
}

}  // namespace lpad
