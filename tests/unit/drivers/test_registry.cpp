// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "drivers/registry.h"
#include "libapdu/error.h"

using lpad::Errc;
using lpad::Error;
using lpad::drivers::DriverUri;

TEST_CASE("registry: driver URIs parse as the config and command line write them") {
    struct Case {
        const char* text;
        const char* scheme;
        const char* path;
        std::map<std::string, std::string> params;
    };
    const Case cases[] = {
        {"pcsc:", "pcsc", "", {}},
        {"pcsc:reader=Gemalto PC Twin Reader", "pcsc", "", {{"reader", "Gemalto PC Twin Reader"}}},
        {"pcsc:?reader=ACS&exclusive=1", "pcsc", "", {{"reader", "ACS"}, {"exclusive", "1"}}},
        {"at:/dev/ttyUSB2?mode=csim", "at", "/dev/ttyUSB2", {{"mode", "csim"}}},
        {"qmi:/dev/cdc-wdm0?slot=1", "qmi", "/dev/cdc-wdm0", {{"slot", "1"}}},
        {"qmi:qrtr", "qmi", "qrtr", {}},
        {"virtual:/var/lib/lpad/veuicc.json", "virtual", "/var/lib/lpad/veuicc.json", {}},
        {"virtual:/tmp/c.json?latency=10&block=128", "virtual", "/tmp/c.json", {{"latency", "10"}, {"block", "128"}}},
        {"virtual:/tmp/c.json?flag", "virtual", "/tmp/c.json", {{"flag", "1"}}},
        {"xx:t=x?", "xx", "t=x", {}},  // a path with '=' stays a path through to_string (fuzz_driver_uri)
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        DriverUri uri = DriverUri::parse(c.text);
        CHECK(uri.scheme == c.scheme);
        CHECK(uri.path == c.path);
        CHECK(uri.params == c.params);
        CHECK(DriverUri::parse(uri.to_string()).params == uri.params);
        CHECK(DriverUri::parse(uri.to_string()).path == uri.path);
    }
}

TEST_CASE("registry: bad driver URIs name the problem") {
    for (auto bad : {"", "/dev/ttyUSB0", ":x", "p csc:", "at:/dev/x?mode=csim&mode=ccho", "pcsc:?=1"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(DriverUri::parse(bad), Error);
    }
    DriverUri uri = DriverUri::parse("virtual:/x?latency=abc&block=300&exclusive=maybe&typo=1");
    CHECK_THROWS_WITH_AS(uri.get_int("latency", 0, 0, 1000), doctest::Contains("latency=abc"), Error);
    CHECK_THROWS_WITH_AS(uri.get_int("block", 255, 6, 255), doctest::Contains("from 6 to 255"), Error);
    CHECK(uri.get_int("missing", 42, 0, 100) == 42);
    CHECK_THROWS_AS(uri.get_bool("exclusive", false), Error);
    CHECK_THROWS_WITH_AS(uri.expect_only({"latency", "block", "exclusive"}), doctest::Contains("typo"), Error);
}

TEST_CASE("registry: unknown schemes list what this build has") {
    try {
        (void)lpad::drivers::create_transport("nosuch:/dev/null");
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::InvalidArgument);
        for (const auto& d : lpad::drivers::registry()) CHECK(std::string(e.what()).find(d.scheme + ":") != std::string::npos);
    }
}
