// SPDX-License-Identifier: Apache-2.0
// Reader selection of the pcsc: driver (drivers/pcsc/reader_selection.h) over lists of reader names as pcscd
// reports them.
#ifdef LPAD_HAVE_PCSC
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "drivers/pcsc/pcsc_transport.h"
#include "drivers/pcsc/reader_selection.h"
#include "libapdu/error.h"

using lpad::Errc;
using lpad::Error;
using lpad::drivers::DriverUri;
using namespace lpad::pcsc;

namespace {
const std::vector<std::string> kReaders = {
    "Alcor Micro AU9540 00 00",
    "Gemalto PC Twin Reader (A1B2C3D4) 01 00",
    "Virtual PCD 00 00",
    "Virtual PCD 00 01",
};

Errc error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    return Errc::Internal;  // no error: never expected by the callers below
}
}  // namespace

TEST_CASE("pcsc: reader selection picks candidates from the URI") {
    struct Case {
        const char* uri;
        std::vector<std::size_t> candidates;
        bool probe;
    };
    const Case cases[] = {
        {"pcsc:", {0, 1, 2, 3}, true},                    // automatic: probe everything in order
        {"pcsc:reader=Gemalto", {1}, false},              // one match: used as it is
        {"pcsc:reader=gemalto pc twin", {1}, false},      // case-insensitive substring
        {"pcsc:reader=Virtual PCD", {2, 3}, true},        // several matches: probe those
        {"pcsc:reader=Virtual PCD 00 01", {3}, false},
        {"pcsc:index=0", {0}, false},
        {"pcsc:index=3", {3}, false},
        {"pcsc:?index=2&exclusive=1", {2}, false},
    };
    for (const auto& c : cases) {
        CAPTURE(c.uri);
        ReaderSelector s = ReaderSelector::from_uri(DriverUri::parse(c.uri));
        auto got = s.candidates(kReaders);
        CHECK(got == c.candidates);
        CHECK(s.needs_probe(got.size()) == c.probe);
    }
}

TEST_CASE("pcsc: no qualifying reader is Unavailable and lists the readers") {
    struct Case {
        const char* uri;
        std::vector<std::string> readers;
        const char* message_part;
    };
    const Case cases[] = {
        {"pcsc:", {}, "no readers available"},
        {"pcsc:reader=Omnikey", kReaders, "'Virtual PCD 00 01'"},
        {"pcsc:index=4", kReaders, "there are 4"},
        {"pcsc:index=0", {}, "is pcscd running"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.uri);
        ReaderSelector s = ReaderSelector::from_uri(DriverUri::parse(c.uri));
        try {
            s.candidates(c.readers);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::Unavailable);
            CHECK(std::string(e.what()).find(c.message_part) != std::string::npos);
        }
    }
}

TEST_CASE("pcsc: driver URI parameters are checked") {
    for (auto bad : {"pcsc:?reader=A&index=1", "pcsc:index=-1", "pcsc:index=x", "pcsc:?reader=", "pcsc:exclusive=2",
                     "pcsc:aid=A000", "pcsc:aid=XYZ", "pcsc:readr=A", "pcsc:/dev/x"}) {
        CAPTURE(bad);
        CHECK(error_of([&] { PcscOptions::from_uri(DriverUri::parse(bad)); }) == Errc::InvalidArgument);
    }
    PcscOptions d = PcscOptions::from_uri(DriverUri::parse("pcsc:"));
    CHECK(d.share == ShareMode::Shared);
    CHECK(d.transactions);
    PcscOptions o = PcscOptions::from_uri(DriverUri::parse("pcsc:?exclusive=1&transaction=0&aid=A0000005591010"));
    CHECK(o.share == ShareMode::Exclusive);
    CHECK_FALSE(o.transactions);
    CHECK(o.probe_aid == lpad::from_hex("A0000005591010"));
}

TEST_CASE("pcsc: the driver is in the registry and creating it does no I/O") {
    auto t = lpad::drivers::create_transport("pcsc:reader=Nothing");
    REQUIRE(t != nullptr);
    CHECK(t->limits().max_command_data == 255);
    CHECK(t->limits().logical_channels);
    CHECK_FALSE(t->limits().handles_get_response);  // pcsc-lite passes 61xx through
}
#endif  // LPAD_HAVE_PCSC
