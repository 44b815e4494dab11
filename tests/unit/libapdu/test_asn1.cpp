// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "libapdu/asn1.h"
#include "libapdu/error.h"
#include "libapdu/log.h"

using namespace lpad;
using asn1::BitString;

TEST_CASE("asn1: BIT STRING named bits encode in DER form") {
    struct Case {
        std::vector<std::size_t> set;
        const char* hex;
    };
    const Case cases[] = {
        {{}, "00"}, {{0}, "0780"}, {{1}, "0640"}, {{7}, "0001"}, {{8}, "0700 80"}, {{0, 8}, "0780 80"}, {{0, 2, 4}, "03a8"}, {{3, 9}, "0610 40"},
    };
    for (const auto& c : cases) {
        BitString b;
        for (auto n : c.set) b.set(n);
        std::string hex = c.hex;
        std::erase(hex, ' ');
        CAPTURE(hex);
        CHECK(to_hex(b.encode_content()) == hex);
        BitString back = BitString::decode_content(from_hex(hex));
        CHECK(back == b);
        for (auto n : c.set) CHECK(back.test(n));
    }
    CHECK_THROWS_AS(BitString::decode_content(from_hex("")), Error);
    CHECK_THROWS_AS(BitString::decode_content(from_hex("08ff")), Error);
    CHECK_THROWS_AS(BitString::decode_content(from_hex("01")), Error);
    CHECK_THROWS_AS(BitString::decode_content(from_hex("0781")), Error);  // padding bit set
    // BER with unused trailing zero bits still decodes.
    CHECK(BitString::decode_content(from_hex("0080")).test(0));
}

TEST_CASE("asn1: VersionType") {
    CHECK(asn1::version_string(from_hex("020200")) == "2.2.0");
    CHECK(to_hex(asn1::version_bytes("2.3.1")) == "020301");
    CHECK_THROWS_AS(asn1::version_string(from_hex("0202")), Error);
    for (auto bad : {"2.2", "2.2.256", "a.b.c", "2..1", "2.2.0.1", ""}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(asn1::version_bytes(bad), Error);
    }
}

TEST_CASE("asn1: UTF-8 validation") {
    struct Case {
        const char* s;
        bool ok;
    };
    const Case cases[] = {{"plain", true},        {"caf\xc3\xa9", true},         {"\xe2\x82\xac", true},
                          {"\xf0\x9f\x93\xb6", true}, {"\xc3", false},             {"\xc0\xaf", false},
                          {"\xed\xa0\x80", false},    {"\xf4\x90\x80\x80", false}, {"\xff", false}, {"a\x80", false}};
    for (const auto& c : cases) {
        CAPTURE(c.s);
        CHECK(asn1::is_valid_utf8(c.s) == c.ok);
    }
    CHECK(asn1::utf8(as_bytes("hello"), 64, "nickname") == "hello");
    CHECK_THROWS_AS(asn1::utf8(as_bytes(std::string(65, 'x')), 64, "nickname"), Error);
}

TEST_CASE("log: threshold, sink and redaction") {
    std::vector<std::string> seen;
    log::set_sink([&](log::Level, std::string_view, std::string_view m) { seen.emplace_back(m); }, log::Level::Info);
    log::info("t", "shown");
    log::debug("t", "hidden");
    CHECK(seen == std::vector<std::string>{"shown"});
    log::set_sink(nullptr, log::Level::Trace);
    log::error("t", "dropped without a sink");
    CHECK(seen.size() == 1);
    CHECK(log::redact("MATCHING-ID-12345") == "MA…(17)");
    CHECK(log::redact("1234") == "…(4)");
    CHECK(log::parse_level("debug") == log::Level::Debug);
    CHECK_THROWS_AS(log::parse_level("verbose"), Error);
}

TEST_CASE("asn1: OBJECT IDENTIFIER dotted text <-> content octets (X.690 §8.19)") {
    struct Case {
        const char* dotted;
        const char* content;
    };
    // 1.3.6.1.4.1.31746 is the GSMA test SM-DP+ OID of SGP.26; 2.999.3 packs 2*40+999 into two octets.
    const Case cases[] = {{"1.3.6.1.4.1.31746", "2b0601040181f802"}, {"2.999.3", "883703"},
                          {"0.39", "27"},                            {"1.2.840.10045.3.1.7", "2a8648ce3d030107"}};
    for (const auto& c : cases) {
        CAPTURE(c.dotted);
        CHECK(lpad::to_hex(lpad::asn1::oid_content(c.dotted)) == c.content);
        CHECK(lpad::asn1::oid_string(lpad::from_hex(c.content)) == c.dotted);
    }
    for (const char* bad : {"", "1", "3.1", "1.40", "1..2", "1.2.", "a.b", "1.-2"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(lpad::asn1::oid_content(bad), lpad::Error);
    }
    // Empty, non-minimal (leading 80) and unterminated sub-identifiers.
    for (const char* bad : {"", "2b80", "2b86"}) {
        CAPTURE(bad);
        try {
            (void)lpad::asn1::oid_string(lpad::from_hex(bad));
            FAIL("decoded");
        } catch (const lpad::Error& e) {
            CHECK(e.code() == lpad::Errc::MalformedData);
        }
    }
}
