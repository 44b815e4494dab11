// SPDX-License-Identifier: Apache-2.0
// RSP session expiry (ServerOptions::session_timeout): an unfinished session unused for the timeout is forgotten;
// its transactionId is then unknown (8.10.1 / 3.9, SGP.22 §5.6) and its order is downloadable again, also a
// "downloaded" one whose package was never reported installed.
// Time is an injected clock: no sleeping.
#include <doctest/doctest.h>

#include <atomic>
#include <memory>

#include "tests/smdpp/smdpp_test_client.h"

using namespace lpad;
using namespace lpad::smdpp;
using namespace lpad::smdpp::testing;
using namespace std::chrono_literals;

namespace {

const std::string kIccid = "88449911223344556677";  // header and EF codings coincide (see test_download.cpp)

// A clock the test moves by hand.
struct ManualClock {
    std::shared_ptr<std::atomic<std::int64_t>> seconds = std::make_shared<std::atomic<std::int64_t>>(0);
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    void install(SmdpServer& server) const {
        server.set_clock([s = seconds, t0 = start] { return t0 + std::chrono::seconds(s->load()); });
    }
    void advance(std::chrono::seconds d) const { *seconds += d.count(); }
};

void check_unknown_transaction(const Error& e) {
    INFO(e.what());
    CHECK(e.code() == Errc::ServerError);
    CHECK(e.subject_code == "8.10.1");
    CHECK(e.reason_code == "3.9");
}

TestServer server_with_timeout(std::chrono::seconds timeout) {
    ServerOptions o;
    o.session_timeout = timeout;
    return TestServer({pki_dir()}, o);
}

}  // namespace

TEST_CASE("session expiry: after the timeout the transactionId is unknown and the order is downloadable again") {
    TestServer srv;  // default timeout: 600 s
    ManualClock clock;
    clock.install(*srv.server);
    srv.add_order("MID-EXP", kIccid);
    TestLpa lpa(srv);
    lpa.initiate();
    lpa.authenticate_client("MID-EXP");
    lpa.prepare_download();
    CHECK(srv.server->order("MID-EXP")->session == lpa.transaction_id);
    clock.advance(600s);
    CHECK(srv.server->open_sessions() == 0);
    check_unknown_transaction(error_of([&] { lpa.get_bound_profile_package(); }));
    auto order = srv.server->order("MID-EXP");
    CHECK(order->state == OrderState::Released);
    CHECK(order->session.empty());
    TestLpa again(srv);
    CHECK(again.download("MID-EXP").succeeded());
    CHECK(srv.state("MID-EXP") == OrderState::Installed);
}

TEST_CASE("session expiry: each stage of an unfinished session times out") {
    struct Case {
        const char* stage;
        int steps;  // how far the LPA got before going quiet: 1 initiate, 2 authenticateClient
    };
    for (const Case c : {Case{"after initiateAuthentication", 1}, Case{"after authenticateClient", 2}}) {
        CAPTURE(c.stage);
        auto srv = server_with_timeout(30s);
        ManualClock clock;
        clock.install(*srv.server);
        srv.add_order("MID-STAGE", kIccid);
        TestLpa lpa(srv);
        lpa.initiate();
        if (c.steps >= 2) lpa.authenticate_client("MID-STAGE");
        clock.advance(30s);
        if (c.steps == 1) {
            Bytes asr = lpa.authenticate_server("MID-STAGE");
            check_unknown_transaction(error_of([&] { lpa.es9p->authenticate_client({lpa.transaction_id, asr}); }));
        } else {
            lpa.prepare_download();
            check_unknown_transaction(error_of([&] { lpa.get_bound_profile_package(); }));
        }
        // cancelSession of the forgotten session is unknown too.
        CHECK(error_of([&] { lpa.cancel(es10::CancelSessionReason::timeout); }).subject_code == "8.10.1");
        CHECK(srv.state("MID-STAGE") == OrderState::Released);
    }
}

TEST_CASE("session expiry: the timeout runs from the last call, so a slow but active download completes") {
    auto srv = server_with_timeout(60s);
    ManualClock clock;
    clock.install(*srv.server);
    srv.add_order("MID-SLOW", kIccid);
    TestLpa lpa(srv);
    lpa.initiate();
    clock.advance(59s);
    lpa.authenticate_client("MID-SLOW");
    clock.advance(59s);
    CHECK(srv.server->open_sessions() == 1);
    lpa.prepare_download();
    lpa.get_bound_profile_package();
    clock.advance(59s);
    REQUIRE(lpa.load_bound_profile_package().succeeded());
    lpa.send_installation_result();
    CHECK(srv.state("MID-SLOW") == OrderState::Installed);
    CHECK(srv.server->notifications().back().verified);
}

TEST_CASE("session expiry: a delivered package without a result: the order is released again, the package dropped") {
    auto srv = server_with_timeout(10s);
    ManualClock clock;
    clock.install(*srv.server);
    srv.add_order("MID-LATE", kIccid);
    TestLpa lpa(srv);
    lpa.initiate();
    lpa.authenticate_client("MID-LATE");
    lpa.prepare_download();
    lpa.get_bound_profile_package();
    REQUIRE(srv.server->bound_package("MID-LATE"));
    clock.advance(9s);
    TestLpa other(srv);
    other.initiate();  // runs the expiry: not yet
    CHECK(srv.state("MID-LATE") == OrderState::Downloaded);
    clock.advance(1s);
    REQUIRE(lpa.load_bound_profile_package().succeeded());
    lpa.send_installation_result();  // still accepted (204), and runs the expiry first
    auto rec = srv.server->notifications().back();
    CHECK_FALSE(rec.verified);
    CHECK(rec.detail.find("unknown transactionId") != std::string::npos);
    // As production servers do: no result within the timeout, the order is downloadable again and the package
    // bound to the old one-time key is discarded (a new download binds afresh).
    auto order = srv.server->order("MID-LATE");
    CHECK(order->state == OrderState::Released);
    CHECK(order->session.empty());
    CHECK_FALSE(srv.server->bound_package("MID-LATE"));
}

TEST_CASE("session expiry: a timeout of zero is refused") {
    ServerOptions o;
    o.address = kHost + ":443";
    o.session_timeout = 0s;
    auto e = error_of([&] { SmdpServer s(ServerPki::load({pki_dir()}), o); });
    CHECK(e.code() == Errc::InvalidArgument);
}
