// lpad-test-smdpp as a process: starts on a free port, reports it, answers ES9+, logs, stops on SIGTERM.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/smdpp/smdpp_test_client.h"

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
    std::string text = to_string(crypto::read_file(log));
    CHECK(text.find("ES9+.initiateAuthentication -> Failed 8.8.1/3.8") != std::string::npos);
    std::string state_text = to_string(crypto::read_file(dir + "/state.json"));
    CHECK(state_text.find("\"MID-P\"") != std::string::npos);
    std::filesystem::remove_all(dir);
}
