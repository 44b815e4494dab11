// SPDX-License-Identifier: Apache-2.0
// Notifications: delivered after operations, removed only after the server accepted them, kept with backoff when
// the server is unreachable, removed unsent only when forced.
#include <doctest/doctest.h>

#include "lpad/core/discovery.h"
#include "lpad/core/download.h"
#include "lpad/core/notifications.h"
#include "unit/core/core_fixture.h"

using namespace lpad;
using namespace lpad::core;
using namespace lpad::core::testing;

TEST_CASE("core: retry policy doubles up to its cap") {
    RetryPolicy p{std::chrono::seconds(30), 2.0, std::chrono::seconds(100)};
    CHECK(p.delay_after(1).count() == 30);
    CHECK(p.delay_after(2).count() == 60);
    CHECK(p.delay_after(3).count() == 100);
    CHECK(p.delay_after(20).count() == 100);
}

TEST_CASE("core: notifications kept with backoff while the server is unreachable, then delivered") {
    Server s;
    Card c;
    CurlServerConnector net(s.trust());
    s.order("MID-N", "88449911223344556600");
    DownloadOptions o;
    o.send_notifications = false;
    auto r = download(*c.session, net, s.ac("MID-N"), o);
    c.session->enable(es10::ProfileIdentifier::from_iccid(iccid_to_bcd(r.iccid)), false);
    REQUIRE(c.session->list_notifications().size() == 2);  // install + enable

    // The same host name pinned to an address nothing listens on.
    auto down_trust = s.trust();
    down_trust.resolve = {kHost + ":" + std::to_string(s.front->port()) + ":127.0.0.2"};
    CurlServerConnector down(down_trust);
    std::time_t now = 1000000;
    MemoryRetryStore store;
    {
        NotificationSender sender(down, {}, &store, [&] { return now; });
        auto out = sender.process(*c.session);
        REQUIRE(out.size() == 2);
        for (const auto& n : out) {
            CHECK(!n.sent);
            CHECK(!n.removed);
            CHECK(n.error == Errc::HttpError);
        }
        CHECK(c.session->list_notifications().size() == 2);  // never removed unsent
        REQUIRE(store.records.size() == 2);
        CHECK(store.records[0].failures == 1);
        CHECK(sender.next_retry() == now + 30);
        // Not due yet: not even tried.
        out = sender.process(*c.session);
        CHECK(out[0].deferred);
        now += 31;
        out = sender.process(*c.session);
        CHECK(!out[0].deferred);
        CHECK(store.records[0].failures == 2);
        CHECK(sender.next_retry() == now + 60);
    }
    // A new sender (a daemon restart) picks the schedule up from the store; a manual run ignores the backoff.
    NotificationSender sender(net, {}, &store, [&] { return now; });
    CHECK(sender.retries().size() == 2);
    ProcessOptions manual;
    manual.ignore_backoff = true;
    auto out = sender.process(*c.session, manual);
    REQUIRE(out.size() == 2);
    CHECK(out[0].sent);
    CHECK(out[1].removed);
    CHECK(c.session->list_notifications().empty());
    CHECK(store.records.empty());
    auto received = s.server->notifications();
    CHECK(received.size() == 2);
    for (const auto& n : received) CHECK(n.verified);
}

TEST_CASE("core: notifications after disable and delete, forced removal") {
    Server s;
    Card c;
    CurlServerConnector net(s.trust());
    s.order("MID-D", "88449911223344556611");
    DownloadOptions o;
    o.enable_after_download = true;
    auto r = download(*c.session, net, s.ac("MID-D"), o);
    auto id = es10::ProfileIdentifier::from_iccid(iccid_to_bcd(r.iccid));
    NotificationSender sender(net);
    c.session->disable(id, false);
    auto out = sender.process(*c.session);
    REQUIRE(out.size() == 1);
    CHECK(out[0].operation == es10::NotificationEvent::notificationDisable);
    CHECK(out[0].removed);

    c.session->delete_profile(id);
    auto pending = c.session->list_notifications();
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].profile_management_operation == es10::NotificationEvent::notificationDelete);
    CHECK(error_of([&] { sender.remove(*c.session, pending[0].seq_number, false); }) == Errc::InvalidArgument);
    CHECK(c.session->list_notifications().size() == 1);
    sender.remove(*c.session, pending[0].seq_number, true);
    CHECK(c.session->list_notifications().empty());
    auto received = s.server->notifications();
    CHECK(std::none_of(received.begin(), received.end(), [](const auto& n) { return n.operation == "notificationDelete"; }));
}

TEST_CASE("core: SM-DS discovery and a download from the event") {
    Server s;
    Card c;
    CurlServerConnector net(s.trust());
    std::string eid = eid_to_string(c.session->eid());
    s.server->add_event({eid, "EVENT-1", s.address});
    s.server->add_event({"89049032123451234512345678901335", "EVENT-OTHER", s.address});
    s.order("EVENT-1", "88449911223344556622");
    DiscoveryOptions d;
    d.smds_address = s.address;
    auto found = discover(*c.session, net, d);
    REQUIRE(found.events.size() == 1);  // only this eUICC's events
    CHECK(found.events[0].event_id == "EVENT-1");
    CHECK(found.events[0].rsp_server_address == s.address);
    auto r = download_event(*c.session, net, found.events[0]);
    CHECK(r.iccid == "88449911223344556622");
    CHECK(s.state("EVENT-1") == smdpp::OrderState::Installed);

    SUBCASE("a lying SM-DS is refused") {
        s.fault("wrong-address@initiateAuthentication");
        CHECK(error_of([&] { discover(*c.session, net, d); }) == Errc::ProtocolViolation);
    }
}
