// SPDX-License-Identifier: Apache-2.0
// Small ASN.1 value helpers on top of tlv.h: BIT STRING with named bits, VersionType, UTF8String checks.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "libapdu/bytes.h"

namespace lpad::asn1 {

// BIT STRING (X.690 §8.6). Bit n is ASN.1 named bit n: bit 0 is the most significant bit of the first content byte.
class BitString {
public:
    BitString() = default;
    explicit BitString(std::size_t size) : bits_(size, false) {}

    std::size_t size() const { return bits_.size(); }
    bool test(std::size_t n) const { return n < bits_.size() && bits_[n]; }
    BitString& set(std::size_t n, bool value = true);

    // DER content octets: unused-bits byte, then the bits with trailing zero bits removed (X.690 §11.2.2, for
    // BIT STRINGs with named bits).
    Bytes encode_content() const;
    // Content octets of any valid BER/DER encoding; throws Error(MalformedData) on a bad unused-bits count or
    // non-zero padding bits.
    static BitString decode_content(ByteView content);

    bool operator==(const BitString& other) const;

private:
    std::vector<bool> bits_;
};

// VersionType (SGP.22: OCTET STRING (SIZE(3)), major/minor/revision) as "2.2.0"; throws unless exactly 3 bytes.
std::string version_string(ByteView version);
// "2.2.0" -> 3 bytes; throws Error(InvalidArgument).
Bytes version_bytes(std::string_view text);

// UTF8String content: throws Error(MalformedData) unless valid UTF-8 of at most max_bytes bytes.
std::string utf8(ByteView content, std::size_t max_bytes, std::string_view field);
bool is_valid_utf8(std::string_view s);

// OBJECT IDENTIFIER content octets (X.690 §8.19) -> dotted text "1.3.6.1.4.1.31746"; throws Error(MalformedData)
// for empty content, a non-minimal or unterminated sub-identifier, or one past 64 bits.
std::string oid_string(ByteView content);
// Dotted text -> content octets; throws Error(InvalidArgument) unless it is an OID (two arcs or more, first 0..2,
// second below 40 unless the first is 2).
Bytes oid_content(std::string_view dotted);

}  // namespace lpad::asn1
