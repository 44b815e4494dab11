// SPDX-License-Identifier: Apache-2.0
// lpactl's human output: text from the network or another user never reaches the terminal as control sequences
// (issue 11 item 8); the JSON document keeps it exact.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "lpactl/output.h"

using lpactl::find_control;
using lpactl::printable;

TEST_CASE("lpactl output: control characters are escaped in human output") {
    CHECK(printable("Test One") == "Test One");
    CHECK(printable("Ümlaut 日本 😀") == "Ümlaut 日本 😀");  // other UTF-8 is kept
    CHECK(printable("a\x1b]0;pwned\x07") == "a\\x1B]0;pwned\\x07");
    CHECK(printable("line\r\nnext\ttab") == "line\\x0D\\x0Anext\\x09tab");
    CHECK(printable(std::string("nul\0x", 5)) == "nul\\x00x");
    CHECK(printable("del\x7f") == "del\\x7F");
    CHECK(printable("c1 \xc2\x9b" "2J") == "c1 \\u{009B}2J");          // CSI as a C1 control
    CHECK(printable("rtl \xe2\x80\xae" "gpj.exe") == "rtl \\u{202E}gpj.exe");  // RIGHT-TO-LEFT OVERRIDE
    CHECK(printable("bad \xff\xc3") == "bad \\xFF\\xC3");                // not UTF-8
    CHECK(printable("\xc0\xaf") == "\\xC0\\xAF");                       // overlong
    CHECK(printable("\xed\xa0\x80") == "\\xED\\xA0\\x80");              // surrogate
    CHECK(printable("back\\slash") == "back\\\\slash");                 // so an escape cannot be forged
}

TEST_CASE("lpactl output: tables and records escape every string field, JSON stays exact") {
    const std::string evil = "Evil\x1b[2J\r\nProvider";
    lpactl::Record r = {{"iccid", "8949449999999990023"}, {"state", "disabled"}, {"name", evil},
                        {"serviceProvider", "SP\x1b]8;;http://x\x07"}, {"nickname", "n\x9b"}, {"class", "operational"},
                        {"isdpAid", "A0"}};
    const std::string table = lpactl::render_table(lpactl::kProfileFields, {r});
    CHECK(table.find('\x1b') == std::string::npos);
    CHECK(table.find('\r') == std::string::npos);
    CHECK(table.find('\x07') == std::string::npos);
    CHECK(table.find("Evil\\x1B[2J\\x0D\\x0AProvider") != std::string::npos);
    // Exactly two lines: the header and the one row.
    CHECK(std::count(table.begin(), table.end(), '\n') == 2);
    const std::string record = lpactl::render_record(lpactl::kProfileFields, r);
    CHECK(record.find('\x1b') == std::string::npos);
    CHECK(std::count(record.begin(), record.end(), '\n') == 7);
    CHECK(lpactl::to_json(lpactl::kProfileFields, r)["name"] == evil);
}

TEST_CASE("lpactl output: find_control for new nicknames") {
    CHECK(find_control("my phone") == std::string::npos);
    CHECK(find_control("Ümlaut 日本") == std::string::npos);
    CHECK(find_control("a\x1b") == 1);
    CHECK(find_control("tab\there") == 3);
    CHECK(find_control("x\xc2\x85") == 1);          // NEL
    CHECK(find_control("x\xe2\x81\xa6") == 1);      // LEFT-TO-RIGHT ISOLATE
    CHECK(find_control("bad\xff") == 3);
}
