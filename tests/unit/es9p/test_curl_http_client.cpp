// SPDX-License-Identifier: Apache-2.0
// CurlHttpClient against a real local HTTPS server (cpp-httplib) with throwaway certificates.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "libapdu/error.h"
#include "lpad/es9p/curl_http_client.h"
#include "lpad/es9p/trust.h"
#include "unit/es9p/tls_fixture.h"

using namespace lpad;
using namespace lpad::es9p;
using namespace lpad::es9p::testing;

namespace {

constexpr const char* kHost = "smdp.lpad.test";

// A server for kHost (pinned to 127.0.0.1 by CURLOPT_RESOLVE) with an echo handler on /echo.
struct EchoSetup {
    TestCa ca{"lpad test CI"};
    KeyAndCert leaf;
    TestHttpsServer server;

    explicit EchoSetup(const std::string& san = std::string("DNS:") + kHost, Validity validity = {})
        : leaf(ca.issue_server(kHost, san, validity)), server(leaf) {
        server.http().Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
            res.set_content("echo:" + req.body, "text/plain");
        });
    }

    CurlOptions options(std::string ca_pem = {}) const {
        CurlOptions o;
        o.ca_pem = ca_pem.empty() ? ca.cert_pem() : ca_pem;
        o.resolve = {std::string(kHost) + ":" + std::to_string(server.port()) + ":127.0.0.1"};
        o.connect_timeout = std::chrono::seconds(5);
        o.total_timeout = std::chrono::seconds(10);
        return o;
    }
    std::string url(const std::string& path, const std::string& host = kHost) const {
        return "https://" + host + ":" + std::to_string(server.port()) + path;
    }
};

Errc code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    FAIL("no lpad::Error thrown");
    return Errc::Internal;
}

}  // namespace

TEST_CASE("http: verified HTTPS POST with the right CA succeeds") {
    EchoSetup s;
    s.server.start();
    // The anchor goes through the trust loader, as in production: PEM -> TrustAnchor -> to_pem() -> curl blob.
    auto anchors = parse_trust_anchors(s.ca.cert_pem(), "test CA");
    CurlHttpClient client(s.options(to_pem(anchors)));
    HttpResponse r = client.post({s.url("/echo"), {}, "hello"});
    CHECK(r.status == 200);
    CHECK(r.body == "echo:hello");
    CHECK(r.content_type == "text/plain");
    CHECK(client.stats().requests == 1);
    CHECK(client.stats().bytes_up == 5);
    CHECK(client.stats().bytes_down == r.body.size());
}

TEST_CASE("http: a CA bundle file works as trust source") {
    EchoSetup s;
    s.server.start();
    std::string path = "/tmp/lpad-es9p-test-ca-" + std::to_string(s.server.port()) + ".pem";
    std::ofstream(path) << s.ca.cert_pem();
    CurlOptions o = s.options();
    o.ca_pem.clear();
    o.ca_file = path;
    CurlHttpClient client(o);
    CHECK(client.post({s.url("/echo"), {}, "x"}).body == "echo:x");
    std::remove(path.c_str());
}

TEST_CASE("http: TLS verification failures are TlsError") {
    SUBCASE("server certificate from an unknown CA") {
        EchoSetup s;
        s.server.start();
        TestCa other("some other CI");
        CurlHttpClient client(s.options(other.cert_pem()));
        try {
            client.post({s.url("/echo"), {}, "x"});
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::TlsError);
        }
    }
    SUBCASE("expired server certificate") {
        EchoSetup s(std::string("DNS:") + kHost, Validity{-10 * 24 * 3600, -24 * 3600});
        s.server.start();
        CurlHttpClient client(s.options());
        try {
            client.post({s.url("/echo"), {}, "x"});
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::TlsError);
            CHECK(std::string(e.what()).find("expired") != std::string::npos);
        }
    }
    SUBCASE("certificate for another host name") {
        EchoSetup s("DNS:other.lpad.test");
        s.server.start();
        CurlHttpClient client(s.options());
        CHECK(code_of([&] { client.post({s.url("/echo"), {}, "x"}); }) == Errc::TlsError);
    }
    SUBCASE("connecting by IP address to a certificate that names only a host") {
        EchoSetup s;
        s.server.start();
        CurlHttpClient client(s.options());
        CHECK(code_of([&] { client.post({s.url("/echo", "127.0.0.1"), {}, "x"}); }) == Errc::TlsError);
    }
}

TEST_CASE("http: redirects are an HttpError and are not followed") {
    EchoSetup s;
    std::atomic<int> target_hits{0};
    s.server.http().Post("/moved", [&](const httplib::Request&, httplib::Response& res) {
        res.status = 302;
        res.set_header("Location", s.url("/target"));
    });
    s.server.http().Post("/target", [&](const httplib::Request&, httplib::Response& res) {
        ++target_hits;
        res.set_content("{}", "application/json");
    });
    s.server.start();
    CurlHttpClient client(s.options());
    try {
        client.post({s.url("/moved"), {}, "x"});
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::HttpError);
        REQUIRE(e.http_status.has_value());
        CHECK(*e.http_status == 302);
    }
    CHECK(target_hits == 0);
}

TEST_CASE("http: a server slower than the total timeout gives Timeout") {
    EchoSetup s;
    std::mutex m;
    std::condition_variable cv;
    bool release = false;
    s.server.http().Post("/slow", [&](const httplib::Request&, httplib::Response& res) {
        std::unique_lock lock(m);
        cv.wait_for(lock, std::chrono::seconds(5), [&] { return release; });
        res.set_content("late", "text/plain");
    });
    s.server.start();
    CurlOptions o = s.options();
    o.total_timeout = std::chrono::milliseconds(300);
    CurlHttpClient client(o);
    auto start = std::chrono::steady_clock::now();
    CHECK(code_of([&] { client.post({s.url("/slow"), {}, "x"}); }) == Errc::Timeout);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
}

TEST_CASE("http: one connection serves several requests of one client") {
    EchoSetup s;
    std::mutex m;
    std::set<int> client_ports;
    s.server.http().Post("/port", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(m);
        client_ports.insert(req.remote_port);
        res.set_content("ok", "text/plain");
    });
    s.server.start();
    CurlHttpClient client(s.options());
    for (int i = 0; i < 3; ++i) CHECK(client.post({s.url("/port"), {}, std::string(100, 'a')}).body == "ok");
    CHECK(client.stats().requests == 3);
    CHECK(client.stats().connects == 1);
    CHECK(client.stats().bytes_up == 300);
    CHECK(client_ports.size() == 1);

    // A second client object is a second session: its own connection.
    CurlHttpClient second(s.options());
    second.post({s.url("/port"), {}, "b"});
    CHECK(second.stats().connects == 1);
    CHECK(client_ports.size() == 2);
}

TEST_CASE("http: a connection idle longer than max_idle_reuse is not reused") {
    EchoSetup s;
    std::mutex m;
    std::vector<int> client_ports;
    s.server.http().set_keep_alive_timeout(30);  // the server would keep it: the client decides
    s.server.http().Post("/port", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(m);
        client_ports.push_back(req.remote_port);
        res.set_content("ok", "text/plain");
    });
    s.server.start();
    auto idle = [&](CurlOptions o) {
        CurlHttpClient client(o);
        client.post({s.url("/port"), {}, "a"});
        std::this_thread::sleep_for(std::chrono::milliseconds(2200));
        client.post({s.url("/port"), {}, "b"});
        return client.stats().connects;
    };
    CurlOptions o = s.options();
    o.max_idle_reuse = std::chrono::seconds(1);  // reused below 2 s idle
    CHECK(idle(o) == 2);
    o.max_idle_reuse = std::chrono::seconds(10);
    CHECK(idle(o) == 1);
    REQUIRE(client_ports.size() == 4);
    CHECK(client_ports[0] != client_ports[1]);
    CHECK(client_ports[2] == client_ports[3]);
}

TEST_CASE("http: non-https URLs are refused before any connection") {
    EchoSetup s;
    s.server.start();
    CurlHttpClient client(s.options());
    for (std::string url : {"http://" + std::string(kHost) + "/echo", std::string("ftp://x/y"), std::string("https://"),
                            std::string("")}) {
        CAPTURE(url);
        CHECK(code_of([&] { client.post({url, {}, "x"}); }) == Errc::InvalidArgument);
    }
    CHECK(client.stats().connects == 0);
}

TEST_CASE("http: transport failures and limits") {
    SUBCASE("nobody listening is an HttpError") {
        TestCa ca("lpad test CI");
        CurlOptions o;
        o.ca_pem = ca.cert_pem();
        CurlHttpClient client(o);
        CHECK(code_of([&] { client.post({"https://127.0.0.1:" + std::to_string(unused_port()) + "/x", {}, ""}); }) ==
              Errc::HttpError);
    }
    SUBCASE("non-2xx answers are returned with their status") {
        EchoSetup s;
        s.server.http().Post("/fail", [](const httplib::Request&, httplib::Response& res) {
            res.status = 500;
            res.set_content("<html>oops</html>", "text/html");
        });
        s.server.start();
        CurlHttpClient client(s.options());
        HttpResponse r = client.post({s.url("/fail"), {}, "x"});
        CHECK(r.status == 500);
        CHECK(r.body == "<html>oops</html>");
    }
    SUBCASE("an answer above max_response_bytes is an HttpError") {
        EchoSetup s;
        s.server.start();
        CurlOptions o = s.options();
        o.max_response_bytes = 100;
        CurlHttpClient client(o);
        CHECK(code_of([&] { client.post({s.url("/echo"), {}, std::string(200, 'z')}); }) == Errc::HttpError);
    }
    SUBCASE("options need exactly one trust source") {
        CHECK(code_of([] { CurlHttpClient c(CurlOptions{}); }) == Errc::InvalidArgument);
        CurlOptions both;
        both.ca_pem = "x";
        both.ca_file = "y";
        CHECK(code_of([&] { CurlHttpClient c(both); }) == Errc::InvalidArgument);
    }
}
