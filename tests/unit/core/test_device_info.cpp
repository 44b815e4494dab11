// SPDX-License-Identifier: Apache-2.0
// DeviceInfo from configuration: TAC and IMEI encodings, capabilities.
#include <doctest/doctest.h>

#include "libapdu/bytes.h"
#include "libapdu/error.h"
#include "lpad/core/device_info.h"

using namespace lpad;
using namespace lpad::core;

TEST_CASE("core: IMEI and TAC encodings") {
    struct Case {
        const char* imei;
        const char* imei_hex;
        const char* tac_hex;
    };
    const Case cases[] = {
        // 15 digits: low nibble first, F pad (3GPP TS 24.008 digit order, as lpac sends it)
        {"356938035643809", "53968330653408f9", "35693803"},
        {"352906110000009", "53926011000000f9", "35290611"},
        // 16-digit IMEISV fills 8 bytes
        {"3569380356438091", "5396833065340819", "35693803"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.imei);
        DeviceConfig cfg;
        cfg.imei = c.imei;
        auto info = make_device_info(cfg);
        REQUIRE(info.imei);
        CHECK(to_hex(*info.imei) == c.imei_hex);
        CHECK(to_hex(info.tac) == c.tac_hex);
    }
}

TEST_CASE("core: DeviceInfo without IMEI uses the configured TAC and realistic releases") {
    DeviceConfig cfg;
    auto info = make_device_info(cfg);
    CHECK(!info.imei);
    CHECK(to_hex(info.tac) == "35290611");
    REQUIRE(info.device_capabilities.eutran_supported_release);
    CHECK(to_hex(*info.device_capabilities.eutran_supported_release) == "100000");
    CHECK(!info.device_capabilities.cdma2000onex_supported_release);
    cfg.capabilities.eutran = "";
    cfg.capabilities.contactless = "1.2.3";
    info = make_device_info(cfg);
    CHECK(!info.device_capabilities.eutran_supported_release);
    CHECK(to_hex(*info.device_capabilities.contactless_supported_release) == "010203");
}

TEST_CASE("core: IMEI validation: 15 digits with the check digit, or a 16-digit IMEISV") {
    for (const char* good : {"356938035643809", "490154203237518", "352906110000009", "3569380356438091"}) {
        CAPTURE(good);
        CHECK(imei_problem(good).empty());
        CHECK(tac_of(good) == std::string_view(good).substr(0, 8));
    }
    struct Bad {
        const char* imei;
        const char* problem;
    };
    const Bad bad[] = {
        {"35693803564380", "15 digits"},     // no check digit: deviceInfo.imei is Octet8
        {"356938035643808", "check digit"},  // Luhn fails
        {"490154203237519", "check digit"},
        {"35693803564380912", "15 digits"},
        {"3569380356438O9", "digits"},
        {"", "15 digits"},
    };
    for (const auto& b : bad) {
        CAPTURE(b.imei);
        CHECK(imei_problem(b.imei).find(b.problem) != std::string::npos);
        CHECK_THROWS_AS(check_imei(b.imei), Error);
        CHECK_THROWS_AS(imei_bytes(b.imei), Error);
    }
}

TEST_CASE("core: the device's own IMEI is used only when none is configured and only when valid") {
    DeviceConfig cfg;
    auto info = make_device_info(cfg, "490154203237518");
    REQUIRE(info.imei);
    CHECK(to_hex(info.tac) == "49015420");
    info = make_device_info(cfg, "49015420323751");  // 14 digits from the modem: ignored
    CHECK(!info.imei);
    CHECK(to_hex(info.tac) == "35290611");
    cfg.imei = "356938035643809";
    info = make_device_info(cfg, "490154203237518");
    CHECK(to_hex(info.tac) == "35693803");
}

TEST_CASE("core: malformed device configuration is refused") {
    const char* bad_imeis[] = {"12345", "35693803564380A", "35693803564380912", "35693803564380"};
    for (const char* imei : bad_imeis) {
        DeviceConfig cfg;
        cfg.imei = imei;
        CHECK_THROWS_AS(make_device_info(cfg), Error);
    }
    DeviceConfig cfg;
    cfg.tac = "1234";
    CHECK_THROWS_AS(make_device_info(cfg), Error);
    cfg = {};
    cfg.capabilities.gsm = "eleven";
    CHECK_THROWS_AS(make_device_info(cfg), Error);
}
