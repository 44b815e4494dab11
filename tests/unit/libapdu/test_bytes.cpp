// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <string>

#include "libapdu/bytes.h"
#include "libapdu/error.h"
#include "unit/test_support.h"

using namespace lpad;
using namespace lpad::test;

TEST_CASE("bytes: hex both ways") {
    struct Case {
        Bytes bytes;
        const char* lower;
        const char* upper;
    };
    const Case cases[] = {
        {{}, "", ""},
        {{0x00}, "00", "00"},
        {{0xBF, 0x2D, 0x00}, "bf2d00", "BF2D00"},
        {{0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF}, "0123456789abcdef", "0123456789ABCDEF"},
        {{0xFF, 0xFE, 0x0A}, "fffe0a", "FFFE0A"},
    };
    for (const auto& c : cases) {
        INFO(std::string(c.lower));
        CHECK(to_hex(c.bytes) == c.lower);
        CHECK(to_hex(c.bytes, true) == c.upper);
        CHECK(from_hex(c.lower) == c.bytes);
        CHECK(from_hex(c.upper) == c.bytes);
    }
    CHECK(from_hex("aBcD") == Bytes{0xAB, 0xCD});
}

TEST_CASE("bytes: malformed hex") {
    for (const char* bad : {"0", "abc", "0g", "g0", "00 11", "0x00", "-1", "\xC3\xA4"}) {
        INFO(std::string(bad));
        CHECK(code_of([&] { from_hex(bad); }) == Errc::MalformedData);
    }
}

TEST_CASE("bytes: base64 RFC 4648 §10 vectors") {
    struct Case {
        const char* text;
        const char* b64;
    };
    const Case cases[] = {
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto& c : cases) {
        INFO(std::string(c.text));
        CHECK(base64_encode(as_bytes(c.text)) == c.b64);
        CHECK(to_string(base64_decode(c.b64)) == c.text);
    }
    const Bytes all_values = [] {
        Bytes b;
        for (int i = 0; i < 256; ++i) b.push_back(static_cast<std::uint8_t>(i));
        return b;
    }();
    CHECK(base64_decode(base64_encode(all_values)) == all_values);
    CHECK(base64_encode(Bytes{0xFB, 0xFF}) == "+/8=");  // the two non-alphanumeric symbols
}

TEST_CASE("bytes: base64 decoding is strict but skips line breaks") {
    CHECK(to_string(base64_decode("Zm9v\r\nYmFy")) == "foobar");
    CHECK(to_string(base64_decode(" Zm9v YmFy\n")) == "foobar");
    struct Case {
        const char* name;
        const char* b64;
    };
    const Case cases[] = {
        {"missing padding", "Zg"},       {"short padding", "Zg="},          {"illegal character", "Zm9v!A=="},
        {"URL-safe alphabet", "-_8="},   {"padding in the middle", "Zg==Zg=="}, {"only padding", "===="},
        {"three pads", "Z==="},          {"non-zero bits under padding", "Zh=="}, {"non-zero bits, one pad", "Zm9="},
    };
    for (const auto& c : cases) {
        INFO(std::string(c.name));
        CHECK(code_of([&] { base64_decode(c.b64); }) == Errc::MalformedData);
    }
}

TEST_CASE("bytes: concat, append, equal") {
    const Bytes a{1, 2};
    const Bytes b{3};
    CHECK(concat(a, b, a) == Bytes{1, 2, 3, 1, 2});
    Bytes c;
    append(c, a);
    append(c, Bytes{});
    CHECK(equal(c, a));
    CHECK_FALSE(equal(a, b));
    CHECK_FALSE(equal(Bytes{1, 2}, Bytes{1, 3}));
    CHECK(to_string(as_bytes("LPA")) == "LPA");
}
