// SPDX-License-Identifier: Apache-2.0
// ES9+ handleNotification with OtherSignedNotification (SGP.22 §5.6.4, §6.5.2.4): enable / disable / delete
// notifications made and signed by the virtual eUICC, sent over HTTPS; the server records whether
// euiccNotificationSignature and the CERT.EUICC -> CERT.EUM -> CI chain verify, and answers 204 either way.
#include <doctest/doctest.h>

#include <functional>

#include "libapdu/notification.h"
#include "lpad/es9p/messages.h"
#include "tests/smdpp/smdpp_test_client.h"

using namespace lpad;
using namespace lpad::smdpp;
using namespace lpad::smdpp::testing;

namespace {

const std::string kIccid = "88449911223344556677";  // header and EF codings coincide (see test_download.cpp)

// handleNotification as raw HTTP, so the status itself is checked (the ES9+ client hides it).
es9p::HttpResponse post_notification(TestLpa& lpa, const TestServer& srv, const Bytes& pending) {
    es9p::HttpRequest r;
    r.url = "https://" + srv.address + "/gsma/rsp2/es9plus/handleNotification";
    r.headers = {{"Content-Type", "application/json;charset=UTF-8"}, {"X-Admin-Protocol", "gsma/rsp/v2.2.0"}};
    r.body = es9p::HandleNotificationRequest{pending}.encode();
    return lpa.http->post(r);
}

// Downloads MID-OSN, enables, disables and deletes it on the card; returns the card's OtherSignedNotifications.
std::vector<es10::OtherSignedNotification> enable_disable_delete(TestServer& srv, TestLpa& lpa) {
    srv.add_order("MID-OSN", kIccid);
    REQUIRE(lpa.download("MID-OSN").succeeded());
    auto id = es10::ProfileIdentifier::from_iccid(iccid_to_bcd(kIccid));
    es10::EnableProfileRequest enable;
    enable.profile_identifier = id;
    lpa.es10->call(enable).check();
    es10::DisableProfileRequest disable;
    disable.profile_identifier = id;
    lpa.es10->call(disable).check();
    es10::DeleteProfileRequest del;
    del.profile_identifier = id;
    lpa.es10->call(del).check();
    std::vector<es10::OtherSignedNotification> out;
    auto list = lpa.es10->call(es10::RetrieveNotificationsListRequest{});  // notifications() refers into it
    for (const auto& p : list.notifications())
        if (auto* other = std::get_if<es10::OtherSignedNotification>(&p.value)) out.push_back(*other);
    return out;
}

}  // namespace

TEST_CASE("handleNotification: enable, disable and delete notifications signed by the eUICC are verified, 204") {
    TestServer srv;
    TestLpa lpa(srv);
    auto others = enable_disable_delete(srv, lpa);
    REQUIRE(others.size() == 3);
    const es10::NotificationEvent expected[] = {es10::NotificationEvent::notificationEnable,
                                                es10::NotificationEvent::notificationDisable,
                                                es10::NotificationEvent::notificationDelete};
    std::size_t before = srv.server->notifications().size();  // the installation result
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& md = others[i].tbs_other_notification;
        CAPTURE(es10::describe(md.profile_management_operation));
        CHECK(md.profile_management_operation == expected[i]);
        CHECK(md.notification_address == srv.address);
        auto answer = post_notification(lpa, srv, es10::PendingNotification{others[i]}.der());
        CHECK(answer.status == 204);
        CHECK(answer.body.empty());
        auto notes = srv.server->notifications();
        REQUIRE(notes.size() == before + i + 1);
        const auto& rec = notes.back();
        INFO(rec.detail);
        CHECK(rec.kind == "OtherSignedNotification");
        CHECK(rec.verified);
        CHECK(rec.detail.empty());
        CHECK(rec.seq_number == md.seq_number);
        CHECK(rec.operation == es10::describe(expected[i]));
        CHECK(rec.iccid == kIccid);
    }
    // The ES9+ client (as lpad's core uses it) accepts the 204 too.
    CHECK_NOTHROW(lpa.es9p->handle_notification({es10::PendingNotification{others[0]}.der()}));
    CHECK(srv.server->notifications().back().verified);
}

TEST_CASE("handleNotification: a tampered OtherSignedNotification is recorded unverified, still 204") {
    TestServer srv;
    TestLpa lpa(srv);
    auto others = enable_disable_delete(srv, lpa);
    REQUIRE_FALSE(others.empty());
    const es10::OtherSignedNotification genuine = others[0];
    const ServerPki& pki = srv.server->pki();
    struct Case {
        std::string what;
        std::function<void(es10::OtherSignedNotification&)> tamper;
    };
    const Case cases[] = {
        {"euiccNotificationSignature byte flipped", [](auto& n) { n.euicc_notification_signature[7] ^= 0x01; }},
        {"seqNumber changed after signing",
         [](auto& n) { n.tbs_other_notification.seq_number += 100, n.tbs_other_notification.raw.clear(); }},
        {"ICCID changed after signing",
         [](auto& n) {
             n.tbs_other_notification.iccid = iccid_to_bcd("8949449999999990011");
             n.tbs_other_notification.raw.clear();
         }},
        {"operation changed after signing",
         [](auto& n) {
             n.tbs_other_notification.profile_management_operation = es10::NotificationEvent::notificationDelete;
             n.tbs_other_notification.raw.clear();
         }},
        {"CERT.EUM replaced by a certificate that does not issue CERT.EUICC",
         [&](auto& n) { n.eum_certificate = pki.dp_auth.cert.der(); }},
        {"CERT.EUICC replaced by another (valid) certificate",
         [&](auto& n) { n.euicc_certificate = pki.dp_pb.cert.der(); }},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        es10::OtherSignedNotification n = genuine;
        c.tamper(n);
        n.raw.clear();
        auto answer = post_notification(lpa, srv, es10::PendingNotification{n}.der());
        INFO(answer.body);
        CHECK(answer.status == 204);
        CHECK(answer.body.empty());
        const auto rec = srv.server->notifications().back();
        CHECK(rec.kind == "OtherSignedNotification");
        CHECK_FALSE(rec.verified);
        CHECK_FALSE(rec.detail.empty());
    }
    // The genuine one, after all that, still verifies (no state was spoiled).
    CHECK(post_notification(lpa, srv, es10::PendingNotification{genuine}.der()).status == 204);
    CHECK(srv.server->notifications().back().verified);
}
