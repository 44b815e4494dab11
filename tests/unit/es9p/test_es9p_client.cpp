// SPDX-License-Identifier: Apache-2.0
// Es9pClient / Es11Client: URLs, headers, HTTP status handling, logging; over a scripted HttpClient and over real
// HTTPS to a local fake SM-DP+.
#include <doctest/doctest.h>
#include <httplib.h>

#include <deque>
#include <functional>
#include <mutex>

#include "libapdu/error.h"
#include "libapdu/log.h"
#include "lpad/es9p/curl_http_client.h"
#include "lpad/es9p/es9p_client.h"
#include "unit/es9p/tls_fixture.h"

using namespace lpad;
using namespace lpad::es9p;

namespace {

// Answers each post() with the next scripted response and keeps the requests.
class ScriptedHttp : public HttpClient {
public:
    std::deque<HttpResponse> answers;
    std::vector<HttpRequest> requests;
    HttpResponse post(const HttpRequest& request) override {
        requests.push_back(request);
        if (answers.empty()) fail(Errc::Internal, "ScriptedHttp: unexpected request to " + request.url);
        HttpResponse r = answers.front();
        answers.pop_front();
        return r;
    }
};

Error error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no lpad::Error thrown");
    return Error(Errc::Internal, "none");
}

const std::string kFailedMatchingId = encode_failure(subject::kMatchingId, reason::kRefused, "Refused");
const Bytes kAsr = {0xBF, 0x38, 0x00};

}  // namespace

TEST_CASE("es9p: URLs and headers are exactly as SGP.22 binds them") {
    ScriptedHttp http;
    InitiateAuthenticationResponse canned{"0A0B", {0x30}, {0x5F}, {0x04}, {0x30}};
    http.answers.push_back({200, canned.encode(), "application/json;charset=UTF-8"});
    Es9pClient client(http, "SMDP.Example.COM:8443");
    CHECK(client.address() == "smdp.example.com:8443");
    auto r = client.initiate_authentication({{1}, {2}, "smdp.example.com"});
    CHECK(r.transaction_id == "0A0B");
    REQUIRE(http.requests.size() == 1);
    CHECK(http.requests[0].url == "https://smdp.example.com:8443/gsma/rsp2/es9plus/initiateAuthentication");
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"Content-Type", "application/json;charset=UTF-8"},
        {"X-Admin-Protocol", "gsma/rsp/v2.2.0"},
        {"User-Agent", "gsma-rsp-lpad"}};
    CHECK(http.requests[0].headers == expected);
    CHECK(InitiateAuthenticationRequest::decode(http.requests[0].body).smdp_address == "smdp.example.com");

    CHECK(client.url("getBoundProfilePackage") ==
          "https://smdp.example.com:8443/gsma/rsp2/es9plus/getBoundProfilePackage");
    CHECK(Es11Client(http, "LPA.DS.GSMA.COM").url("authenticateClient") ==
          "https://lpa.ds.gsma.com/gsma/rsp2/es9plus/authenticateClient");
    CHECK(Es11Client(http, "smds.test", std::string(kEs11AlternatePath)).url("initiateAuthentication") ==
          "https://smds.test/gsma/rsp2/es11/initiateAuthentication");
}

TEST_CASE("es9p: server addresses are validated") {
    ScriptedHttp http;
    for (const char* bad : {"", "https://smdp.example.com", "smdp.example.com/path", "user@smdp.example.com",
                            "smdp example.com", ":443", "smdp.example.com?x=1", "smdp.example.com:", "smdp.example.com:https",
                            "smdp.example.com:1:2", "[::1", "[::1]x"}) {
        CAPTURE(bad);
        CHECK(error_of([&] { Es9pClient c(http, bad); }).code() == Errc::InvalidArgument);
    }
    CHECK(normalize_server_address("[::1]:8443") == "[::1]:8443");
    CHECK(normalize_server_address("[::1]") == "[::1]");
    CHECK(normalize_server_address("Rsp.Example.COM:443") == "rsp.example.com:443");
    CHECK(error_of([&] { Es11Client c(http, "smds.test", "gsma/rsp2/es11"); }).code() == Errc::InvalidArgument);
}

TEST_CASE("es9p: HTTP status handling") {
    struct Case {
        const char* name;
        HttpResponse answer;
        Errc code;
        std::optional<int> http_status;
        const char* subject;
    };
    const Case cases[] = {
        {"200 with Failed header", {200, kFailedMatchingId, "application/json"}, Errc::ServerError, {}, "8.2.6"},
        {"400 with Failed header", {400, kFailedMatchingId, "application/json"}, Errc::ServerError, 400, "8.2.6"},
        {"500 HTML page", {500, "<html><body>Internal error</body></html>", "text/html"}, Errc::HttpError, 500, ""},
        {"404 empty", {404, "", ""}, Errc::HttpError, 404, ""},
        {"503 JSON with a success header", {503, encode_status_only(), "application/json"}, Errc::HttpError, 503, ""},
        {"200 garbage", {200, "<html>captive portal</html>", "text/html"}, Errc::MalformedData, {}, ""},
        {"200 empty body", {200, "", ""}, Errc::MalformedData, 200, ""},
        {"204 where a body is needed", {204, "", ""}, Errc::MalformedData, 204, ""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        ScriptedHttp http;
        http.answers.push_back(c.answer);
        Es9pClient client(http, "smdp.example.com");
        Error e = error_of([&] { client.authenticate_client({"01", kAsr}); });
        CHECK(e.code() == c.code);
        CHECK(e.http_status == c.http_status);
        CHECK(e.subject_code == c.subject);
    }
}

TEST_CASE("es9p: handleNotification and cancelSession accept no-content answers") {
    struct Case {
        const char* name;
        HttpResponse answer;
        std::optional<Errc> error;
    };
    const Case cases[] = {
        {"204 No Content", {204, "", ""}, std::nullopt},
        {"200 empty", {200, "", ""}, std::nullopt},
        {"200 success header", {200, encode_status_only(), "application/json"}, std::nullopt},
        {"200 Failed header", {200, kFailedMatchingId, "application/json"}, Errc::ServerError},
        {"200 garbage", {200, "OK", "text/plain"}, Errc::MalformedData},
        {"404", {404, "not here", "text/plain"}, Errc::HttpError},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        ScriptedHttp http;
        http.answers.push_back(c.answer);
        http.answers.push_back(c.answer);
        Es9pClient client(http, "smdp.example.com");
        auto notify = [&] { client.handle_notification({{0xBF, 0x37, 0x00}}); };
        auto cancel = [&] { client.cancel_session({"01", {0xBF, 0x41, 0x00}}); };
        if (c.error) {
            CHECK(error_of(notify).code() == *c.error);
            CHECK(error_of(cancel).code() == *c.error);
        } else {
            CHECK_NOTHROW(notify());
            CHECK_NOTHROW(cancel());
        }
        REQUIRE(http.requests.size() == 2);
        CHECK(http.requests[0].url == "https://smdp.example.com/gsma/rsp2/es9plus/handleNotification");
        CHECK(http.requests[1].url == "https://smdp.example.com/gsma/rsp2/es9plus/cancelSession");
    }
}

TEST_CASE("es9p: debug log redacts event IDs and summarises binary members") {
    std::vector<std::string> lines;
    log::set_sink([&](log::Level, std::string_view, std::string_view m) { lines.emplace_back(m); }, log::Level::Debug);
    ScriptedHttp http;
    Es11AuthenticateClientResponse canned{"01", {{"SECRET-EVENT-ID-1234", "smdp.example.com"}}};
    http.answers.push_back({200, canned.encode(), "application/json"});
    Es11Client client(http, "lpa.ds.gsma.com");
    auto r = client.authenticate_client({"01", Bytes(300, 0x5A)});
    log::set_sink(nullptr, log::Level::Error);

    REQUIRE(r.event_entries.size() == 1);
    CHECK(r.event_entries[0].event_id == "SECRET-EVENT-ID-1234");
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    CHECK(all.find("SECRET-EVENT-ID-1234") == std::string::npos);
    CHECK(all.find(log::redact("SECRET-EVENT-ID-1234")) != std::string::npos);
    CHECK(all.find("smdp.example.com") != std::string::npos);
    CHECK(all.find("<400 chars>") != std::string::npos);  // base64 of the 300-byte authenticateServerResponse
}

TEST_CASE("es9p: a session against a local HTTPS SM-DP+ over one connection") {
    testing::TestCa ca("lpad test CI");
    auto leaf = ca.issue_server("smdp.lpad.test", "DNS:smdp.lpad.test");
    testing::TestHttpsServer server(leaf);
    std::mutex m;
    std::vector<httplib::Headers> seen_headers;
    auto record = [&](const httplib::Request& req) {
        std::lock_guard lock(m);
        seen_headers.push_back(req.headers);
    };
    server.http().Post("/gsma/rsp2/es9plus/initiateAuthentication",
                       [&](const httplib::Request& req, httplib::Response& res) {
                           record(req);
                           auto in = InitiateAuthenticationRequest::decode(req.body);
                           InitiateAuthenticationResponse out{"00112233445566778899AABBCCDDEEFF", in.euicc_challenge,
                                                              {0x5F, 0x37}, {0x04, 0x00}, in.euicc_info1};
                           res.set_content(out.encode(), "application/json;charset=UTF-8");
                       });
    server.http().Post("/gsma/rsp2/es9plus/authenticateClient", [&](const httplib::Request& req, httplib::Response& res) {
        record(req);
        res.set_content(encode_failure(subject::kMatchingId, reason::kRefused, "no such order"), "application/json");
    });
    server.http().Post("/gsma/rsp2/es9plus/handleNotification", [&](const httplib::Request& req, httplib::Response& res) {
        record(req);
        res.status = 204;
    });
    server.start();

    CurlOptions options;
    options.ca_pem = ca.cert_pem();
    options.resolve = {"smdp.lpad.test:" + std::to_string(server.port()) + ":127.0.0.1"};
    CurlHttpClient http(options);
    Es9pClient client(http, "smdp.lpad.test:" + std::to_string(server.port()));

    auto r = client.initiate_authentication({{1, 2, 3}, {0xBF, 0x20, 0x00}, "smdp.lpad.test"});
    CHECK(r.transaction_id == "00112233445566778899AABBCCDDEEFF");
    CHECK(r.server_signed1 == Bytes{1, 2, 3});
    CHECK(r.server_certificate == Bytes{0xBF, 0x20, 0x00});

    Error e = error_of([&] { client.authenticate_client({r.transaction_id, kAsr}); });
    CHECK(e.code() == Errc::ServerError);
    CHECK(e.subject_code == "8.2.6");
    CHECK(e.reason_code == "3.8");

    CHECK_NOTHROW(client.handle_notification({{0xBF, 0x37, 0x00}}));
    CHECK(http.stats().requests == 3);
    CHECK(http.stats().connects == 1);

    REQUIRE(seen_headers.size() == 3);
    for (const auto& h : seen_headers) {
        auto value = [&](const char* name) {
            auto it = h.find(name);  // httplib compares header names case-insensitively
            return it == h.end() ? std::string("(absent)") : it->second;
        };
        CHECK(value("Content-Type") == "application/json;charset=UTF-8");
        CHECK(value("X-Admin-Protocol") == "gsma/rsp/v2.2.0");
        CHECK(value("User-Agent") == "gsma-rsp-lpad");
        CHECK(h.count("Expect") == 0);
    }
}
