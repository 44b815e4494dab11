// SPDX-License-Identifier: Apache-2.0
// lpad-test-smdpp as a process: starts on a free port, reports it, answers ES9+, logs, stops on SIGTERM.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "libfile/file.h"
#include "tests/smdpp/admin_test_client.h"

using namespace lpad;
using namespace lpad::smdpp::testing;

TEST_CASE("lpad-test-smdpp: --port 0 --ready-file, ES9+ answers over HTTPS, SIGTERM stops it") {
    char dir_template[] = "/tmp/lpad-smdpp-XXXXXX";
    REQUIRE(::mkdtemp(dir_template) != nullptr);
    std::string dir = dir_template;
    std::string ready = dir + "/ready", log = dir + "/stderr", orders = dir + "/orders.json";
    std::ofstream(orders) << R"([{"matchingId": "MID-P", "profile": ")" << upp_path()
                          << R"(", "iccid": "8949449999999990011"}])";
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::freopen(log.c_str(), "w", stderr);
        std::freopen("/dev/null", "w", stdout);
        ::execl(LPAD_SMDPP_BIN, LPAD_SMDPP_BIN, "--pki", pki_dir().c_str(), "--address", (kHost + ":0").c_str(),
                "--port", "0", "--orders", orders.c_str(), "--ready-file", ready.c_str(), "--smds",
                "--state", (dir + "/state.json").c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int port = 0;
    for (int i = 0; i < 500 && port == 0; ++i) {
        std::ifstream in(ready);
        if (!(in >> port)) port = 0, std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(port > 0);
    es9p::CurlOptions co;
    co.ca_file = pki_dir() + "/trust/test-ci.pem";
    co.resolve.push_back(kHost + ":" + std::to_string(port) + ":127.0.0.1");
    es9p::CurlHttpClient http(co);
    es9p::Es9pClient client(http, kHost + ":" + std::to_string(port));
    auto e = error_of([&] { client.initiate_authentication({Bytes(16), Bytes{0xBF, 0x20, 0x00}, "other.example.com"}); });
    CHECK(e.code() == Errc::ServerError);
    CHECK(e.subject_code == "8.8.1");
    ::kill(pid, SIGTERM);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    std::string text = to_string(file::read(log));
    CHECK(text.find("ES9+.initiateAuthentication -> Failed 8.8.1/3.8") != std::string::npos);
    std::string state_text = to_string(file::read(dir + "/state.json"));
    CHECK(state_text.find("\"MID-P\"") != std::string::npos);
    std::filesystem::remove_all(dir);
}

namespace {

// Runs lpad-test-smdpp with `args` (after --pki and --address) and waits for it: its exit status.
int exit_status_of(std::vector<std::string> args) {
    args.insert(args.begin(), {LPAD_SMDPP_BIN, "--pki", pki_dir(), "--address", kHost + ":0"});
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::freopen("/dev/null", "w", stderr);
        std::freopen("/dev/null", "w", stdout);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(LPAD_SMDPP_BIN, argv.data());
        ::_exit(127);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("lpad-test-smdpp: bad --session-timeout values are refused (exit 2)") {
    for (std::string v : {"0", "-5", "abc", "86401", "5s"}) {
        CAPTURE(v);
        CHECK(exit_status_of({"--port", "0", "--session-timeout", v}) == 2);
    }
}

TEST_CASE("lpad-test-smdpp: --admin-port serves /admin/ over loopback HTTP, --session-timeout expires sessions") {
    char dir_template[] = "/tmp/lpad-smdpp-XXXXXX";
    REQUIRE(::mkdtemp(dir_template) != nullptr);
    std::string dir = dir_template;
    std::string ready = dir + "/ready", out = dir + "/stdout";
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::freopen("/dev/null", "w", stderr);
        std::freopen(out.c_str(), "w", stdout);
        ::execl(LPAD_SMDPP_BIN, LPAD_SMDPP_BIN, "--pki", pki_dir().c_str(), "--address", (kHost + ":0").c_str(),
                "--port", "0", "--admin-port", "0", "--session-timeout", "1", "--ready-file", ready.c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int port = 0;
    for (int i = 0; i < 500 && port == 0; ++i) {
        std::ifstream in(ready);
        if (!(in >> port)) port = 0, std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(port > 0);
    // "admin on 127.0.0.1:P" is printed (and flushed) before the ready file is written.
    std::string text = to_string(file::read(out));
    auto at = text.find("admin on 127.0.0.1:");
    REQUIRE(at != std::string::npos);
    int admin_port = std::stoi(text.substr(at + std::string("admin on 127.0.0.1:").size()));
    REQUIRE(admin_port > 0);

    auto admin = AdminClient::http(admin_port);
    nlohmann::json order{{"matchingId", "MID-PA"}, {"profile", upp_path()}, {"iccid", "88449911223344556677"}};
    CHECK(admin.post("/admin/orders", order).status == 200);
    auto listed = admin.get("/admin/orders");
    REQUIRE(listed.status == 200);
    REQUIRE(listed.body.size() == 1);
    CHECK(listed.body[0].at("state") == "released");
    auto bad = admin.post("/admin/orders", std::string("{"));
    CHECK(bad.status == 400);
    CHECK(bad.body.contains("error"));
    CHECK(admin.get("/gsma/rsp2/es9plus/initiateAuthentication").status == 404);  // only /admin/ there

    {
        TestLpa lpa(port, kHost + ":" + std::to_string(port));
        lpa.initiate();
        // The session times out 1 s after its last use; 1.5 s later it is certainly gone.
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        auto e = error_of([&] { lpa.authenticate_client("MID-PA"); });
        CHECK(e.subject_code == "8.10.1");
        CHECK(e.reason_code == "3.9");
    }
    CHECK(admin.get("/admin/orders").body[0].at("state") == "released");

    ::kill(pid, SIGTERM);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    std::filesystem::remove_all(dir);
}

namespace {

// Starts lpad-test-smdpp with `args` (after --pki), stderr to `log`; waits for its ready file: {pid, port}.
std::pair<pid_t, int> start_smdpp(std::vector<std::string> args, const std::string& dir, const std::string& log) {
    const std::string ready = dir + "/ready";
    std::filesystem::remove(ready);
    args.insert(args.begin(), {LPAD_SMDPP_BIN, "--pki", pki_dir(), "--ready-file", ready});
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::freopen(log.c_str(), "a", stderr);
        std::freopen("/dev/null", "w", stdout);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(LPAD_SMDPP_BIN, argv.data());
        ::_exit(127);
    }
    int port = 0;
    for (int i = 0; i < 3000 && port == 0; ++i) {
        std::ifstream in(ready);
        if (!(in >> port)) port = 0, std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(port > 0);
    return {pid, port};
}

void kill_and_reap(pid_t pid, int sig) {
    ::kill(pid, sig);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
}

}  // namespace

TEST_CASE("lpad-test-smdpp: killed and restarted with --state, it continues an open session and a bound package") {
    char dir_template[] = "/tmp/lpad-smdpp-XXXXXX";
    REQUIRE(::mkdtemp(dir_template) != nullptr);
    std::string dir = dir_template;
    std::string log = dir + "/stderr", orders = dir + "/orders.json", state = dir + "/state.json";
    std::string card = "virtual:" + dir + "/card.json?pki=" + pki_dir();
    std::ofstream(orders) << R"([{"matchingId": "MID-KILL", "profile": ")" << upp_path()
                          << R"(", "iccid": "88449911223344556677"}])";
    auto [pid, port] = start_smdpp({"--address", kHost + ":0", "--port", "0", "--orders", orders, "--state", state},
                                   dir, log);
    const std::string address = kHost + ":" + std::to_string(port);
    auto restart = [&] {
        kill_and_reap(pid, SIGKILL);  // no chance to save anything more
        pid = start_smdpp({"--address", address, "--port", std::to_string(port), "--orders", orders, "--state", state},
                          dir, log).first;
    };
    {
        TestLpa lpa(port, address, card);
        lpa.initiate();
        lpa.authenticate_client("MID-KILL");
        restart();  // between authenticateClient and getBoundProfilePackage
        lpa.prepare_download();
        lpa.get_bound_profile_package();
    }  // the LPA dies with the package delivered, not loaded
    restart();  // --orders again: the order in the state wins, it stays "downloaded"
    {
        TestLpa lpa(port, address, card);
        lpa.initiate();
        lpa.authenticate_client("MID-KILL");
        CHECK(es10::SmdpSigned2::decode(lpa.authenticate_client_response.smdp_signed2).bpp_euicc_otpk);
        lpa.prepare_download();
        lpa.get_bound_profile_package();
        REQUIRE(lpa.load_bound_profile_package().succeeded());
        lpa.send_installation_result();
    }
    kill_and_reap(pid, SIGTERM);
    auto j = nlohmann::json::parse(to_string(file::read(state)));
    REQUIRE(j.at("orders").size() == 1);
    CHECK(j["orders"][0].at("state") == "installed");
    REQUIRE(j.at("notifications").size() == 1);
    CHECK(j["notifications"][0].at("verified") == true);
    CHECK(j.at("boundPackages").empty());
    // The first session stays until it expires (its result could still come); it holds no order.
    REQUIRE(j.at("sessions").size() == 1);
    CHECK(j["sessions"][0].at("stage") == 2);
    CHECK(j["orders"][0].at("session") == "");
    std::string text = to_string(file::read(log));
    CHECK(text.find("state file " + state + ": 1 orders, 1 open sessions, 0 bound packages") != std::string::npos);
    CHECK(text.find("state file " + state + ": 1 orders, 1 open sessions, 1 bound packages") != std::string::npos);
    std::filesystem::remove_all(dir);
}
