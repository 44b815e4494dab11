// SPDX-License-Identifier: Apache-2.0
// mbim: driver URIs (drivers/mbim/mbim_transport.h) and its registration.
#include <doctest/doctest.h>

#include "drivers/mbim/mbim_transport.h"
#include "drivers/registry.h"
#include "unit/test_support.h"

using lpad::Errc;
using lpad::drivers::DriverUri;
using lpad::mbim::MbimOptions;
using lpad::test::code_of;

TEST_CASE("mbim options: defaults and parameters") {
    auto o = MbimOptions::from_uri(DriverUri::parse("mbim:/dev/cdc-wdm0"));
    CHECK(o.device == "/dev/cdc-wdm0");
    CHECK(o.slot == 1);
    CHECK(o.proxy);
    CHECK(o.timeout == 30);
    o = MbimOptions::from_uri(DriverUri::parse("mbim:/dev/wwan0mbim0?slot=2&proxy=0&timeout=5"));
    CHECK(o.device == "/dev/wwan0mbim0");
    CHECK(o.slot == 2);
    CHECK_FALSE(o.proxy);
    CHECK(o.timeout == 5);
}

TEST_CASE("mbim options: bad URIs are InvalidArgument") {
    for (auto bad : {"mbim:", "mbim:cdc-wdm0", "mbim:/dev/cdc-wdm0?slot=0", "mbim:/dev/cdc-wdm0?slot=x",
                     "mbim:/dev/cdc-wdm0?timeout=0", "mbim:/dev/cdc-wdm0?timeout=301", "mbim:/dev/cdc-wdm0?proxy=2",
                     "mbim:/dev/cdc-wdm0?slt=1"}) {
        CAPTURE(bad);
        CHECK(code_of([&] { MbimOptions::from_uri(DriverUri::parse(bad)); }) == Errc::InvalidArgument);
    }
}

TEST_CASE("mbim options: registered as mbim:, listed with a summary") {
    bool found = false;
    for (const auto& d : lpad::drivers::registry())
        if (d.scheme == "mbim") found = !d.summary.empty();
    CHECK(found);
    auto t = lpad::drivers::create_transport("mbim:/dev/cdc-wdm0?slot=1");
    CHECK(t->limits().max_command_data == 255);
    CHECK(t->device_imei().empty());  // not open: not known
}

TEST_CASE("mbim transport: a path that is not an MBIM port is Unavailable, with the reason") {
    auto t = lpad::drivers::create_transport("mbim:/nonexistent/cdc-wdm9?timeout=2");
    try {
        t->open();
        FAIL("opened");
    } catch (const lpad::Error& e) {
        CHECK(e.code() == Errc::Unavailable);
        CHECK(std::string(e.what()).find("/nonexistent/cdc-wdm9") != std::string::npos);
    }
    // a regular file is not a character device: libmbim refuses it before any proxy is involved
    auto f = lpad::drivers::create_transport("mbim:" LPAD_SOURCE_DIR "/README.md?timeout=2");
    CHECK(code_of([&] { f->open(); }) == Errc::Unavailable);
    CHECK(code_of([&] { f->transmit(lpad::test::hex("81 E2 91 00 00")); }) == Errc::Unavailable);
}
