// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <string>

#include "libapdu/error.h"
#include "libapdu/identifiers.h"
#include "unit/test_support.h"

using namespace lpad;
using namespace lpad::test;

TEST_CASE("ids: ICCID BCD of 18, 19 and 20 digits") {
    struct Case {
        const char* name;
        const char* digits;
        const char* bcd_hex;  // as stored on the card (ProfileInfo tag 5A)
        bool luhn;
    };
    const Case cases[] = {
        {"19 digits, UK operator style", "8944476500001224158", "984474560000214251f8", true},
        {"20 digits, TS.48 test profile", "89000123456789012341", "98001032547698103214", true},
        {"20 digits, US operator style", "89014103211118510720", "98101430121181157002", true},
        {"18 digits", "894450000000123456", "984405000000214365ff", true},
        {"19 digits, bad check digit", "8949020000000000001", "989420000000000000f1", false},
    };
    for (const auto& c : cases) {
        INFO(std::string(c.name));
        std::string hex;
        for (const char* p = c.bcd_hex; *p; ++p)
            if (*p != ' ') hex.push_back(*p);
        CHECK(iccid_from_bcd(from_hex(hex)) == c.digits);
        CHECK(to_hex(iccid_to_bcd(c.digits)) == hex);
        CHECK(is_valid_iccid_luhn(c.digits) == c.luhn);
    }
}

TEST_CASE("ids: malformed ICCIDs") {
    struct Case {
        const char* name;
        const char* bcd_hex;
    };
    const Case cases[] = {
        {"9 bytes", "984474560000214251"},
        {"11 bytes", "984474560000214251f8ff"},
        {"hex digit A inside", "9844745600002142a1f8"},
        {"digit after padding", "9844745600002142f1f8"},
        {"padding then digit in the same byte", "9844745600002142511f"},
        {"all padding", "ffffffffffffffffffff"},
    };
    for (const auto& c : cases) {
        INFO(std::string(c.name));
        std::string hex;
        for (const char* p = c.bcd_hex; *p; ++p)
            if (*p != ' ') hex.push_back(*p);
        const Bytes bcd = from_hex(hex);
        CHECK(code_of([&] { iccid_from_bcd(bcd); }) == Errc::MalformedData);
    }
    for (const char* bad :
         {"", "89444765000012241", "894447650000122415812", "894447650000122415A", "89444765 0000122415"}) {
        INFO(std::string(bad));
        CHECK(code_of([&] { iccid_to_bcd(bad); }) == Errc::InvalidArgument);
    }
    CHECK_FALSE(is_valid_iccid_luhn("89A"));
    CHECK_FALSE(is_valid_iccid_luhn(""));
}

TEST_CASE("ids: EID is plain BCD with MOD 97 check digits") {
    struct Case {
        const char* eid;
        bool check_ok;
    };
    const Case cases[] = {
        {"89049032123451234512345678901235", true},   // SGP.26 test eUICC
        {"89049032123451234512345678901335", false},  // one digit changed
        {"89049032123451234512345678901253", false},  // check digits swapped
        {"89001012012341234012345678901224", true},
    };
    for (const auto& c : cases) {
        INFO(std::string(c.eid));
        Bytes bcd = eid_from_string(c.eid);
        CHECK(bcd.size() == 16);
        CHECK(to_hex(bcd) == c.eid);  // not nibble-swapped: the hex is the number
        CHECK(eid_to_string(bcd) == c.eid);
        CHECK(eid_check_digits_ok(c.eid) == c.check_ok);
    }
    CHECK(code_of([] { eid_to_string(from_hex("89049032123451234512345678901a35")); }) == Errc::MalformedData);
    CHECK(code_of([] { eid_to_string(from_hex("890490321234512345123456789012")); }) == Errc::MalformedData);
    CHECK(code_of([] { eid_from_string("8904903212345123451234567890123"); }) == Errc::InvalidArgument);
    CHECK(code_of([] { eid_from_string("8904903212345123451234567890123x"); }) == Errc::InvalidArgument);
    CHECK_FALSE(eid_check_digits_ok("8904903212345123451234567890123"));
}

TEST_CASE("ids: AIDs") {
    CHECK(to_hex(aid_from_hex("A0000005591010FFFFFFFF8900000100")) == "a0000005591010ffffffff8900000100");
    CHECK(aid_from_hex("a000000559").size() == 5);
    CHECK(code_of([] { aid_from_hex("a0000005"); }) == Errc::InvalidArgument);
    CHECK(code_of([] { aid_from_hex("a0000005591010ffffffff890000010000"); }) == Errc::InvalidArgument);
    CHECK(code_of([] { aid_from_hex("a00000055g"); }) == Errc::InvalidArgument);
    CHECK(is_valid_aid(Bytes(16, 1)));
    CHECK_FALSE(is_valid_aid(Bytes(4, 1)));
}
