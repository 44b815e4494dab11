// SPDX-License-Identifier: Apache-2.0
// The admin interface (/admin/...) over the SM-DP+'s own HTTPS listener, verified like an LPA verifies it:
// orders, SM-DS events, faults; malformed bodies; loopback-only.
#include <doctest/doctest.h>
#include <netinet/in.h>

#include <cstring>
#include <map>
#include <tuple>

#include "tests/smdpp/admin_test_client.h"

using namespace lpad;
using namespace lpad::smdpp;
using namespace lpad::smdpp::testing;
using Json = nlohmann::json;

namespace {

const std::string kIccid = "88449911223344556677";  // header and EF codings coincide (see test_download.cpp)

Json order_json(const std::string& matching_id, const std::string& iccid = kIccid) {
    return Json{{"matchingId", matching_id}, {"profile", upp_path()}, {"iccid", iccid}};
}

// matchingId -> state, from GET /admin/orders.
std::map<std::string, std::string> states(AdminClient& admin) {
    auto a = admin.get("/admin/orders");
    REQUIRE(a.status == 200);
    REQUIRE(a.body.is_array());
    std::map<std::string, std::string> out;
    for (const auto& o : a.body) out[o.at("matchingId").get<std::string>()] = o.at("state").get<std::string>();
    return out;
}

}  // namespace

TEST_CASE("admin: POST /admin/orders creates orders, GET /admin/orders lists them with their states") {
    TestServer srv;
    auto admin = AdminClient::https(srv.port());
    auto created = admin.post("/admin/orders", Json::array({order_json("MID-A1"), order_json("MID-A2")}));
    INFO(created.text);
    REQUIRE(created.status == 200);
    CHECK(created.body.at("count") == 2);
    CHECK(states(admin) == std::map<std::string, std::string>{{"MID-A1", "released"}, {"MID-A2", "released"}});

    // One object (not an array) is accepted too; same matching ID replaces the order.
    Json with_code = order_json("MID-A2", "8949449999999990011");
    with_code["confirmationCode"] = "1234";
    with_code["maxConfirmationAttempts"] = 5;
    REQUIRE(admin.post("/admin/orders", with_code).status == 200);
    auto listed = admin.get("/admin/orders").body;
    REQUIRE(listed.size() == 2);
    CHECK(listed[1].at("iccid") == "8949449999999990011");
    CHECK(listed[1].at("confirmationAttemptsLeft") == 5);

    // The order is the one ES9+ serves: download it, and the list follows its state.
    TestLpa lpa(srv);
    REQUIRE(lpa.download("MID-A1").succeeded());
    CHECK(states(admin) == std::map<std::string, std::string>{{"MID-A1", "installed"}, {"MID-A2", "released"}});
    auto notes = admin.get("/admin/notifications");
    REQUIRE(notes.status == 200);
    REQUIRE(notes.body.size() == 1);
    CHECK(notes.body[0].at("kind") == "ProfileInstallationResult");
    CHECK(notes.body[0].at("verified") == true);
}

TEST_CASE("admin: POST /admin/events registers an SM-DS event that ES11 authenticateClient returns") {
    TestServer srv;
    TestLpa lpa(srv);
    auto admin = AdminClient::https(srv.port());
    std::string eid = eid_to_string(lpa.es10->call(es10::GetEuiccDataRequest{}).eid_value);
    auto r = admin.post("/admin/events",
                        Json::array({{{"eid", eid}, {"eventId", "EV-ADMIN"}, {"rspServerAddress", srv.address}},
                                     {{"eid", "89049032123451234512345678901335"},
                                      {"eventId", "EV-OTHER"},
                                      {"rspServerAddress", "x.example.com"}}}));
    INFO(r.text);
    REQUIRE(r.status == 200);
    auto listed = admin.get("/admin/events").body;
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].at("eventId") == "EV-ADMIN");

    Bytes challenge = lpa.es10->call(es10::GetEuiccChallengeRequest{}).euicc_challenge;
    Bytes info1 = lpa.es10->transceive(es10::GetEuiccInfo1Request{}.encode());
    auto init = lpa.es11->initiate_authentication({challenge, info1, srv.address});
    lpa.last_initiate = init;
    lpa.transaction_id = init.transaction_id;
    auto resp = lpa.es11->authenticate_client({init.transaction_id, lpa.authenticate_server("")});
    REQUIRE(resp.event_entries.size() == 1);
    CHECK(resp.event_entries[0].event_id == "EV-ADMIN");
    CHECK(resp.event_entries[0].rsp_server_address == srv.address);
}

TEST_CASE("admin: POST /admin/faults arms a fault the next ES9+ call sees, DELETE /admin/faults clears them") {
    TestServer srv;
    auto admin = AdminClient::https(srv.port());
    REQUIRE(admin.post("/admin/faults", Json{{"fault", "http500@initiateAuthentication"}}).status == 200);
    CHECK(admin.get("/admin/faults").body == Json::array({"http500@initiateAuthentication"}));
    {
        TestLpa lpa(srv);
        auto e = error_of([&] { lpa.initiate(); });
        CHECK(e.http_status == 500);
    }
    CHECK(admin.get("/admin/faults").body == Json::array());  // a one-shot fault is gone once fired

    auto two = admin.post("/admin/faults", Json{{"faults", {"close@authenticateClient+", "delay=10@*"}}});
    CHECK(two.body.at("count") == 2);
    CHECK(admin.get("/admin/faults").body.size() == 2);
    auto cleared = admin.del("/admin/faults");
    CHECK(cleared.status == 200);
    CHECK(admin.get("/admin/faults").body == Json::array());
    srv.add_order("MID-F", kIccid);
    TestLpa lpa(srv);
    CHECK(lpa.download("MID-F").succeeded());
}

TEST_CASE("admin: a malformed body is a 400 with a JSON error, and changes nothing") {
    Json bad_iccid = order_json("MID-BAD");
    bad_iccid["iccid"] = "12AB";
    Json no_profile = order_json("MID-BAD");
    no_profile["profile"] = "/nonexistent/upp.der";
    Json wrong_type = order_json("MID-BAD");
    wrong_type["maxConfirmationAttempts"] = "three";
    Json bad_ppr = order_json("MID-BAD");
    bad_ppr["ppr"] = {"ppr9"};
    const Json good_event{{"eid", "89049032123451234512345678901335"}, {"eventId", "E"}, {"rspServerAddress", "a.b"}};
    struct Case {
        std::string path, body;
    };
    const Case cases[] = {
        {"/admin/orders", "not json"},
        {"/admin/orders", ""},
        {"/admin/orders", "[1]"},
        {"/admin/orders", R"({"matchingId": 5})"},
        {"/admin/orders", Json{{"matchingId", "MID-BAD"}, {"profile", upp_path()}}.dump()},  // no iccid
        {"/admin/orders", bad_iccid.dump()},
        {"/admin/orders", no_profile.dump()},
        {"/admin/orders", wrong_type.dump()},
        {"/admin/orders", bad_ppr.dump()},
        {"/admin/orders", Json::array({order_json("MID-GOOD"), bad_iccid}).dump()},  // good one not added either
        {"/admin/events", R"({"eid": "1234", "eventId": "E", "rspServerAddress": "a.b"})"},
        {"/admin/events", R"({"eid": "89049032123451234512345678901335", "eventId": "", "rspServerAddress": "a"})"},
        {"/admin/events", Json::array({good_event, Json{{"eventId", "E2"}}}).dump()},
        {"/admin/events", R"("text")"},
        {"/admin/faults", R"({"fault": "explode@initiateAuthentication"})"},
        {"/admin/faults", R"({"fault": 7})"},
        {"/admin/faults", R"({})"},
        {"/admin/faults", R"(["close@*"])"},
        {"/admin/faults", R"({"faults": "close@*"})"},
        {"/admin/faults", R"({"faults": ["close@*", "close@noSuchFunction"]})"},
        {"/admin/faults", R"({"fault": "close@*", "faults": ["bogus"]})"},
    };
    TestServer srv;
    srv.add_order("MID-KEEP", kIccid);
    auto admin = AdminClient::https(srv.port());
    auto snapshot = [&] {
        return Json{admin.get("/admin/orders").body, admin.get("/admin/events").body, admin.get("/admin/faults").body};
    };
    const Json before = snapshot();
    for (const auto& c : cases) {
        CAPTURE(c.path);
        CAPTURE(c.body);
        auto a = admin.post(c.path, c.body);
        CHECK(a.status == 400);
        REQUIRE(a.body.is_object());
        REQUIRE(a.body.contains("error"));
        CHECK(a.body["error"].is_string());
        CHECK_FALSE(a.body["error"].get<std::string>().empty());
        CHECK(snapshot() == before);
    }
}

TEST_CASE("admin: unknown resources are 404, wrong methods 405") {
    TestServer srv;
    auto admin = AdminClient::https(srv.port());
    CHECK(admin.get("/admin/sessions").status == 404);
    CHECK(admin.post("/admin/sessions", "{}").status == 404);
    CHECK(admin.del("/admin/orders").status == 405);
    CHECK(admin.post("/admin/notifications", "{}").status == 405);
    auto a = admin.get("/admin/");
    CHECK(a.status == 404);
    CHECK(a.body.contains("error"));
}

TEST_CASE("admin: the certificate and host name are verified (the admin client is not blind)") {
    TestServer srv;
    auto wrong_name = AdminClient::https(srv.port(), "127.0.0.1", "wrong.example.com");
    CHECK(wrong_name.error_of_get("/admin/orders") == httplib::Error::SSLServerVerification);
}

TEST_CASE("admin: loopback peers only") {
    SUBCASE("is_loopback_peer") {
        const std::pair<std::string, bool> cases[] = {
            {"127.0.0.1", true},     {"127.1.2.3", true},      {"::1", true},         {"::ffff:127.0.0.1", true},
            {"192.0.2.2", false},    {"10.0.0.1", false},      {"::", false},         {"::ffff:10.0.0.1", false},
            {"fe80::1", false},      {"0.0.0.0", false},       {"", false},           {"1127.0.0.1", false},
        };
        for (const auto& [addr, loopback] : cases) {
            CAPTURE(addr);
            CHECK(is_loopback_peer(addr) == loopback);
        }
    }
    SUBCASE("handle(): a non-loopback call is refused (403) and changes nothing") {
        TestServer srv;
        HttpCall call;
        call.path = "/admin/orders";
        call.body = order_json("MID-REMOTE").dump();
        call.from_loopback = false;
        CHECK(srv.server->handle(call).status == 403);
        CHECK(srv.server->orders().empty());
        call.from_loopback = true;
        CHECK(srv.server->handle(call).status == 200);
        CHECK(srv.server->orders().size() == 1);
    }

}

TEST_CASE("admin: GET /admin/orders shows the reason of the last verified cancelSession, by its ASN.1 name") {
    using R = es10::CancelSessionReason;
    TestServer srv;
    auto admin = AdminClient::https(srv.port());
    REQUIRE(admin.post("/admin/orders", Json::array({order_json("MID-C1"), order_json("MID-C2", "8949449999999990011"),
                                                     order_json("MID-C3", "8949449999999990029")}))
                .status == 200);
    auto reason_of = [&](const std::string& mid) -> Json {
        for (const auto& o : admin.get("/admin/orders").body)
            if (o.at("matchingId") == mid) return o.value("lastCancelReason", Json());
        FAIL("no order " << mid);
        return Json();
    };
    CHECK(reason_of("MID-C1").is_null());  // never cancelled: no field
    for (auto [mid, why, shown] : {std::tuple{"MID-C1", R::postponed, "postponed"},
                                   std::tuple{"MID-C2", R::endUserRejection, "endUserRejection"},
                                   std::tuple{"MID-C3", static_cast<R>(42), "42"}}) {  // a value SGP.22 does not name
        CAPTURE(mid);
        TestLpa lpa(srv);
        lpa.initiate();
        lpa.authenticate_client(mid);
        lpa.cancel(why);
        CHECK(reason_of(mid) == shown);
    }
    CHECK(states(admin).at("MID-C1") == "released");
    CHECK(states(admin).at("MID-C2") == "cancelled");
    // The next cancel of the same order replaces it (the last one is shown).
    TestLpa lpa(srv);
    lpa.initiate();
    lpa.authenticate_client("MID-C1");
    lpa.cancel(R::timeout);
    CHECK(reason_of("MID-C1") == "timeout");
}
