// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "libapdu/activation_code.h"
#include "libapdu/error.h"

using namespace lpad;

TEST_CASE("ac: valid activation codes") {
    struct Case {
        const char* name;
        const char* text;
        const char* address;
        const char* matching_id;
        const char* oid;  // nullptr = absent
        bool cc;
    };
    const Case cases[] = {
        {"SGP.22 §4.1 example", "LPA:1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815", "smdp.gsma.com",
         "04386-AGYFT-A74Y8-3F815", nullptr, false},
        {"typed without prefix", "1$SMDP.EXAMPLE.COM$04386-AGYFT-A74Y8-3F815", "smdp.example.com",
         "04386-AGYFT-A74Y8-3F815", nullptr, false},
        {"confirmation code, no OID", "LPA:1$SMDP.EXAMPLE.COM$04386-AGYFT-A74Y8-3F815$$1", "smdp.example.com",
         "04386-AGYFT-A74Y8-3F815", nullptr, true},
        {"OID and confirmation code", "LPA:1$SMDP.EXAMPLE.COM$04386-AGYFT-A74Y8-3F815$1.3.6.1.4.1.31746$1",
         "smdp.example.com", "04386-AGYFT-A74Y8-3F815", "1.3.6.1.4.1.31746", true},
        {"OID only", "LPA:1$SMDP.EXAMPLE.NET$KL14XA-8C7RLY$1.3.6.1.4.1.3174", "smdp.example.net", "KL14XA-8C7RLY",
         "1.3.6.1.4.1.3174", false},
        {"Truphone QR", "LPA:1$rsp.truphone.com$QRF-BETTERROAMING-PMRDGIR2EARDEIT5", "rsp.truphone.com",
         "QRF-BETTERROAMING-PMRDGIR2EARDEIT5", nullptr, false},
        {"sysmocom test SM-DP+", "LPA:1$smdpp.test.rsp.sysmocom.de$TS48V1-A-UNIQUE", "smdpp.test.rsp.sysmocom.de",
         "TS48V1-A-UNIQUE", nullptr, false},
        {"lower-case prefix and a port", "lpa:1$testsmdpplus1.example.com:8443$TS48V2-SAIP2-1-BERTLV-UNIQUE",
         "testsmdpplus1.example.com:8443", "TS48V2-SAIP2-1-BERTLV-UNIQUE", nullptr, false},
        {"IPv4 address with port", "LPA:1$127.0.0.1:8000$TEST-1", "127.0.0.1:8000", "TEST-1", nullptr, false},
        {"single-label host", "LPA:1$localhost$A", "localhost", "A", nullptr, false},
        {"empty matching ID", "LPA:1$smdp.example.com$", "smdp.example.com", "", nullptr, false},
        {"QR scanner added white space", "  LPA:1$smdp.io$K2-1A2B3C-4D5E6F\r\n", "smdp.io", "K2-1A2B3C-4D5E6F",
         nullptr, false},
        {"lower-case hex matching ID kept as is", "LPA:1$Consumer.E-SIM.Global$1a2b3c4d-5e6f",
         "consumer.e-sim.global", "1a2b3c4d-5e6f", nullptr, false},
        {"punycode host", "LPA:1$xn--smdp-9ra.example$ABC", "xn--smdp-9ra.example", "ABC", nullptr, false},
        {"OID with arc 0", "LPA:1$smdp.example.com$ABC$2.999.0", "smdp.example.com", "ABC", "2.999.0", false},
    };
    for (const auto& c : cases) {
        INFO(std::string(c.name));
        ActivationCode ac = ActivationCode::parse(c.text);
        CHECK(ac.smdp_address == c.address);
        CHECK(ac.matching_id == c.matching_id);
        CHECK(ac.smdp_oid == (c.oid ? std::optional<std::string>(c.oid) : std::nullopt));
        CHECK(ac.confirmation_code_required == c.cc);
        CHECK(ActivationCode::parse(ac.format()) == ac);
    }
}

TEST_CASE("ac: format writes the canonical form") {
    ActivationCode ac{"smdp.example.com", "ABC-1", std::nullopt, false};
    CHECK(ac.format() == "LPA:1$smdp.example.com$ABC-1");
    ac.confirmation_code_required = true;
    CHECK(ac.format() == "LPA:1$smdp.example.com$ABC-1$$1");
    ac.smdp_oid = "1.3.6.1.4.1.31746";
    CHECK(ac.format() == "LPA:1$smdp.example.com$ABC-1$1.3.6.1.4.1.31746$1");
    ac.confirmation_code_required = false;
    CHECK(ac.format() == "LPA:1$smdp.example.com$ABC-1$1.3.6.1.4.1.31746");
}

TEST_CASE("ac: invalid activation codes name the field and never the matching ID") {
    struct Case {
        const char* name;
        std::string text;
        const char* field;  // must appear in the message
    };
    const std::string mid = "SECRET-MID-42";
    const Case cases[] = {
        {"empty", "", "empty"},
        {"prefix only", "LPA:", "empty"},
        {"format 2", "LPA:2$smdp.example.com$" + mid, "format"},
        {"no format", "LPA:$smdp.example.com$" + mid, "format"},
        {"garbage", "xyz14390lojij", "format"},
        {"other scheme", "LPB:1$smdp.example.com$" + mid, "format"},
        {"space after prefix", "LPA: 1$smdp.example.com$" + mid, "format"},
        {"address only", "LPA:1$smdp.example.com", "at least"},
        {"format only", "1$", "at least"},
        {"empty address", "LPA:1$$" + mid, "SM-DP+ address"},
        {"six fields (SGP.22 v3)", "LPA:1$smdp.example.com$" + mid + "$$1$81370f5125d0b1d408d4c3b232e6d25e795bebfb",
         "fields"},
        {"many dollars", "1$SMDP.EXAMPLE.COM$$$$$$$$$$$$$$$$$$", "fields"},
        {"URL instead of host", "LPA:1$https://smdp.example.com$" + mid, "SM-DP+ address"},
        {"path", "LPA:1$smdp.example.com/gsma$" + mid, "SM-DP+ address"},
        {"underscore in host", "LPA:1$smdp_1.example.com$" + mid, "SM-DP+ address"},
        {"label starts with '-'", "LPA:1$-smdp.example.com$" + mid, "SM-DP+ address"},
        {"empty label", "LPA:1$smdp..example.com$" + mid, "SM-DP+ address"},
        {"trailing dot", "LPA:1$smdp.example.com.$" + mid, "SM-DP+ address"},
        {"label over 63", "LPA:1$" + std::string(64, 'a') + ".example.com$" + mid, "SM-DP+ address"},
        {"IPv4 octet 256", "LPA:1$10.0.0.256$" + mid, "SM-DP+ address"},
        {"three-part IPv4", "LPA:1$10.0.1$" + mid, "SM-DP+ address"},
        {"non-ASCII host", "LPA:1$smdp.ex\xC3\xA4mple.com$" + mid, "SM-DP+ address"},
        {"port 0", "LPA:1$smdp.example.com:0$" + mid, "port"},
        {"port 65536", "LPA:1$smdp.example.com:65536$" + mid, "port"},
        {"empty port", "LPA:1$smdp.example.com:$" + mid, "port"},
        {"IPv6 literal", "LPA:1$[::1]:443$" + mid, "SM-DP+ address"},
        {"OID with letters", "LPA:1$smdp.example.com$" + mid + "$1.3.6.a", "OID"},
        {"OID single arc", "LPA:1$smdp.example.com$" + mid + "$1", "OID"},
        {"OID first arc 3", "LPA:1$smdp.example.com$" + mid + "$3.1", "OID"},
        {"OID empty arc", "LPA:1$smdp.example.com$" + mid + "$1..2", "OID"},
        {"OID leading zero", "LPA:1$smdp.example.com$" + mid + "$1.02", "OID"},
        {"flag 0", "LPA:1$smdp.example.com$" + mid + "$$0", "confirmation code flag"},
        {"flag empty", "LPA:1$smdp.example.com$" + mid + "$$", "confirmation code flag"},
        {"flag yes", "LPA:1$smdp.example.com$" + mid + "$1.2.3$yes", "confirmation code flag"},
        {"control character in flag", "LPA:1$smdp.example.com$" + mid + "$$1\x01", "confirmation code flag"},
    };
    for (const auto& c : cases) {
        INFO(std::string(c.name));
        try {
            ActivationCode::parse(c.text);
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::InvalidArgument);
            const std::string msg = e.what();
            CHECK(msg.find(c.field) != std::string::npos);
            CHECK(msg.find(mid) == std::string::npos);
        }
    }
}

TEST_CASE("ac: a bad matching ID is reported without being quoted") {
    struct Case {
        const char* name;
        std::string matching_id;
    };
    const Case cases[] = {
        {"space", "SECRET MID"},
        {"underscore", "SECRET_MID"},
        {"dot", "SECRET.MID"},
        {"UTF-8", "SECRET-M\xC3\x9C"},
        {"control character", "SECRET\tMID"},
        {"256 characters", "S" + std::string(255, 'A')},
        {"slash", "SECRET/MID"},
    };
    for (const auto& c : cases) {
        INFO(std::string(c.name));
        try {
            ActivationCode::parse("LPA:1$smdp.example.com$" + c.matching_id + "$$1");
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::InvalidArgument);
            const std::string msg = e.what();
            CHECK(msg.find("matching ID") != std::string::npos);
            CHECK(msg.find("SECRET") == std::string::npos);
        }
    }
    // 255 characters is the longest accepted.
    CHECK(ActivationCode::parse("1$a.b$" + std::string(255, 'Z')).matching_id.size() == 255);
}
