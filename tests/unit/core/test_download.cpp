// Downloads end to end: the virtual eUICC and the test SM-DP+ over verified HTTPS.
// ICCIDs are chosen with doubled digit pairs (88 44 99 ...): the test SM-DP+ writes the SAIP ProfileHeader ICCID in
// natural digit order and the virtual eUICC compares it with the (swapped) metadata ICCID; for these both agree.
#include <doctest/doctest.h>

#include <algorithm>

#include "lpad/core/download.h"
#include "unit/core/core_fixture.h"

using namespace lpad;
using namespace lpad::core;
using namespace lpad::core::testing;
using smdpp::OrderState;

TEST_CASE("core: download of several TS.48 profiles") {
    Server s;
    Card c;
    CurlServerConnector net(s.trust());
    struct Case {
        const char* mid;
        const char* iccid;
        const char* upp;
    };
    const Case cases[] = {
        {"MID-V5", "88449911223344556600", "TS48v5_SAIP2.3_NoBERTLV.der"},
        {"MID-V4", "88449911223344556611", "TS48v4_SAIP2.3_BERTLV.der"},
        {"MID-V2", "88449911223344556622", "TS48v2_SAIP2.1_NoBERTLV.der"},
    };
    for (const auto& k : cases) {
        CAPTURE(k.upp);
        s.order(k.mid, k.iccid, k.upp);
        std::vector<DownloadStage> stages;
        int last_percent = -1;
        bool monotonic = true;
        DownloadOptions o;
        o.progress = [&](DownloadStage st, int pct) {
            stages.push_back(st);
            monotonic = monotonic && pct >= last_percent;
            last_percent = pct;
        };
        auto r = download(*c.session, net, s.ac(k.mid), o);
        CHECK(r.iccid == k.iccid);
        CHECK(r.profile.iccid == k.iccid);
        CHECK(r.profile.name == std::string("Test ") + k.mid);
        CHECK(!r.isdp_aid.empty());
        CHECK(!r.enabled);
        CHECK(monotonic);
        CHECK(last_percent == 100);
        CHECK(std::count(stages.begin(), stages.end(), DownloadStage::Installing) > 3);
        CHECK(s.state(k.mid) == OrderState::Installed);
        // The ProfileInstallationResult reached the server and left the card.
        REQUIRE(r.notifications.size() == 1);
        CHECK(r.notifications[0].sent);
        CHECK(r.notifications[0].removed);
        CHECK(c.session->list_notifications().empty());
    }
    auto iccids = c.iccids();
    CHECK(iccids.size() == 3);
    auto received = s.server->notifications();
    CHECK(std::count_if(received.begin(), received.end(), [](const auto& n) {
              return n.kind == "ProfileInstallationResult" && n.verified && n.success;
          }) == 3);
    // One TLS connection per download.
    CHECK(net.stats().clients == 3);
    CHECK(net.stats().tls_handshakes == 3);
}

TEST_CASE("core: enable after download sends the install and enable notifications") {
    Server s;
    Card c;
    CurlServerConnector net(s.trust());
    s.order("MID-EN", "88449911223344556633");
    DownloadOptions o;
    o.enable_after_download = true;
    auto r = download(*c.session, net, s.ac("MID-EN"), o);
    CHECK(r.enabled);
    auto list = c.session->profiles();
    REQUIRE(list.size() == 1);
    CHECK(list[0].profile_state == es10::ProfileState::enabled);
    REQUIRE(r.notifications.size() == 2);
    CHECK(r.notifications[1].operation == es10::NotificationEvent::notificationEnable);
    CHECK(r.notifications[1].removed);
    auto received = s.server->notifications();
    CHECK(std::any_of(received.begin(), received.end(),
                      [](const auto& n) { return n.kind == "OtherSignedNotification" && n.operation == "notificationEnable" && n.verified; }));
    CHECK(net.stats().tls_handshakes == 1);
}

TEST_CASE("core: consent hook sees the metadata; rejection cancels with endUserRejection") {
    Server s;
    Card c;
    CurlServerConnector net(s.trust());
    s.order("MID-NO", "88449911223344556644");
    std::optional<ProfilePreview> seen;
    DownloadOptions o;
    o.consent = [&](const ProfilePreview& p) {
        seen = p;
        return ConsentDecision{false, std::nullopt};
    };
    Error e(Errc::Internal, "");
    CHECK(error_of([&] { download(*c.session, net, s.ac("MID-NO"), o); }, &e) == Errc::Rejected);
    REQUIRE(seen);
    CHECK(seen->iccid == "88449911223344556644");
    CHECK(seen->name == "Test MID-NO");
    CHECK(seen->service_provider == "lpad test");
    CHECK(s.state("MID-NO") == OrderState::Cancelled);  // endUserRejection ends the order
    CHECK(c.iccids().empty());
    CHECK(s.server->open_sessions() == 0);
}

TEST_CASE("core: confirmation code missing, wrong, right") {
    Server s;
    Card c;
    CurlServerConnector net(s.trust());
    s.order("MID-CC", "88449911223344556655", "TS48v5_SAIP2.3_NoBERTLV.der", "4711");

    SUBCASE("missing: postponed, the order stays usable, then the right code") {
        Error e(Errc::Internal, "");
        CHECK(error_of([&] { download(*c.session, net, s.ac("MID-CC")); }, &e) == Errc::Rejected);
        CHECK(s.state("MID-CC") == OrderState::Released);
        CHECK(c.iccids().empty());
        DownloadOptions o;
        o.confirmation_code = "4711";
        auto r = download(*c.session, net, s.ac("MID-CC"), o);
        CHECK(r.profile.confirmation_code_required);
        CHECK(s.state("MID-CC") == OrderState::Installed);
    }
    SUBCASE("wrong code: ServerError 8.2.7, order still usable; the hook's code wins") {
        DownloadOptions o;
        o.confirmation_code = "0000";
        Error e(Errc::Internal, "");
        CHECK(error_of([&] { download(*c.session, net, s.ac("MID-CC"), o); }, &e) == Errc::ServerError);
        CHECK(e.subject_code == "8.2.7");
        CHECK(s.state("MID-CC") == OrderState::Released);
        CHECK(c.iccids().empty());
        o.consent = [](const ProfilePreview& p) {
            CHECK(p.confirmation_code_required);
            return ConsentDecision{true, std::string("4711")};
        };
        download(*c.session, net, s.ac("MID-CC"), o);
        CHECK(c.iccids() == std::vector<std::string>{"88449911223344556655"});
    }
}

TEST_CASE("core: empty activation code uses the card's default SM-DP+") {
    Server s;
    Card c;
    CurlServerConnector net(s.trust());
    SUBCASE("no default address") {
        auto addresses = c.session->configured_addresses();
        if (!addresses.default_dp_address || addresses.default_dp_address->empty())
            CHECK(error_of([&] { download(*c.session, net, ""); }) == Errc::NotFound);
    }
    SUBCASE("default address set: the server is asked, without a matching ID") {
        c.session->set_default_dp_address(s.address);
        CHECK(c.session->configured_addresses().default_dp_address == s.address);
        Error e(Errc::Internal, "");
        // Our test server holds no default order: it refuses the (absent) matching ID at authenticateClient.
        CHECK(error_of([&] { download(*c.session, net, "  "); }, &e) == Errc::ServerError);
        CHECK(e.subject_code == "8.2.6");
    }
}

TEST_CASE("core: TLS trust") {
    Card c;
    SUBCASE("test CI accepted only when enabled") {
        Server s;
        s.order("MID-T", "88449911223344556666");
        CurlServerConnector production_only(s.trust(false));
        CHECK(error_of([&] { download(*c.session, production_only, s.ac("MID-T")); }) == Errc::TlsError);
        CHECK(s.state("MID-T") == OrderState::Released);
        CurlServerConnector with_test(s.trust(true));
        download(*c.session, with_test, s.ac("MID-T"));
        CHECK(s.state("MID-T") == OrderState::Installed);
    }
    const char* bad[] = {"OtherCI", "DPtls_expired", "DPtls_wrong_host"};
    for (const char* b : bad) {
        CAPTURE(b);
        Server s({pki_dir(), pki_dir() + "/bad/" + b});
        s.order("MID-B", "88449911223344556677");
        CurlServerConnector net(s.trust());
        CHECK(error_of([&] { download(*c.session, net, s.ac("MID-B")); }) == Errc::TlsError);
        auto iccids = c.iccids();
        CHECK(std::find(iccids.begin(), iccids.end(), "88449911223344556677") == iccids.end());
    }
}
