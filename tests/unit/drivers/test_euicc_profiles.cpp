// SPDX-License-Identifier: Apache-2.0
// The virtual eUICC's profile management and notifications on profiles installed through real BPPs:
// ProfileInfoList (search, tagList), Enable/Disable/Delete (states, PPR1/PPR2, notifications), SetNickname,
// eUICCMemoryReset, ListNotification/RetrieveNotificationsList/NotificationSent, and reloading all of it.
#include <doctest/doctest.h>

#include "libapdu/es10a.h"
#include "libapdu/identifiers.h"
#include "libfile/file.h"
#include "unit/drivers/euicc_test_rig.h"

using namespace lpad;
using namespace lpad::virtual_euicc;
using namespace lpad::virtual_euicc::testing;

namespace {

using es10::NotificationEvent;

// The TS.48 package with another ICCID than load_upp()'s (metadata and header must agree; we patch neither).
const char* const kSecondUpp = "TS48v2_SAIP2.1_NoBERTLV.der";

es10::StoreMetadataRequest notifying(es10::StoreMetadataRequest md) {
    es10::NotificationConfigurationInformation all;
    all.profile_management_operation = es10::notification_events(
        {NotificationEvent::notificationEnable, NotificationEvent::notificationDisable,
         NotificationEvent::notificationDelete});
    all.notification_address = "notify.example.com";
    md.notification_configuration_info = std::vector{all};
    return md;
}

es10::ProfileIdentifier by_iccid(const Bytes& iccid) { return es10::ProfileIdentifier::from_iccid(iccid); }

std::vector<NotificationEvent> events(CardRig& rig) {
    std::vector<NotificationEvent> out;
    auto resp = rig.call(es10::ListNotificationRequest{});
    for (const auto& n : resp.notifications())
        out.push_back(n.profile_management_operation);
    return out;
}

struct TwoProfiles {
    TempDir dir;
    std::unique_ptr<CardRig> rig = std::make_unique<CardRig>(card_uri(dir.file("card.json")));
    SmdpKeys k = SmdpKeys::load();
    Bytes a, b;  // ICCIDs
    explicit TwoProfiles(bool ppr = false) {
        Bytes upp1 = load_upp(), upp2 = load_upp(kSecondUpp);
        auto md1 = notifying(metadata_for(upp1));
        auto md2 = notifying(metadata_for(upp2));
        if (upp_iccid(upp1) == upp_iccid(upp2)) FAIL("the two test packages share an ICCID");
        if (ppr) {
            md2.profile_owner = es10::OperatorId{Bytes{0x09, 0xF1, 0x07}, std::nullopt, std::nullopt};
            md2.profile_policy_rules = es10::make_bits({es10::PprId::ppr1, es10::PprId::ppr2});
        }
        REQUIRE(download(*rig, k, md1, upp1).pir.succeeded());
        REQUIRE(download(*rig, k, md2, upp2).pir.succeeded());
        a = md1.iccid;
        b = md2.iccid;
        // Drop the two install results so the tests see only their own notifications.
        auto listed = rig->call(es10::ListNotificationRequest{});
        for (const auto& n : listed.notifications())
            rig->call(es10::NotificationSentRequest{n.seq_number}).check();
    }
};

}  // namespace

TEST_CASE("euicc: ProfileInfoList search criteria and tagList") {
    TwoProfiles t;
    CardRig& rig = *t.rig;
    auto all = profiles(rig);
    REQUIRE(all.size() == 2);
    CHECK(to_hex(*all[1].isdp_aid) == to_hex(from_hex("A0000005591010FFFFFFFF8900001100")));

    es10::ProfileInfoListRequest req;
    req.search_criteria = es10::SearchCriteria{by_iccid(t.b)};
    auto one = rig.call(req).profiles;
    REQUIRE(one.size() == 1);
    CHECK(one[0].iccid == t.b);
    req.search_criteria = es10::SearchCriteria{es10::ProfileIdentifier::from_isdp_aid(*all[0].isdp_aid)};
    CHECK(rig.call(req).profiles.at(0).iccid == t.a);
    req.search_criteria = es10::SearchCriteria{es10::ProfileClass::test};
    CHECK(rig.call(req).profiles.empty());
    req.search_criteria = es10::SearchCriteria{by_iccid(iccid_to_bcd("8949449999999990023"))};
    CHECK(rig.call(req).profiles.empty());

    es10::ProfileInfoListRequest tags;
    tags.tag_list = es10::ProfileInfoListRequest::make_tag_list({0x5A, 0x9F70});
    auto slim = rig.call(tags).profiles;
    REQUIRE(slim.size() == 2);
    CHECK(slim[0].iccid == t.a);
    CHECK(slim[0].profile_state == es10::ProfileState::disabled);
    CHECK_FALSE(slim[0].isdp_aid);
    CHECK_FALSE(slim[0].profile_name);
    CHECK_FALSE(slim[0].icon);
}

TEST_CASE("euicc: enable switches profiles, one enabled at a time, with the configured notifications") {
    using ER = es10::EnableProfileResult;
    using DR = es10::DisableProfileResult;
    using XR = es10::DeleteProfileResult;
    TwoProfiles t;
    CardRig& rig = *t.rig;
    auto enable = [&](const Bytes& iccid) { return rig.call(es10::EnableProfileRequest{by_iccid(iccid), false}).enable_result; };
    auto disable = [&](const Bytes& iccid) { return rig.call(es10::DisableProfileRequest{by_iccid(iccid), false}).disable_result; };
    auto remove = [&](const Bytes& iccid) { return rig.call(es10::DeleteProfileRequest{by_iccid(iccid)}).delete_result; };
    Bytes unknown = iccid_to_bcd("8949449999999990023");

    CHECK(enable(unknown) == ER::iccidOrAidNotFound);
    CHECK(disable(t.a) == DR::profileNotInEnabledState);
    CHECK(enable(t.a) == ER::ok);
    CHECK(enable(t.a) == ER::profileNotInDisabledState);
    CHECK(events(rig) == std::vector{NotificationEvent::notificationEnable});
    CHECK(enable(t.b) == ER::ok);  // disables a first
    auto list = profiles(rig);
    CHECK(list[0].profile_state == es10::ProfileState::disabled);
    CHECK(list[1].profile_state == es10::ProfileState::enabled);
    CHECK(events(rig) == std::vector{NotificationEvent::notificationEnable, NotificationEvent::notificationDisable,
                                     NotificationEvent::notificationEnable});
    CHECK(remove(t.b) == XR::profileNotInDisabledState);
    CHECK(disable(t.b) == DR::ok);
    CHECK(remove(t.b) == XR::ok);
    CHECK(remove(t.b) == XR::iccidOrAidNotFound);
    CHECK(profiles(rig).size() == 1);

    // Notifications: signed by the eUICC, addressed as configured, numbered in order.
    auto pending = rig.call(es10::RetrieveNotificationsListRequest{}).notifications();
    REQUIRE(pending.size() == 5);
    auto cert = file::certificate(pki_file("eUICC/CERT_EUICC_ECDSA_NIST.der"));
    std::int64_t last_seq = 0;
    for (const auto& p : pending) {
        const auto& other = std::get<es10::OtherSignedNotification>(p.value);
        CHECK(crypto::verify(cert.public_key(), other.tbs_other_notification.der(), other.euicc_notification_signature));
        CHECK(other.euicc_certificate == cert.der());
        CHECK(p.metadata().notification_address == "notify.example.com");
        CHECK(p.metadata().seq_number > last_seq);
        last_seq = p.metadata().seq_number;
    }
    CHECK(pending.back().metadata().profile_management_operation == NotificationEvent::notificationDelete);
    CHECK(pending.back().metadata().iccid == t.b);

    // Filters and removal.
    es10::RetrieveNotificationsListRequest by_seq;
    by_seq.seq_number = last_seq;
    CHECK(rig.call(by_seq).notifications().size() == 1);
    es10::ListNotificationRequest enables;
    enables.profile_management_operation = es10::notification_events({NotificationEvent::notificationEnable});
    CHECK(rig.call(enables).notifications().size() == 2);
    CHECK(rig.call(es10::NotificationSentRequest{last_seq}).delete_notification_status ==
          es10::DeleteNotificationStatus::ok);
    CHECK(rig.call(es10::NotificationSentRequest{last_seq}).delete_notification_status ==
          es10::DeleteNotificationStatus::nothingToDelete);
    auto none = rig.call(by_seq);
    REQUIRE(std::holds_alternative<es10::RetrieveNotificationsListError>(none.result));
    CHECK(std::get<es10::RetrieveNotificationsListError>(none.result) ==
          es10::RetrieveNotificationsListError::noResultAvailable);
}

TEST_CASE("euicc: PPR1 forbids disabling, PPR2 forbids deleting") {
    TwoProfiles t(true);
    CardRig& rig = *t.rig;
    CHECK(rig.call(es10::EnableProfileRequest{by_iccid(t.b), false}).enable_result == es10::EnableProfileResult::ok);
    CHECK(rig.call(es10::DisableProfileRequest{by_iccid(t.b), false}).disable_result ==
          es10::DisableProfileResult::disallowedByPolicy);
    CHECK(rig.call(es10::EnableProfileRequest{by_iccid(t.a), false}).enable_result ==
          es10::EnableProfileResult::disallowedByPolicy);
    auto list = profiles(rig);
    CHECK(list[1].profile_state == es10::ProfileState::enabled);
    CHECK(list[1].profile_policy_rules == es10::make_bits({es10::PprId::ppr1, es10::PprId::ppr2}));
}

TEST_CASE("euicc: a PPR the RAT does not allow fails the install with pprNotAllowed") {
    TempDir dir;
    CardRig rig(card_uri(dir.file("card.json")));
    Bytes upp = load_upp();
    auto md = metadata_for(upp);
    md.profile_policy_rules = es10::make_bits({es10::PprId::ppr1});  // no profileOwner: no RAT rule can match
    auto pir = download(rig, SmdpKeys::load(), md, upp).pir;
    REQUIRE_FALSE(pir.succeeded());
    CHECK(std::get<es10::ErrorResult>(pir.data.final_result).error_reason == es10::ErrorReason::pprNotAllowed);
    CHECK(profiles(rig).empty());
}

TEST_CASE("euicc: SetNickname and eUICCMemoryReset options") {
    TwoProfiles t;
    CardRig& rig = *t.rig;
    es10::SetNicknameRequest nick{t.a, "work"};
    CHECK(rig.call(nick).set_nickname_result == es10::SetNicknameResult::ok);
    CHECK(profiles(rig)[0].profile_nickname == "work");
    nick.iccid = iccid_to_bcd("8949449999999990023");
    CHECK(rig.call(nick).set_nickname_result == es10::SetNicknameResult::iccidNotFound);

    es10::EuiccMemoryResetRequest reset;
    reset.reset_options = es10::make_bits({es10::ResetOption::deleteFieldLoadedTestProfiles});
    CHECK(rig.call(reset).reset_result == es10::EuiccMemoryResetResult::nothingToDelete);
    CHECK(profiles(rig).size() == 2);
    es10::SetDefaultDpAddressRequest set;
    set.default_dp_address = "dp.example.com";
    rig.call(set).check();
    reset.reset_options = es10::make_bits({es10::ResetOption::resetDefaultSmdpAddress});
    CHECK(rig.call(reset).reset_result == es10::EuiccMemoryResetResult::ok);
    CHECK_FALSE(rig.call(es10::EuiccConfiguredAddressesRequest{}).default_dp_address);
    rig.call(es10::EnableProfileRequest{by_iccid(t.a), false}).check();
    reset.reset_options = es10::make_bits({es10::ResetOption::deleteOperationalProfiles});
    CHECK(rig.call(reset).reset_result == es10::EuiccMemoryResetResult::ok);
    CHECK(profiles(rig).empty());
}

TEST_CASE("euicc: reloading the state file gives the same profiles, notifications and counters") {
    TwoProfiles t;
    t.rig->call(es10::EnableProfileRequest{by_iccid(t.a), false}).check();
    t.rig->call(es10::SetNicknameRequest{t.b, "spare"}).check();
    auto before_profiles = profiles(*t.rig);
    auto before_notes = t.rig->call(es10::RetrieveNotificationsListRequest{}).notifications();
    REQUIRE(before_notes.size() == 1);
    t.rig.reset();

    CardRig rig("virtual:" + t.dir.file("card.json"));
    CHECK(profiles(rig) == before_profiles);
    auto after_notes = rig.call(es10::RetrieveNotificationsListRequest{}).notifications();
    REQUIRE(after_notes.size() == 1);
    CHECK(after_notes[0].der() == before_notes[0].der());
    // Counters continue: deleting and reinstalling a profile gets the third ISD-P AID and a later sequence number.
    rig.call(es10::DeleteProfileRequest{by_iccid(t.b)}).check();
    Bytes upp = load_upp(kSecondUpp);
    auto pir = download(rig, t.k, notifying(metadata_for(upp)), upp).pir;
    REQUIRE(pir.succeeded());
    CHECK(to_hex(std::get<es10::SuccessResult>(pir.data.final_result).aid) ==
          to_hex(from_hex("A0000005591010FFFFFFFF8900001200")));
    CHECK(pir.data.notification_metadata.seq_number > after_notes[0].metadata().seq_number);
}
