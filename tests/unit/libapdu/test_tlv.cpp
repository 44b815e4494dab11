// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "libapdu/error.h"
#include "libapdu/tlv.h"
#include "unit/test_support.h"

using namespace lpad;
using namespace lpad::test;
using namespace lpad::tlv;

namespace {

// Walks every constructed element recursively; returns the number of elements seen.
std::size_t walk(const Element& e) {
    std::size_t n = 1;
    if (e.constructed())
        for (auto& c : e.children()) n += walk(c);
    return n;
}

}  // namespace

TEST_CASE("tlv: multi-byte tags and long lengths round-trip") {
    struct Case {
        Tag tag;
        std::size_t length;
        const char* header_hex;
    };
    const Case cases[] = {
        {0x80, 0, "8000"},        {0x5A, 10, "5a0a"},          {0x5F20, 127, "5f207f"},
        {0xBF2D, 128, "bf2d8180"}, {0xBF37, 255, "bf3781ff"},   {0xBF36, 256, "bf36820100"},
        {0x7F21, 70000, "7f2183011170"}, {0x9F7F, 1, "9f7f01"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.header_hex);
        Bytes value(c.length, 0xAB);
        Bytes encoded = make(c.tag, value);
        CHECK(to_hex(ByteView(encoded).first(std::string(c.header_hex).size() / 2)) == c.header_hex);
        Element e = parse_one(encoded);
        CHECK(e.tag == c.tag);
        CHECK(e.value.size() == c.length);
        CHECK(e.raw.size() == encoded.size());
    }
}

TEST_CASE("tlv: strict DER rejects what BER allows") {
    struct Case {
        const char* name;
        const char* hex;
        bool ber_ok;
    };
    const Case cases[] = {
        {"non-minimal long length", "8081050102030405", true},
        {"non-minimal 2-byte length", "80820005 0102030405", true},
        {"long-form tag for a low number", "9f0501aa", true},
        {"indefinite length", "a0800000", false},
        {"5-byte length", "80850000000001aa", false},
        {"length past the end", "5a0a0102", false},
        {"truncated tag", "bf", false},
        {"truncated length", "bf2d82", false},
        {"tag with leading zero group", "bf800101aa", false},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        std::string hex = c.hex;
        std::erase(hex, ' ');
        Bytes data = from_hex(hex);
        CHECK_THROWS_AS(parse_one(data, Mode::Der), Error);
        if (c.ber_ok) CHECK_NOTHROW(parse_one(data, Mode::Ber));
        else CHECK_THROWS_AS(parse_one(data, Mode::Ber), Error);
    }
}

TEST_CASE("tlv: errors name the tag and offset") {
    const Bytes good = from_hex("bf2d03800100");
    CHECK(parse_one(good).children().size() == 1);
    // The inner 5A claims 10 bytes inside a 4-byte container.
    Bytes bad = from_hex("bf2d045a0a0102");
    try {
        Element e = parse_one(bad);
        (void)e.children();
        FAIL("expected an error");
    } catch (const Error& err) {
        CHECK(err.code() == Errc::MalformedData);
        CHECK(std::string(err.what()).find("5A") != std::string::npos);
        CHECK(std::string(err.what()).find("offset 3") != std::string::npos);
    }
}

TEST_CASE("tlv: reader expect/optional/find/expect_end") {
    const Bytes data = from_hex("800101810102820103");
    Reader r(data);
    CHECK(r.expect(0x80).value[0] == 1);
    CHECK_FALSE(r.optional(0x83));
    CHECK(r.optional(0x81)->value[0] == 2);
    CHECK_THROWS_AS(r.expect_end(), Error);
    CHECK(r.find(0x82)->value[0] == 3);
    CHECK(r.at_end());
    CHECK_NOTHROW(r.expect_end());
    CHECK_THROWS_AS(r.next(), Error);
}

TEST_CASE("tlv: writer nests and computes long lengths") {
    Writer w;
    w.begin(0xBF2D).begin(0xA0);
    for (int i = 0; i < 40; ++i) w.add(0x5A, from_hex("98001032547698103214"));
    w.end().add_uint(0x80, 300).add_bool(0x81, true).end();
    Bytes out = w.take();
    Element root = parse_one(out);
    CHECK(root.tag == 0xBF2D);
    auto kids = root.children();
    REQUIRE(kids.size() == 3);
    CHECK(kids[0].children().size() == 40);
    CHECK(decode_uint(kids[1]) == 300);
    CHECK(decode_bool(kids[2]));
    CHECK_THROWS_AS(Writer().end(), Error);
}

TEST_CASE("tlv: INTEGER encodings are minimal") {
    struct Case {
        std::int64_t v;
        const char* hex;
    };
    const Case cases[] = {{0, "00"}, {1, "01"}, {127, "7f"}, {128, "0080"}, {255, "00ff"}, {256, "0100"},
                          {-1, "ff"}, {-128, "80"}, {-129, "ff7f"}, {65535, "00ffff"}};
    for (const auto& c : cases) {
        CAPTURE(c.v);
        CHECK(to_hex(encode_int(c.v)) == c.hex);
        CHECK(decode_int(parse_one(make(0x02, encode_int(c.v)))) == c.v);
    }
    CHECK(to_hex(encode_uint(0xFFFFFFFFFFFFFFFFull)) == "00ffffffffffffffff");
    CHECK(decode_uint(parse_one(from_hex("020900ffffffffffffffff"))) == 0xFFFFFFFFFFFFFFFFull);
    CHECK_THROWS_AS(decode_int(parse_one(from_hex("02020001"))), Error);  // not minimal
    CHECK_THROWS_AS(decode_int(parse_one(from_hex("0200"))), Error);      // empty
    CHECK_THROWS_AS(decode_uint(parse_one(from_hex("0201ff"))), Error);   // negative
}

TEST_CASE("tlv: every TS.48 profile package parses completely") {
    const std::filesystem::path dir = std::filesystem::path(LPAD_TEST_DATA) / "upp";
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".der") continue;
        CAPTURE(entry.path().filename().string());
        Bytes data = read_file(entry.path());
        REQUIRE(data.size() > 10000);
        // A profile package is a sequence of ProfileElement TLVs (PE_Definitions: ProfileElement CHOICE).
        auto elements = parse_all(data, Mode::Ber);
        CHECK(elements.size() > 10);
        std::size_t consumed = 0, total = 0;
        for (auto& e : elements) {
            consumed += e.raw.size();
            total += walk(e);
        }
        CHECK(consumed == data.size());
        CHECK(total > elements.size());
        // The first element is the ProfileHeader ([0] constructed, tag A0).
        CHECK(elements.front().tag == 0xA0);
        ++files;
    }
    CHECK(files == 6);
}
