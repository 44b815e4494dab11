// SPDX-License-Identifier: Apache-2.0
// The at: transport against fake modems on real pseudo-terminals (the fake serves the pty master on its own
// thread), ES10 through Es10Client as core uses it: modes, dialects, stale channels, timeouts, locks, a vanishing
// port. Lock files go to a temp directory (AtOptions::lock_dir), never /run/lock.
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "drivers/at/at_transport.h"
#include "drivers/virtual/euicc_factory.h"
#include "libapdu/es10_client.h"
#include "tests/fakes/at_modem/pty_modem.h"
#include "tests/unit/test_support.h"

using namespace lpad;
namespace fs = std::filesystem;

namespace {

const Bytes kGetEid = test::hex("BF3E035C015A");

struct Rig {
    fs::path dir;
    std::shared_ptr<virtual_euicc::VirtualCard> card;
    std::unique_ptr<fake_at::FakeModem> modem;
    std::unique_ptr<fake_at::PtyModem> pty;
    std::atomic<bool> stop{false};
    std::thread thread;

    explicit Rig(const std::string& dialect, fake_at::Faults faults = {}) {
        static const bool installed = (virtual_euicc::install_euicc_factory(), true);
        (void)installed;
        char tmpl[] = "/tmp/lpad-at-test.XXXXXX";
        dir = ::mkdtemp(tmpl);
        card = virtual_euicc::make_virtual_card(
            drivers::DriverUri::parse("virtual:?pki=" + std::string(LPAD_BINARY_DIR) + "/pki"));
        modem = std::make_unique<fake_at::FakeModem>(card, fake_at::Dialect::preset(dialect), faults);
        pty = std::make_unique<fake_at::PtyModem>(*modem, (dir / "modem").string());
        thread = std::thread([this] { pty->run(stop); });
    }
    ~Rig() {
        unplug();
        fs::remove_all(dir);
    }
    void unplug() {
        stop = true;
        if (thread.joinable()) thread.join();
        pty.reset();
    }
    at::AtOptions options(at::Mode mode = at::Mode::Auto) const {
        at::AtOptions o;
        o.path = (dir / "modem").string();
        o.mode = mode;
        o.timeout = std::chrono::seconds(2);
        o.lock_dir = dir.string();
        return o;
    }
    std::size_t open_channels() const { return card->open_channels().size() - 1; }
};

std::string eid_of(Es10Client& client) {
    Bytes r = client.transceive(kGetEid);
    REQUIRE(r.size() == 21);  // BF3E 12 5A 10 <16 bytes>
    return to_hex(ByteView(r).subspan(5));
}

}  // namespace

TEST_CASE("at: quectel-like CSIM modem, mode auto finds csim, no channel left open") {
    Rig rig("quectel");
    at::AtTransport t(rig.options());
    Es10Client client(t);
    client.open();
    CHECK(t.mode() == at::Mode::Csim);
    CHECK(rig.open_channels() == 1);
    CHECK(eid_of(client).size() == 32);
    CHECK(t.limits().max_command_data == at::kDefaultCsimBlock);
    CHECK(t.device_imei() == "356938035643809");
    client.close();
    CHECK(rig.open_channels() == 0);
    CHECK(t.port_open());  // kept, with its lock, between jobs
    CHECK(fs::exists(rig.dir / at::uucp_lock_name(fs::canonical(rig.dir / "modem").string())));
}

TEST_CASE("at: fibocom-like modem: stale channels closed, bare CCHO ids, mode auto finds ccho") {
    fake_at::Faults f;
    f.stale = 3;  // every channel of the card taken by an earlier run
    Rig rig("fibocom", f);
    REQUIRE(rig.open_channels() == 3);
    at::AtTransport t(rig.options());
    Es10Client client(t);
    client.open();
    CHECK(t.mode() == at::Mode::Ccho);
    CHECK(rig.open_channels() == 1);
    CHECK(eid_of(client).size() == 32);
    client.close();
    CHECK(rig.open_channels() == 0);
}

TEST_CASE("at: sierra-like modem: opaque handles, echo that stays on, extra OK lines, URCs") {
    fake_at::Faults f;
    f.urcs = true;
    Rig rig("sierra", f);
    at::AtTransport t(rig.options(at::Mode::Ccho));
    Es10Client client(t);
    for (int i = 0; i < 3; ++i) {
        client.open();
        CHECK(client.channel() == 1);  // the handle 1073741825 is lpad's channel 1
        CHECK(eid_of(client).size() == 32);
        client.close();
        CHECK(rig.open_channels() == 0);
    }
    CHECK(t.stats().urcs > 0);
}

TEST_CASE("at: mode csim on a modem without AT+CSIM fails clearly") {
    Rig rig("fibocom");
    at::AtTransport t(rig.options(at::Mode::Csim));
    Es10Client client(t);
    auto msg = test::message_of([&] { client.open(); });
    CHECK(msg.find("AT+CSIM=10 answered ERROR") != std::string::npos);
    CHECK(rig.open_channels() == 0);
}

TEST_CASE("at: a command never answered times out, the port is resynchronised, the next session works") {
    fake_at::Faults f;
    f.silent = "AT+CSIM";
    f.silent_nth = 4;  // MANAGE CHANNEL, SELECT, GET RESPONSE, then the STORE DATA
    Rig rig("quectel", f);
    at::AtOptions o = rig.options(at::Mode::Csim);
    o.timeout = std::chrono::seconds(1);
    at::AtTransport t(o);
    Es10Client client(t);
    client.open();
    Error caught(Errc::Internal, "none");
    try {
        client.transceive(kGetEid);
    } catch (const Error& e) {
        caught = e;
    }
    CHECK(caught.code() == Errc::Timeout);
    CHECK(std::string(caught.what()).find("AT+CSIM=") != std::string::npos);
    CHECK(std::string(caught.what()).find("1 s") != std::string::npos);
    client.close();
    CHECK(rig.open_channels() == 0);
    client.open();
    CHECK(eid_of(client).size() == 32);
    client.close();
    CHECK(rig.open_channels() == 0);
}

TEST_CASE("at: the port is locked: a second user gets Busy, stale lock files are removed") {
    Rig rig("quectel");
    const fs::path lock = rig.dir / at::uucp_lock_name(fs::canonical(rig.dir / "modem").string());
    {
        // Somebody else (a live process: our parent) holds the UUCP lock.
        std::ofstream(lock) << "     " << ::getppid() << "\n";
        at::AtTransport t(rig.options());
        auto msg = test::message_of([&] { t.open(); });
        CHECK(msg.find("port in use by PID " + std::to_string(::getppid())) != std::string::npos);
        CHECK(test::code_of([&] { t.open(); }) == Errc::Busy);
    }
    {
        std::ofstream(lock, std::ios::trunc) << "   4194304\n";  // above pid_max: not running
        at::AtTransport t(rig.options());
        t.open();
        Bytes raw = test::read_file(lock);
        std::string content(raw.begin(), raw.end());
        CHECK(content == std::string(10 - std::to_string(::getpid()).size(), ' ') + std::to_string(::getpid()) + "\n");
        at::AtTransport second(rig.options());
        CHECK(test::message_of([&] { second.open(); }).find("port in use") != std::string::npos);
    }
    CHECK(!fs::exists(lock));  // released with the transport
}

TEST_CASE("at: the port vanishes: Unavailable, and the transport lets go of it") {
    Rig rig("quectel");
    at::AtTransport t(rig.options());
    Es10Client client(t);
    client.open();
    rig.unplug();
    CHECK(test::code_of([&] { client.transceive(kGetEid); }) == Errc::Unavailable);
    client.close();
    CHECK(!t.port_open());
    CHECK(test::code_of([&] { t.open(); }) == Errc::Unavailable);
}
