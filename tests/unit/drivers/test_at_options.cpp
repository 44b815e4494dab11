// SPDX-License-Identifier: Apache-2.0
// The at: driver's URI (drivers/at/at_transport.h) and its UUCP lock file names (serial_port.h).
#ifdef LPAD_HAVE_AT
#include <doctest/doctest.h>

#include "drivers/at/at_transport.h"
#include "drivers/at/serial_port.h"
#include "drivers/registry.h"
#include "tests/unit/test_support.h"

using namespace lpad;
using namespace lpad::at;

namespace {
AtOptions parse(const std::string& uri) { return AtOptions::from_uri(drivers::DriverUri::parse(uri)); }
}  // namespace

TEST_CASE("at: URI defaults and parameters") {
    AtOptions o = parse("at:/dev/ttyUSB2");
    CHECK(o.path == "/dev/ttyUSB2");
    CHECK(o.baud == 115200);
    CHECK(o.mode == Mode::Auto);
    CHECK(!o.block);
    CHECK(o.timeout == std::chrono::seconds(10));
    CHECK(o.load_timeout == std::chrono::seconds(300));
    CHECK(o.lock_dir == "/run/lock");

    o = parse("at:/dev/serial/by-id/usb-Quectel-if02?baud=921600&mode=ccho&block=120&timeout=5&load-timeout=600");
    CHECK(o.baud == 921600);
    CHECK(o.mode == Mode::Ccho);
    CHECK(o.block == 120u);
    CHECK(o.timeout == std::chrono::seconds(5));
    CHECK(o.load_timeout == std::chrono::seconds(600));
    CHECK(parse("at:/dev/ttyACM0?mode=csim").mode == Mode::Csim);

    AtTransport csim(parse("at:/dev/ttyUSB2?mode=csim"));
    CHECK(csim.limits().max_command_data == kDefaultCsimBlock);
    CHECK(csim.limits().logical_channels);
    CHECK(!csim.limits().handles_get_response);
    CHECK(AtTransport(parse("at:/dev/ttyUSB2?mode=ccho")).limits().max_command_data == kDefaultCchoBlock);
    CHECK(AtTransport(parse("at:/dev/ttyUSB2?block=64")).limits().max_command_data == 64);
}

TEST_CASE("at: bad URIs are InvalidArgument naming the problem") {
    struct Case {
        const char* uri;
        const char* says;
    };
    const Case cases[] = {
        {"at:", "absolute path"},
        {"at:ttyUSB2?mode=csim", "absolute path"},
        {"at:/dev/ttyUSB2?mode=qmi", "mode=qmi"},
        {"at:/dev/ttyUSB2?block=5", "block"},
        {"at:/dev/ttyUSB2?block=256", "block"},
        {"at:/dev/ttyUSB2?baud=12345", "baud=12345"},
        {"at:/dev/ttyUSB2?timeout=0", "timeout"},
        {"at:/dev/ttyUSB2?speed=115200", "unknown parameter 'speed'"},
    };
    for (const auto& c : cases) {
        const std::string uri = c.uri;
        CAPTURE(uri);
        CHECK(test::code_of([&] { parse(uri); }) == Errc::InvalidArgument);
        CHECK(test::message_of([&] { parse(uri); }).find(c.says) != std::string::npos);
    }
}

TEST_CASE("at: a port that is not there is Unavailable, and no lock file is left") {
    AtOptions o = parse("at:/dev/lpad-no-such-modem");
    o.lock_dir = "/nonexistent-lock-dir";  // never reached: the device is looked up first
    AtTransport t(o);
    CHECK(test::code_of([&] { t.open(); }) == Errc::Unavailable);
    CHECK(t.device_imei().empty());
    CHECK(test::code_of([&] { t.transmit(test::hex("00A4040000")); }) == Errc::Unavailable);
}

TEST_CASE("at: UUCP lock file names") {
    CHECK(uucp_lock_name("/dev/ttyUSB2") == "LCK..ttyUSB2");
    CHECK(uucp_lock_name("/dev/ttyACM0") == "LCK..ttyACM0");
    CHECK(uucp_lock_name("/dev/pts/3") == "LCK..pts_3");  // never LCK..3
    CHECK(uucp_lock_name("/dev/serial/ttyX") == "LCK..serial_ttyX");
}
#endif
