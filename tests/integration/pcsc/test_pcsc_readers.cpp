// SPDX-License-Identifier: Apache-2.0
// Reader selection with two vpcd readers, a card that goes away mid-operation, and pcscd not running.
#include <doctest/doctest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "drivers/pcsc/pcsc_errors.h"
#include "drivers/pcsc/pcsc_transport.h"
#include "integration/pcsc/pcsc_fixture.h"
#include "libapdu/error.h"
#include "libapdu/es10_client.h"
#include "libapdu/es10c.h"
#include "libapdu/euicc_info.h"

using namespace lpad;
using namespace lpad::pcsc;
using namespace lpad::pcsc::testing;

namespace {

PcscTransport make(const std::string& uri) { return PcscTransport(PcscOptions::from_uri(drivers::DriverUri::parse(uri))); }

// The EID read through a fresh ISD-R session, and the reader it was read from (the session closes the transport).
std::pair<Bytes, std::string> read_eid(PcscTransport& t, Es10Options options = {}) {
    Es10Client es10(t, std::move(options));
    es10.open();
    return {es10.call(es10::GetEuiccDataRequest{}).eid_value, t.reader()};
}

}  // namespace

// PCSC_BRIDGE0: a card whose ISD-R has another AID (kOtherAid); PCSC_BRIDGE1: a normal virtual eUICC.
TEST_CASE("two readers: automatic selection skips the non-eUICC, reader= and index= pick each") {
    wait_for_card(kReader0);
    wait_for_card(kReader1);
    const Bytes eid = from_hex(pki_manifest()["eid"].get<std::string>());
    {
        LogCapture log;
        PcscTransport t = make("pcsc:");
        CHECK(read_eid(t) == std::pair{eid, kReader1});
        CHECK(log.contains("skipping reader '" + kReader0 + "': no eUICC"));
        CHECK(log.contains("6A82"));
        CHECK(log.contains("using reader '" + kReader1 + "'"));
    }
    for (std::string uri : {"pcsc:index=1", "pcsc:reader=PCD 00 01"}) {
        CAPTURE(uri);
        PcscTransport t = make(uri);
        CHECK(read_eid(t) == std::pair{eid, kReader1});
    }
    for (std::string uri : {"pcsc:index=0", "pcsc:reader=PCD 00 00"}) {
        CAPTURE(uri);
        // Chosen explicitly, the reader is used without probing: the SGP.22 ISD-R AID is refused...
        PcscTransport t = make(uri);
        try {
            read_eid(t);
            FAIL("the card with another ISD-R AID answered the SGP.22 one");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::CardError);
            CHECK(e.status_word == 0x6A82);
        }
        // ...and the card's own AID works.
        Es10Options other;
        other.isdr_aids = {from_hex(kOtherAid)};
        CHECK(read_eid(t, other) == std::pair{eid, kReader0});
    }
    // Probing only among reader= matches, and reporting why each was skipped when none qualifies.
    PcscTransport none = make(std::string("pcsc:?reader=PCD 00&aid=A000000559101099"));
    try {
        none.open();
        FAIL("a card answered an AID nobody has");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::Unavailable);
        CHECK(std::string(e.what()).find(kReader0 + ": no eUICC") != std::string::npos);
        CHECK(std::string(e.what()).find(kReader1 + ": no eUICC") != std::string::npos);
    }
}

// PCSC_BRIDGE0: a virtual eUICC that drops its link when EnableProfile arrives (the bridge reconnects at once, so
// pcscd never sees the card leave; vpcd answers the APDU with nothing).
TEST_CASE("link dropped mid-operation: the call fails naming PC/SC, then the card works again, state consistent") {
    wait_for_card(kReader0);
    PcscTransport t = make("pcsc:index=0");
    Es10Client es10(t);
    es10.open();
    const Bytes eid = es10.call(es10::GetEuiccDataRequest{}).eid_value;
    const auto md = download_test_profile(es10);
    const auto id = es10::ProfileIdentifier::from_iccid(md.iccid);

    const auto start = std::chrono::steady_clock::now();
    try {
        es10.call(es10::EnableProfileRequest{id, false});
        FAIL("EnableProfile answered although the link dropped");
    } catch (const Error& e) {
        MESSAGE("drop reported as: " << std::string(e.what()));
        CHECK((e.code() == Errc::Unavailable || e.code() == Errc::TransportError));
        const std::string what = e.what();
        CHECK((what.find("SCARD_") != std::string::npos || what.find("SCardTransmit") != std::string::npos));
        CHECK(what.find(kReader0) != std::string::npos);
    }
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    CHECK_FALSE(t.is_open());
    CHECK_THROWS_AS(es10.call(es10::GetEuiccDataRequest{}), Error);  // closed, not hanging

    // Reconnect: same card, the profile is there and still disabled (the eUICC never saw the command).
    // vpcd does not tell pcscd about a card that reconnects at once, so the first attempts may still fail (the
    // bridge's card is unpowered until pcscd notices and powers it up): retry like the daemon does.
    es10.close();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    int attempts = 0;
    for (;;) {
        ++attempts;
        try {
            es10.open();
            break;
        } catch (const Error& e) {
            CHECK((e.code() == Errc::Unavailable || e.code() == Errc::TransportError));
            if (std::chrono::steady_clock::now() > deadline) FAIL("the card did not come back: " << std::string(e.what()));
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
        }
    }
    MESSAGE("usable again after " << attempts << " attempt(s)");
    CHECK(es10.call(es10::GetEuiccDataRequest{}).eid_value == eid);
    auto list = profiles(es10);
    REQUIRE(list.size() == 1);
    CHECK(list[0].profile_state == es10::ProfileState::disabled);
    CHECK(es10.call(es10::EnableProfileRequest{id, false}).enable_result == es10::EnableProfileResult::ok);
}

namespace {

// A bridge started by the test (the fixture's own one is stopped to pull the card).
struct Bridge {
    pid_t pid = -1;
    explicit Bridge(const std::string& args) {
        std::vector<std::string> argv{std::getenv("LPAD_VPCD_BRIDGE"), "--port", std::getenv("LPAD_TEST_VPCD_PORT"),
                                      "--slot", "0"};
        std::istringstream in(args);
        for (std::string a; in >> a;) argv.push_back(a);
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        REQUIRE(posix_spawn(&pid, cargv[0], nullptr, nullptr, cargv.data(), environ) == 0);
    }
    ~Bridge() { stop(pid); }
    static void stop(pid_t p) {
        if (p <= 0) return;
        ::kill(p, SIGTERM);
        ::waitpid(p, nullptr, 0);  // only reaps our own children; the fixture's bridge is reaped by the script
    }
};

}  // namespace

// PCSC_BRIDGE0: a virtual eUICC with a state file (@TMP@). The test stops that bridge (the card leaves the reader)
// and starts another on the same state file (the card comes back).
TEST_CASE("card pulled and reinserted: wait_for_change sees both, the open session reports SCARD_W_REMOVED_CARD") {
    const char* pid_text = std::getenv("LPAD_TEST_BRIDGE0_PID");
    const char* args = std::getenv("LPAD_TEST_BRIDGE0_ARGS");
    REQUIRE(pid_text);
    REQUIRE(args);
    wait_for_card(kReader0);
    PcscTransport t = make("pcsc:index=0");
    Es10Client es10(t);
    es10.open();
    const auto md = download_test_profile(es10);

    ReaderMonitor monitor;
    monitor.list_readers();
    REQUIRE(monitor.readers().at(0).card_present);
    ::kill(static_cast<pid_t>(std::stol(pid_text)), SIGTERM);  // pull the card
    bool removed = false;
    for (int i = 0; i < 20 && !removed; ++i)
        if (monitor.wait_for_change(std::chrono::seconds(1))) removed = !monitor.readers().at(0).card_present;
    CHECK(removed);

    try {
        es10.call(es10::GetEuiccDataRequest{});
        FAIL("a pulled card answered");
    } catch (const Error& e) {
        MESSAGE("removal reported as: " << std::string(e.what()));
        CHECK(e.code() == Errc::Unavailable);
        CHECK(std::string(e.what()).find("SCARD_W_REMOVED_CARD (0x80100069)") != std::string::npos);
    }
    es10.close();
    try {
        es10.open();
        FAIL("opened a card that is not there");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::Unavailable);
        CHECK(std::string(e.what()).find("SCARD_E_NO_SMARTCARD") != std::string::npos);
    }

    Bridge again(args);  // reinsert
    bool inserted = false;
    for (int i = 0; i < 20 && !inserted; ++i)
        if (monitor.wait_for_change(std::chrono::seconds(1))) inserted = monitor.readers().at(0).card_present;
    CHECK(inserted);
    es10.open();
    auto list = profiles(es10);
    REQUIRE(list.size() == 1);
    CHECK(list[0].iccid == md.iccid);
}

// No pcscd in the namespace (PCSC_NO_PCSCD=1).
TEST_CASE("pcscd not running: a clear Unavailable error with the hint") {
    PcscTransport t = make("pcsc:");
    try {
        t.open();
        FAIL("opened without pcscd");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::Unavailable);
        const std::string what = e.what();
        CHECK(what.find("SCARD_E_NO_SERVICE (0x8010001D)") != std::string::npos);
        CHECK(what.find("pcscd") != std::string::npos);
    }
    CHECK_THROWS_AS(ReaderMonitor{}, Error);
}
