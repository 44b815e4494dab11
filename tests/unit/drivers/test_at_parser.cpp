// SPDX-License-Identifier: Apache-2.0
// The AT response parser (drivers/at/at_parser.h): every answer form seen in the field, each case named after the
// modem family it comes from, fed line by line through the same ReplyAssembler the driver uses.
#ifdef LPAD_HAVE_AT
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "drivers/at/at_parser.h"
#include "tests/unit/test_support.h"

using namespace lpad;
using namespace lpad::at;
using lpad::test::hex;

namespace {

// The wire bytes of an answer through the LineSplitter, then the assembler.
Reply assemble(const std::string& wire, const std::string& command, const std::string& prefix, bool bare = false,
               bool needs_info = true) {
    LineSplitter split;
    split.append(wire);
    ReplyAssembler a(command, prefix, bare, needs_info);
    while (auto line = split.next())
        if (a.feed(*line)) break;
    return a.reply();
}

}  // namespace

TEST_CASE("at: +CSIM/+CGLA answers in every dialect") {
    const std::string cmd = csim_command(hex("80E2910003BF2000"));
    struct Case {
        const char* modem;
        std::string wire;
        const char* prefix;
        Bytes want;
    };
    const Case cases[] = {
        {"quectel_ec25 (space, quoted, upper)", "\r\n+CSIM: 8,\"E3009000\"\r\n\r\nOK\r\n", "+CSIM:", hex("E3009000")},
        {"simcom_sim7600 (no space)", "\r\n+CSIM:4,\"9000\"\r\nOK\r\n", "+CSIM:", hex("9000")},
        {"fibocom_l850 (cgla, unquoted lower case)", "\r\n+CGLA:8,a1b29000\r\nOK\r\n", "+CGLA:", hex("A1B29000")},
        {"telit_ln940 (lower-case prefix)", "\r\n+cgla: 4,\"6a82\"\r\nOK\r\n", "+CGLA:", hex("6A82")},
        {"sierra_em7455 (echo left on)", cmd + "\r\r\n+CSIM: 4,\"9000\"\r\n\r\nOK\r\n", "+CSIM:", hex("9000")},
        {"quectel_rm500q (URC before and inside)",
         "\r\n+QIND: \"csq\",20,99\r\n\r\n+CSIM: 4,\"6110\"\r\n\r\n+CREG: 1\r\n\r\nOK\r\n", "+CSIM:", hex("6110")},
        {"huawei_me909 (RING and ^RSSI inside)", "\r\nRING\r\n+CSIM: 4,\"9000\"\r\n^RSSI: 18\r\nOK\r\n", "+CSIM:",
         hex("9000")},
        {"modem counting bytes, not characters", "\r\n+CSIM: 2,\"9000\"\r\nOK\r\n", "+CSIM:", hex("9000")},
    };
    for (const auto& c : cases) {
        const std::string modem = c.modem;
        CAPTURE(modem);
        Reply r = assemble(c.wire, cmd, c.prefix);
        REQUIRE(r.ok());
        REQUIRE(r.info.size() == 1);
        CHECK(parse_apdu_response(r.info[0], c.prefix) == c.want);
    }
}

TEST_CASE("at: URCs are counted, echo is not information") {
    Reply r = assemble("AT+CSIM=4,\"9000\"\r\r\n+CREG: 1\r\n+CSIM: 4,\"9000\"\r\n+CEREG: 5\r\nOK\r\n",
                       "AT+CSIM=4,\"9000\"", "+CSIM:");
    CHECK(r.ok());
    CHECK(r.urcs == 2);
    CHECK(r.info == std::vector<std::string>{"+CSIM: 4,\"9000\""});
}

TEST_CASE("at: sierra extra OK: an OK before the information line is a leftover, the answer follows") {
    Reply r = assemble("\r\nOK\r\n\r\n+CSIM: 4,\"9000\"\r\n\r\nOK\r\n", "AT+CSIM=10,\"0070000001\"", "+CSIM:");
    CHECK(r.ok());
    CHECK(r.stale_finals == 1);
    REQUIRE(r.info.size() == 1);
    // Without needs_info the first OK is the answer (ATE0, AT+CCHC).
    CHECK(assemble("\r\nOK\r\n\r\nOK\r\n", "AT+CCHC=1", "", false, false).ok());
}

TEST_CASE("at: +CCHO with the prefix, without it, or quoted") {
    struct Case {
        const char* modem;
        std::string wire;
        const char* id;
    };
    const Case cases[] = {
        {"quectel_ec25", "\r\n+CCHO: 1\r\n\r\nOK\r\n", "1"},
        {"simcom (no space)", "\r\n+CCHO:2\r\nOK\r\n", "2"},
        {"fibocom_fm350 (bare number)", "\r\n3\r\n\r\nOK\r\n", "3"},
        {"sierra_em9191 (opaque handle)", "\r\n+CCHO: 1073741825\r\nOK\r\n", "1073741825"},
        {"telit (quoted)", "\r\n+CCHO: \"2\"\r\nOK\r\n", "2"},
        {"leading zeros", "\r\n+CCHO: 01\r\nOK\r\n", "1"},
    };
    const std::string cmd = ccho_command(hex("A0000005591010FFFFFFFF8900000100"));
    for (const auto& c : cases) {
        const std::string modem = c.modem;
        CAPTURE(modem);
        Reply r = assemble(c.wire, cmd, "+CCHO:", true);
        REQUIRE(r.ok());
        REQUIRE(!r.info.empty());
        CHECK(parse_session_id(r.info.back()) == c.id);
    }
}

TEST_CASE("at: final results: OK, ERROR, +CME ERROR numeric and verbose, +CMS ERROR") {
    struct Case {
        const char* modem;
        std::string wire;
        Final final;
        const char* detail;
        const char* text;
    };
    const Case cases[] = {
        {"fibocom_l850 (plain ERROR)", "\r\nERROR\r\n", Final::Error, "", "ERROR"},
        {"quectel_ec25 (CMEE=1)", "\r\n+CME ERROR: 4\r\n", Final::CmeError, "4", "+CME ERROR: 4"},
        {"quectel_ec25 (CMEE=2)", "\r\n+CME ERROR: operation not supported\r\n", Final::CmeError,
         "operation not supported", "+CME ERROR: operation not supported"},
        {"sierra (lower case)", "\r\n+cme error: SIM busy\r\n", Final::CmeError, "SIM busy", "+CME ERROR: SIM busy"},
        {"simcom (CMS)", "\r\n+CMS ERROR: 500\r\n", Final::CmsError, "500", "+CMS ERROR: 500"},
    };
    for (const auto& c : cases) {
        const std::string modem = c.modem;
        CAPTURE(modem);
        Reply r = assemble(c.wire, "AT+CCHO=\"A000000559\"", "+CCHO:", true);
        CHECK(r.final == c.final);
        CHECK(r.error_detail == c.detail);
        CHECK(r.final_text() == c.text);
        CHECK(!r.ok());
    }
}

TEST_CASE("at: an answer cut short leaves the assembler waiting (the driver's timeout ends it)") {
    Reply r = assemble("\r\n+CSIM: 4,\"9000\"\r\n", "AT+CSIM=10,\"0070000001\"", "+CSIM:");
    CHECK(r.final == Final::None);
    LineSplitter s;
    s.append("+CSIM: 4,\"90");
    CHECK(!s.next());
    CHECK(s.pending() == 12);
}

TEST_CASE("at: malformed APDU answers are MalformedData naming the line") {
    for (std::string line : {"+CSIM: 4", "+CSIM: x,\"9000\"", "+CSIM: 3,\"900\"", "+CSIM: 2,\"90\"",
                             "+CSIM: 6,\"9000\"", "+CSIM: 4,\"90G0\"", "+CSIM: 4,", "+CSIM: 999999,\"9000\""}) {
        CAPTURE(line);
        CHECK(test::code_of([&] { parse_apdu_response(line, "+CSIM:"); }) == Errc::MalformedData);
    }
    for (std::string line : {"+CCHO: ", "+CCHO: -1", "+CCHO: 12345678901", "OK1", "+CCHO: 1 2"}) {
        CAPTURE(line);
        CHECK(test::code_of([&] { parse_session_id(line); }) == Errc::MalformedData);
    }
}

TEST_CASE("at: a line longer than the bound is refused, not buffered forever") {
    LineSplitter s;
    s.append(std::string(kMaxLineLength + 1, 'A'));
    CHECK(test::code_of([&] { s.next(); }) == Errc::MalformedData);
    CHECK(s.pending() == 0);
}

TEST_CASE("at: IMEI from AT+CGSN in its dialects") {
    CHECK(parse_imei({"+CGSN: \"356938035643809\""}) == "356938035643809");
    CHECK(parse_imei({"356938035643809"}) == "356938035643809");
    CHECK(parse_imei({"3569380356438091"}) == "3569380356438091");  // IMEISV
    CHECK(parse_imei({"+CGSN: 12345"}).empty());
    CHECK(parse_imei({"Quectel", "EC25"}).empty());
}

TEST_CASE("at: command lines") {
    CHECK(csim_command(hex("0070000001")) == "AT+CSIM=10,\"0070000001\"");
    CHECK(cgla_command("1073741825", hex("81E2910003BF2000")) == "AT+CGLA=1073741825,16,\"81E2910003BF2000\"");
    CHECK(ccho_command(hex("A0000005591010FFFFFFFF8900000100")) == "AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"");
    CHECK(cchc_command("2") == "AT+CCHC=2");
}

TEST_CASE("at: unsolicited result codes") {
    CHECK(is_unsolicited("+CREG: 1", "+CSIM:"));
    CHECK(is_unsolicited("RING", "+CSIM:"));
    CHECK(is_unsolicited("+QIND: \"csq\",20,99", "+CSIM:"));
    CHECK(!is_unsolicited("+CSIM: 4,\"9000\"", "+CSIM:"));
    CHECK(!is_unsolicited("3", "+CCHO:"));
    CHECK(!is_unsolicited("+", ""));
}
#endif
