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
        {"352906110000000", "53926011000000f0", "35290611"},
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

TEST_CASE("core: malformed device configuration is refused") {
    const char* bad_imeis[] = {"12345", "35693803564380A", "35693803564380912"};
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
