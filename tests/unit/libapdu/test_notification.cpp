// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "libapdu/error.h"
#include "libapdu/notification.h"
#include "unit/test_support.h"

using namespace lpad;
using namespace lpad::test;
using namespace lpad::es10;

namespace {

// NotificationMetadata by hand: seqNumber 5, notificationInstall (bit 0 -> 07 80), "smdp.io", ICCID 8900...2341.
const char* kMetadata = "bf2f1c 800105 81020780 0c07736d64702e696f 5a0a98001032547698103214";
// Same with notificationEnable (bit 1 -> 06 40) and seqNumber 6.
const char* kEnableMetadata = "bf2f1c 800106 81020640 0c07736d64702e696f 5a0a98001032547698103214";

}  // namespace

TEST_CASE("notification: NotificationMetadata and NotificationEvent bits") {
    auto m = NotificationMetadata::decode(hex(kMetadata));
    CHECK(m.seq_number == 5);
    CHECK(m.profile_management_operation == NotificationEvent::notificationInstall);
    CHECK(m.notification_address == "smdp.io");
    CHECK(to_hex(*m.iccid) == "98001032547698103214");
    CHECK(m.raw == hex(kMetadata));
    NotificationMetadata built{5, NotificationEvent::notificationInstall, "smdp.io", hex("98001032547698103214"), {}};
    CHECK(built.encode() == hex(kMetadata));

    struct Case {
        NotificationEvent event;
        const char* bits;
        const char* name;
    };
    const Case cases[] = {{NotificationEvent::notificationInstall, "0780", "notificationInstall"},
                          {NotificationEvent::notificationEnable, "0640", "notificationEnable"},
                          {NotificationEvent::notificationDisable, "0520", "notificationDisable"},
                          {NotificationEvent::notificationDelete, "0410", "notificationDelete"}};
    for (const auto& c : cases) {
        CAPTURE(c.name);
        CHECK(to_hex(notification_events({c.event}).encode_content()) == c.bits);
        CHECK(name(c.event) == c.name);
        auto d = NotificationMetadata::decode(hex(std::string("bf2f10 800101 8102") + c.bits + "0c07736d64702e696f"));
        CHECK(d.profile_management_operation == c.event);
        CHECK_FALSE(d.iccid.has_value());
    }
    CHECK(describe(static_cast<NotificationEvent>(7)) == "unknown(7)");
    CHECK(to_hex(notification_events({NotificationEvent::notificationInstall, NotificationEvent::notificationDelete}).encode_content()) == "0490");
    // Exactly one bit must be set.
    CHECK_THROWS_AS(NotificationMetadata::decode(hex("bf2f0f 800101 810100 0c07736d64702e696f")), Error);
    CHECK_THROWS_AS(NotificationMetadata::decode(hex("bf2f10 800101 81020560 0c07736d64702e696f")), Error);
    try {
        NotificationMetadata::decode(hex("bf2f13 800101 81020780 5a0a98001032547698103214"));
        FAIL("decoded");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("NotificationMetadata.notificationAddress") != std::string::npos);
    }
}

TEST_CASE("notification: ListNotification") {
    CHECK(to_hex(ListNotificationRequest{}.encode()) == "bf2800");
    ListNotificationRequest filtered{notification_events({NotificationEvent::notificationInstall, NotificationEvent::notificationDelete})};
    CHECK(to_hex(filtered.encode()) == "bf280481020490");
    CHECK(ListNotificationRequest::decode(filtered.encode()).profile_management_operation->test(3));

    Bytes list_der = concat(hex("bf2840 a03e"), hex(kMetadata), hex(kEnableMetadata));
    auto r = ListNotificationResponse::decode(list_der);
    REQUIRE(r.notifications().size() == 2);
    CHECK(r.notifications()[1].seq_number == 6);
    CHECK(r.encode() == list_der);
    CHECK(ListNotificationResponse::decode(hex("bf2802a000")).notifications().empty());
    // On a temporary the list is moved out, so iterating it is safe (ASan would catch a dangling reference).
    std::size_t seen = 0;
    for (const auto& n : ListNotificationResponse::decode(list_der).notifications()) seen += n.seq_number > 0;
    CHECK(seen == 2);

    auto err = ListNotificationResponse::decode(hex("bf2803 81017f"));
    CHECK_THROWS_AS(err.notifications(), Error);
    CHECK(err.encode() == hex("bf2803 81017f"));
    CHECK_THROWS_AS(ListNotificationResponse::decode(hex("bf2806 a000 81017f")), Error);  // two alternatives
}

TEST_CASE("notification: ProfileInstallationResult success and error") {
    // BF27 { 80 transactionId, BF2F metadata, 06 smdpOid, A2 { A0 { 4F aid, 04 simaResponse } } }, 5F37 signature.
    Bytes ok_data = concat(hex("bf2739 8001aa"), hex(kMetadata), hex("06082b0601040181f802 a20b a009 4f05a000000559 0400"));
    Bytes ok_der = concat(hex("bf3741"), ok_data, hex("5f3702abcd"));
    auto ok = ProfileInstallationResult::decode(ok_der);
    CHECK(ok.succeeded());
    CHECK_NOTHROW(ok.check());
    CHECK(ok.data.raw == ok_data);
    CHECK(ok.data.smdp_oid == "1.3.6.1.4.1.31746");
    CHECK(to_hex(std::get<SuccessResult>(ok.data.final_result).aid) == "a000000559");
    CHECK(ok.data.notification_metadata.seq_number == 5);
    CHECK(ok.encode() == ok_der);
    ok.data.raw.clear();
    CHECK(ok.encode() == ok_der);  // built from fields, same DER

    Bytes err_der = concat(hex("bf373e bf2736 8001aa"), hex(kMetadata), hex("06082b0601040181f802 a208 a106 800105 81010c 5f3702abcd"));
    auto err = ProfileInstallationResult::decode(err_der);
    CHECK_FALSE(err.succeeded());
    const auto& e = std::get<ErrorResult>(err.data.final_result);
    CHECK(e.bpp_command_id == BppCommandId::loadProfileElements);
    CHECK(name(e.error_reason) == "installFailedDueToPEProcessingError");
    try {
        err.check();
        FAIL("no throw");
    } catch (const Error& x) {
        CHECK(x.code() == Errc::EuiccError);
        CHECK(x.euicc_result == 12);
        CHECK(x.euicc_function == "LoadBoundProfilePackage");
    }
    CHECK(err.encode() == err_der);
    CHECK(name(ErrorReason::installFailedDueToIccidAlreadyExistsOnEuicc) == "installFailedDueToIccidAlreadyExistsOnEuicc");
    CHECK(name(ErrorReason::pprNotAllowed) == "pprNotAllowed");
    CHECK(name(BppCommandId::storeMetadata2) == "storeMetadata2");
    // An AID of 4 bytes is outside SIZE(5..16).
    CHECK_THROWS_AS(ProfileInstallationResult::decode(concat(hex("bf3740 bf2738 8001aa"), hex(kMetadata),
                                                              hex("06082b0601040181f802 a20a a008 4f04a0000005 0400 5f3702abcd"))),
                    Error);
}

TEST_CASE("notification: RetrieveNotificationsList with both PendingNotification kinds") {
    CHECK(to_hex(RetrieveNotificationsListRequest{}.encode()) == "bf2b00");
    CHECK(to_hex(RetrieveNotificationsListRequest{5, std::nullopt}.encode()) == "bf2b05a003800105");
    RetrieveNotificationsListRequest by_op{std::nullopt, notification_events({NotificationEvent::notificationEnable})};
    CHECK(to_hex(by_op.encode()) == "bf2b06a00481020640");
    CHECK(RetrieveNotificationsListRequest::decode(hex("bf2b05a003800105")).seq_number == 5);
    CHECK(RetrieveNotificationsListRequest::decode(by_op.encode()).profile_management_operation->test(1));
    CHECK_THROWS_AS((RetrieveNotificationsListRequest{1, by_op.profile_management_operation}.encode()), Error);

    Bytes pir = concat(hex("bf3741 bf2739 8001aa"), hex(kMetadata), hex("06082b0601040181f802 a20b a009 4f05a000000559 0400 5f3702abcd"));
    Bytes other = concat(hex("302e"), hex(kEnableMetadata), hex("5f3702abcd 3003020101 3003020102"));
    Bytes list = concat(pir, other);
    Bytes der = concat(tlv::header(0xBF2B, list.size() + 2), tlv::header(0xA0, list.size()), list);
    auto r = RetrieveNotificationsListResponse::decode(der);
    const auto& n = r.notifications();
    REQUIRE(n.size() == 2);
    CHECK(std::holds_alternative<ProfileInstallationResult>(n[0].value));
    CHECK(n[0].der() == pir);
    CHECK(n[1].metadata().profile_management_operation == NotificationEvent::notificationEnable);
    const auto& osn = std::get<OtherSignedNotification>(n[1].value);
    CHECK(osn.tbs_other_notification.raw == hex(kEnableMetadata));
    CHECK(osn.eum_certificate == hex("3003020102"));
    CHECK(n[1].der() == other);
    CHECK(PendingNotification::decode(other).encode() == other);
    CHECK(r.encode() == der);

    auto err = RetrieveNotificationsListResponse::decode(hex("bf2b03 810101"));
    CHECK(name(std::get<RetrieveNotificationsListError>(err.result)) == "noResultAvailable");
    CHECK_THROWS_AS(err.check(), Error);
    CHECK_THROWS_AS(PendingNotification::decode(hex("a000")), Error);
}

TEST_CASE("notification: NotificationSent") {
    CHECK(to_hex(NotificationSentRequest{5}.encode()) == "bf3003800105");
    CHECK(NotificationSentRequest::decode(hex("bf3004 80020100")).seq_number == 256);
    CHECK_NOTHROW(NotificationSentResponse::decode(hex("bf3003 800100")).check());
    auto nothing = NotificationSentResponse::decode(hex("bf3003 800101"));
    CHECK(nothing.delete_notification_status == DeleteNotificationStatus::nothingToDelete);
    CHECK_THROWS_AS(nothing.check(), Error);
    CHECK(nothing.encode() == hex("bf3003800101"));
    CHECK(name(static_cast<DeleteNotificationStatus>(127)) == "undefinedError");
    CHECK_THROWS_AS(NotificationSentRequest::decode(hex("bf3004 80020001")), Error);  // non-minimal INTEGER
}
