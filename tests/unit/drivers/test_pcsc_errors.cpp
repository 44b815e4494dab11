// SPDX-License-Identifier: Apache-2.0
// The PC/SC error table (drivers/pcsc/pcsc_errors.h) against pcsc-lite's own header: every name must be the macro
// with that value, and the codes a user meets most must map to the right Errc and carry a hint.
#ifdef LPAD_HAVE_PCSC
#include <PCSC/pcsclite.h>
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "drivers/pcsc/pcsc_errors.h"

using lpad::Errc;
using lpad::Error;
using namespace lpad::pcsc;

#define PCSC_CODE(macro) {static_cast<std::uint32_t>(macro), #macro}

TEST_CASE("pcsc: error table names match pcsclite.h macros") {
    struct Macro {
        std::uint32_t value;
        const char* name;
    };
    // Written out from the header; SCARD_E_UNEXPECTED shares 0x8010001F with SCARD_E_UNSUPPORTED_FEATURE.
    const Macro macros[] = {
        PCSC_CODE(SCARD_F_INTERNAL_ERROR),     PCSC_CODE(SCARD_E_CANCELLED),
        PCSC_CODE(SCARD_E_INVALID_HANDLE),     PCSC_CODE(SCARD_E_INVALID_PARAMETER),
        PCSC_CODE(SCARD_E_NO_MEMORY),          PCSC_CODE(SCARD_E_INSUFFICIENT_BUFFER),
        PCSC_CODE(SCARD_E_UNKNOWN_READER),     PCSC_CODE(SCARD_E_TIMEOUT),
        PCSC_CODE(SCARD_E_SHARING_VIOLATION),  PCSC_CODE(SCARD_E_NO_SMARTCARD),
        PCSC_CODE(SCARD_E_PROTO_MISMATCH),     PCSC_CODE(SCARD_E_NOT_READY),
        PCSC_CODE(SCARD_E_INVALID_VALUE),      PCSC_CODE(SCARD_E_SYSTEM_CANCELLED),
        PCSC_CODE(SCARD_F_COMM_ERROR),         PCSC_CODE(SCARD_F_UNKNOWN_ERROR),
        PCSC_CODE(SCARD_E_NOT_TRANSACTED),     PCSC_CODE(SCARD_E_READER_UNAVAILABLE),
        PCSC_CODE(SCARD_P_SHUTDOWN),           PCSC_CODE(SCARD_E_CARD_UNSUPPORTED),
        PCSC_CODE(SCARD_E_NO_SERVICE),         PCSC_CODE(SCARD_E_SERVICE_STOPPED),
        PCSC_CODE(SCARD_E_UNSUPPORTED_FEATURE), PCSC_CODE(SCARD_E_NO_READERS_AVAILABLE),
        PCSC_CODE(SCARD_E_COMM_DATA_LOST),     PCSC_CODE(SCARD_E_SERVER_TOO_BUSY),
        PCSC_CODE(SCARD_W_UNSUPPORTED_CARD),   PCSC_CODE(SCARD_W_UNRESPONSIVE_CARD),
        PCSC_CODE(SCARD_W_UNPOWERED_CARD),     PCSC_CODE(SCARD_W_RESET_CARD),
        PCSC_CODE(SCARD_W_REMOVED_CARD),       PCSC_CODE(SCARD_W_SECURITY_VIOLATION),
    };
    std::set<std::uint32_t> seen;
    for (const auto& m : macros) {
        CAPTURE(m.name);
        const PcscErrorInfo* e = find_pcsc_error(m.value);
        REQUIRE(e != nullptr);
        CHECK(e->name == m.name);
        seen.insert(m.value);
    }
    // ...and the table has nothing the list above does not check, and no duplicate codes.
    std::set<std::uint32_t> table_codes;
    for (const auto& e : pcsc_error_table()) {
        CAPTURE(e.name);
        CHECK(seen.count(e.code) == 1);
        CHECK(table_codes.insert(e.code).second);
    }
    CHECK(find_pcsc_error(static_cast<std::uint32_t>(SCARD_S_SUCCESS)) == nullptr);
}

TEST_CASE("pcsc: conditions a user meets map to the right error code with a hint") {
    struct Case {
        std::uint32_t code;
        Errc errc;
        const char* hex;
        const char* hint_word;  // a word the hint must contain
    };
    const Case cases[] = {
        {static_cast<std::uint32_t>(SCARD_E_NO_READERS_AVAILABLE), Errc::Unavailable, "0x8010002E", "pcscd running"},
        {static_cast<std::uint32_t>(SCARD_E_NO_SERVICE), Errc::Unavailable, "0x8010001D", "not running"},
        {static_cast<std::uint32_t>(SCARD_W_REMOVED_CARD), Errc::Unavailable, "0x80100069", "removed"},
        {static_cast<std::uint32_t>(SCARD_W_RESET_CARD), Errc::Unavailable, "0x80100068", "reset"},
        {static_cast<std::uint32_t>(SCARD_E_NO_SMARTCARD), Errc::Unavailable, "0x8010000C", "insert"},
        {static_cast<std::uint32_t>(SCARD_E_READER_UNAVAILABLE), Errc::Unavailable, "0x80100017", "unplugged"},
        {static_cast<std::uint32_t>(SCARD_E_PROTO_MISMATCH), Errc::TransportError, "0x8010000F", "T=0"},
        {static_cast<std::uint32_t>(SCARD_E_NOT_TRANSACTED), Errc::TransportError, "0x80100016", "removed"},
        {static_cast<std::uint32_t>(SCARD_E_SHARING_VIOLATION), Errc::Busy, "0x8010000B", "exclusively"},
        {static_cast<std::uint32_t>(SCARD_E_TIMEOUT), Errc::Timeout, "0x8010000A", ""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.hex);
        CHECK(pcsc_errc(c.code) == c.errc);
        const std::string text = describe_pcsc_error(c.code, "pcsc: connect");
        CHECK(text.rfind("pcsc: connect: SCARD_", 0) == 0);
        CHECK(text.find(c.hex) != std::string::npos);
        CHECK(text.find(c.hint_word) != std::string::npos);
        try {
            throw_pcsc_error(c.code, "pcsc: connect");
            FAIL("throw_pcsc_error returned");
        } catch (const Error& e) {
            CHECK(e.code() == c.errc);
            CHECK(std::string(e.what()) == text);
        }
    }
}

TEST_CASE("pcsc: an unknown code is a TransportError showing its hex value") {
    CHECK(pcsc_errc(0x80100999u) == Errc::TransportError);
    CHECK(pcsc_error_name(0x80100999u) == "PC/SC error 0x80100999");
    CHECK(describe_pcsc_error(0x80100999u, "x") == "x: PC/SC error 0x80100999");
}
#endif  // LPAD_HAVE_PCSC
