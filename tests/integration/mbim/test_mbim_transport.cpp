// SPDX-License-Identifier: Apache-2.0
// The mbim: transport itself (no daemon) against the fake mbim-proxy/modem, through the real libmbim. Runs inside
// run-in-netns.sh; each case starts its own fake (env FAKE_MBIM) on a fresh virtual eUICC from the test PKI.
#include <doctest/doctest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "drivers/mbim/mbim_transport.h"
#include "drivers/registry.h"
#include "libapdu/apdu.h"
#include "libapdu/error.h"
#include "unit/test_support.h"

extern char** environ;

namespace {
namespace fs = std::filesystem;
using lpad::Errc;
using lpad::test::hex;

const lpad::Bytes kIsdr = hex("A0000005591010FFFFFFFF8900000100");

// A fake mbim-proxy for one test case: its own temp dir, port node and card; stopped by the destructor.
struct Fake {
    fs::path dir;
    std::string port;
    pid_t pid = -1;

    explicit Fake(std::vector<std::string> extra = {}) {
        char tmpl[] = "/tmp/lpad-mbim-transport.XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        dir = tmpl;
        port = (dir / "cdc-wdm0").string();
        REQUIRE(mknod(port.c_str(), S_IFCHR | 0600, makedev(1, 3)) == 0);  // libmbim wants a character device
        const char* fake = std::getenv("FAKE_MBIM");
        REQUIRE_MESSAGE(fake, "FAKE_MBIM not set");
        std::vector<std::string> args{fake, "--device", port, "--stats", (dir / "stats.json").string(),
                                      "--ready-file", (dir / "ready").string(), "--foreign-channel", "1"};
        args.insert(args.end(), extra.begin(), extra.end());
        args.push_back("virtual:" + (dir / "card.json").string() + "?pki=" LPAD_BINARY_DIR "/pki&channels=8");
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        REQUIRE(posix_spawn(&pid, fake, nullptr, nullptr, argv.data(), environ) == 0);
        for (int i = 0; i < 300 && !fs::exists(dir / "ready"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        REQUIRE_MESSAGE(fs::exists(dir / "ready"), "the fake mbim-proxy did not start");
    }
    ~Fake() {
        stop();
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    void stop() {
        if (pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, nullptr, 0);
            pid = -1;
        }
    }
    nlohmann::json stats() const {
        std::ifstream in(dir / "stats.json");
        return nlohmann::json::parse(in);
    }
    std::unique_ptr<lpad::Transport> transport(const std::string& params = "timeout=5") const {
        return lpad::drivers::create_transport("mbim:" + port + "?" + params);
    }
};

lpad::apdu::Response send(lpad::Transport& t, const std::string& apdu_hex) {
    return lpad::exchange(t, lpad::apdu::Command::decode(hex(apdu_hex)));
}
}  // namespace

TEST_CASE("mbim transport: IMEI, a channel on the ISD-R, an ES10 command, everything closed") {
    Fake fake({"--imei", "356938035643809"});
    auto t = fake.transport();
    t->open();
    t->open();  // idempotent
    CHECK(t->device_imei() == "356938035643809");
    const auto ch = t->open_logical_channel(kIsdr);
    CHECK(ch >= 1);
    CHECK(ch <= 3);
    CHECK(fake.stats()["open_in_group2"] == 1);
    // GetEID (SGP.22 5.7.20): STORE DATA BF3E 03 5C 01 5A, case 3 as written; the driver adds Le
    const std::string cla = ch == 1 ? "81" : ch == 2 ? "82" : "83";
    auto r = send(*t, cla + "E29100 06 BF3E035C015A");
    CHECK(r.sw == 0x9000);
    REQUIRE(r.data.size() == 21);
    CHECK(r.data[0] == 0xBF);
    CHECK(r.data[1] == 0x3E);
    CHECK(fake.stats()["apdus_without_le"] == 0);
    // a class byte naming a channel this transport did not open never reaches the modem
    CHECK(lpad::test::code_of([&] { t->transmit(hex("80E2910006BF3E035C015A")); }) == Errc::InvalidArgument);
    t->close_logical_channel(ch);
    CHECK(fake.stats()["open_in_group2"] == 0);
    t->close();
    t->close();  // safe twice
    auto s = fake.stats();
    CHECK(s["channels_opened"] == s["channels_closed"]);
    CHECK(s["open_channels"].size() == 1);  // ModemManager's, group 1
}

TEST_CASE("mbim transport: an AID the card does not have is CardError 6A82 and leaves no channel") {
    Fake fake;
    auto t = fake.transport();
    t->open();
    try {
        t->open_logical_channel(hex("A0000005591010FFFFFFFF8900000200"));
        FAIL("opened");
    } catch (const lpad::Error& e) {
        CHECK(e.code() == Errc::CardError);
        CHECK(e.status_word == 0x6A82);
    }
    CHECK(fake.stats()["open_in_group2"] == 0);
    CHECK(fake.stats()["card_open_channels"].size() == 2);  // basic + ModemManager's
    t->close();
}

// Helper, run as a separate process by the next case (env MBIM_HELPER_PORT): opens two channels and dies without
// closing anything, as a killed lpad would.
TEST_CASE("mbim helper: open two channels and die") {
    const char* port = std::getenv("MBIM_HELPER_PORT");
    if (!port) return;
    auto t = lpad::drivers::create_transport(std::string("mbim:") + port + "?timeout=5");
    t->open();
    t->open_logical_channel(kIsdr);
    t->open_logical_channel(kIsdr);
    std::_Exit(0);
}

TEST_CASE("mbim transport: channels a killed session left behind are released by the next open") {
    Fake fake;
    {
        std::string self = fs::read_symlink("/proc/self/exe").string();
        std::string filter = "--test-case=mbim helper*";
        std::string env_port = "MBIM_HELPER_PORT=" + fake.port;
        std::vector<char*> argv{self.data(), filter.data(), nullptr};
        std::vector<char*> envp;
        for (char** e = environ; *e; ++e) envp.push_back(*e);
        envp.push_back(env_port.data());
        envp.push_back(nullptr);
        pid_t pid = -1;
        REQUIRE(posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv.data(), envp.data()) == 0);
        int status = 0;
        REQUIRE(waitpid(pid, &status, 0) == pid);
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    CHECK(fake.stats()["open_in_group2"] == 2);
    auto t = fake.transport();
    t->open();
    CHECK(fake.stats()["open_in_group2"] == 0);
    CHECK(fake.stats()["stale_released"] == 2);
    CHECK(fake.stats()["open_channels"].size() == 1);  // group 1 untouched
    t->close();
}

TEST_CASE("mbim transport: a DeviceId that is not an IMEI is not reported, MBIM errors by name") {
    Fake fake({"--imei", "A1000012345678", "--fault", "open-channel@1=status:87430001", "--fault",
               "apdu@1=status:1"});
    auto t = fake.transport();
    t->open();
    CHECK(t->device_imei().empty());
    try {
        t->open_logical_channel(kIsdr);
        FAIL("opened");
    } catch (const lpad::Error& e) {
        CHECK(e.code() == Errc::Busy);
        CHECK(std::string(e.what()).find("MsNoLogicalChannels") != std::string::npos);
    }
    const auto ch = t->open_logical_channel(kIsdr);
    try {
        send(*t, std::string(ch == 1 ? "81" : "82") + "E29100 06 BF3E035C015A");
        FAIL("sent");
    } catch (const lpad::Error& e) {
        CHECK(e.code() == Errc::Busy);
        CHECK(std::string(e.what()).find("modem answered Busy") != std::string::npos);
    }
    t->close();
    CHECK(fake.stats()["open_in_group2"] == 0);
}

TEST_CASE("mbim transport: no proxy is Unavailable, quickly, and no real mbim-proxy is started") {
    Fake fake;
    fake.stop();
    auto t = fake.transport("timeout=3");
    const auto start = std::chrono::steady_clock::now();
    try {
        t->open();
        FAIL("opened");
    } catch (const lpad::Error& e) {
        CHECK(e.code() == Errc::Unavailable);
        CHECK(std::string(e.what()).find("mbim-proxy") != std::string::npos);
    }
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(15));
    CHECK(lpad::test::code_of([&] { t->open_logical_channel(kIsdr); }) == Errc::Unavailable);
}

TEST_CASE("mbim transport: the proxy going away mid-session is Unavailable, and a new proxy works") {
    auto fake = std::make_unique<Fake>();
    auto t = fake->transport();
    t->open();
    const auto ch = t->open_logical_channel(kIsdr);
    const std::string port = fake->port;
    fake->stop();
    try {
        send(*t, std::string(ch == 1 ? "81" : "82") + "E29100 06 BF3E035C015A");
        FAIL("sent");
    } catch (const lpad::Error& e) {
        CHECK((e.code() == Errc::Unavailable || e.code() == Errc::TransportError));
    }
    CHECK(lpad::test::code_of([&] { t->transmit(hex("81E2910006BF3E035C015A")); }) == Errc::Unavailable);
    t->close();
}
