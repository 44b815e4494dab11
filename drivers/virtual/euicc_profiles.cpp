// SPDX-License-Identifier: Apache-2.0
// ES10c local profile management and ES10b notification handling of the virtual eUICC.
#include <algorithm>
#include <set>

#include "drivers/virtual/euicc.h"
#include "libapdu/error.h"

namespace lpad::virtual_euicc {

namespace {

using es10::NotificationEvent;

// The tags of a ProfileInfoListRequest tagList (BER tag encodings back to back).
std::set<tlv::Tag> parse_tag_list(ByteView list) {
    std::set<tlv::Tag> tags;
    std::size_t i = 0;
    while (i < list.size()) {
        tlv::Tag t = list[i++];
        if ((t & 0x1F) == 0x1F) {
            do {
                if (i >= list.size() || t > 0xFFFFFF) fail(Errc::MalformedData, "ProfileInfoListRequest.tagList: bad tag");
                t = (t << 8) | list[i];
            } while (list[i++] & 0x80);
        }
        tags.insert(t);
    }
    return tags;
}

// The E3 ProfileInfo with only the requested fields (SGP.22 §5.7.15: "only the data objects in tagList").
Bytes filtered(const InstalledProfile& p, const std::optional<std::set<tlv::Tag>>& tags) {
    Bytes full = p.info.encode();
    if (!tags) return full;
    tlv::Writer w;
    w.begin(es10::ProfileInfo::tag);
    for (const auto& child : tlv::parse_one(full).children())
        if (tags->count(child.tag)) w.add_raw(child.raw);
    return w.end().take();
}

bool matches(const InstalledProfile& p, const es10::SearchCriteria& criteria) {
    if (auto* id = std::get_if<es10::ProfileIdentifier>(&criteria))
        return id->kind == es10::ProfileIdentifier::Kind::iccid ? p.iccid() == id->value : p.isdp_aid() == id->value;
    return p.info.profile_class == std::get<es10::ProfileClass>(criteria);
}

bool has_ppr(const InstalledProfile& p, es10::PprId ppr) {
    return p.info.profile_policy_rules && p.info.profile_policy_rules->test(static_cast<std::size_t>(ppr));
}

}  // namespace

InstalledProfile* Euicc::find_profile(const es10::ProfileIdentifier& id) {
    for (auto& p : state_.profiles)
        if (matches(p, es10::SearchCriteria{id})) return &p;
    return nullptr;
}

// SGP.22 §5.7.15 GetProfilesInfo.
Bytes Euicc::profile_info_list(ByteView command) const {
    auto req = es10::ProfileInfoListRequest::decode(command);
    std::optional<std::set<tlv::Tag>> tags;
    if (req.tag_list) tags = parse_tag_list(*req.tag_list);
    tlv::Writer w;
    w.begin(es10::ProfileInfoListResponse::tag).begin(0xA0);
    for (const auto& p : state_.profiles)
        if (!req.search_criteria || matches(p, *req.search_criteria)) w.add_raw(filtered(p, tags));
    return w.end().end().take();
}

void Euicc::notify(const InstalledProfile& profile, NotificationEvent event) {
    if (!profile.info.notification_configuration_info) return;
    for (const auto& config : *profile.info.notification_configuration_info) {
        if (!config.profile_management_operation.test(static_cast<std::size_t>(event))) continue;
        es10::OtherSignedNotification n;
        n.tbs_other_notification.seq_number = take_seq_number();
        n.tbs_other_notification.profile_management_operation = event;
        n.tbs_other_notification.notification_address = config.notification_address;
        n.tbs_other_notification.iccid = profile.iccid();
        // SGP.22 §5.7.10: euiccNotificationSignature is over tbsOtherNotification (NotificationMetadata DER).
        n.tbs_other_notification.raw = n.tbs_other_notification.encode();
        n.euicc_notification_signature = sign(n.tbs_other_notification.raw);
        n.euicc_certificate = state_.config.euicc_certificate;
        n.eum_certificate = state_.config.eum_certificate;
        StoredNotification stored;
        stored.seq_number = n.tbs_other_notification.seq_number;
        stored.event = event;
        stored.address = config.notification_address;
        stored.pending = n.encode();
        state_.notifications.push_back(std::move(stored));
    }
}

// SGP.22 §5.7.16 EnableProfile: the enabled profile (if any) is disabled first; PPR1 on it forbids that.
Bytes Euicc::enable_profile(ByteView command) {
    using R = es10::EnableProfileResult;
    auto req = es10::EnableProfileRequest::decode(command);
    auto answer = [](R r) { es10::EnableProfileResponse resp; resp.enable_result = r; return resp.encode(); };
    InstalledProfile* target = find_profile(req.profile_identifier);
    if (!target) return answer(R::iccidOrAidNotFound);
    if (target->enabled()) return answer(R::profileNotInDisabledState);
    InstalledProfile* current = nullptr;
    for (auto& p : state_.profiles)
        if (p.enabled()) current = &p;
    if (current && has_ppr(*current, es10::PprId::ppr1)) return answer(R::disallowedByPolicy);
    if (current) {
        current->info.profile_state = es10::ProfileState::disabled;
        notify(*current, NotificationEvent::notificationDisable);
    }
    target->info.profile_state = es10::ProfileState::enabled;
    notify(*target, NotificationEvent::notificationEnable);
    persist();
    return answer(R::ok);
}

// SGP.22 §5.7.17 DisableProfile.
Bytes Euicc::disable_profile(ByteView command) {
    using R = es10::DisableProfileResult;
    auto req = es10::DisableProfileRequest::decode(command);
    auto answer = [](R r) { es10::DisableProfileResponse resp; resp.disable_result = r; return resp.encode(); };
    InstalledProfile* target = find_profile(req.profile_identifier);
    if (!target) return answer(R::iccidOrAidNotFound);
    if (!target->enabled()) return answer(R::profileNotInEnabledState);
    if (has_ppr(*target, es10::PprId::ppr1)) return answer(R::disallowedByPolicy);
    target->info.profile_state = es10::ProfileState::disabled;
    notify(*target, NotificationEvent::notificationDisable);
    persist();
    return answer(R::ok);
}

// SGP.22 §5.7.18 DeleteProfile: only a disabled profile; PPR2 forbids deletion.
Bytes Euicc::delete_profile(ByteView command) {
    using R = es10::DeleteProfileResult;
    auto req = es10::DeleteProfileRequest::decode(command);
    auto answer = [](R r) { es10::DeleteProfileResponse resp; resp.delete_result = r; return resp.encode(); };
    InstalledProfile* target = find_profile(req.profile_identifier);
    if (!target) return answer(R::iccidOrAidNotFound);
    if (target->enabled()) return answer(R::profileNotInDisabledState);
    if (has_ppr(*target, es10::PprId::ppr2)) return answer(R::disallowedByPolicy);
    notify(*target, NotificationEvent::notificationDelete);
    state_.profiles.erase(state_.profiles.begin() + (target - state_.profiles.data()));
    persist();
    return answer(R::ok);
}

// SGP.22 §5.7.21 SetNickname.
Bytes Euicc::set_nickname(ByteView command) {
    auto req = es10::SetNicknameRequest::decode(command);
    es10::SetNicknameResponse resp;
    InstalledProfile* target = find_profile(es10::ProfileIdentifier::from_iccid(req.iccid));
    if (!target) {
        resp.set_nickname_result = es10::SetNicknameResult::iccidNotFound;
        return resp.encode();
    }
    if (req.profile_nickname.empty())
        target->info.profile_nickname.reset();
    else
        target->info.profile_nickname = req.profile_nickname;
    persist();
    return resp.encode();
}

void Euicc::forget_download_key() {
    if (!state_.download_key) return;
    state_.download_key.reset();
    persist();
}

// SGP.22 §5.7.19 eUICCMemoryReset: operational and/or field-loaded test profiles (enabled ones too, PPRs do not
// apply) and/or the default SM-DP+ address. Provisioning profiles stay. No notifications are generated.
Bytes Euicc::memory_reset(ByteView command) {
    using es10::ResetOption;
    auto req = es10::EuiccMemoryResetRequest::decode(command);
    auto opt = [&](ResetOption o) { return req.reset_options.test(static_cast<std::size_t>(o)); };
    bool changed = false;
    auto doomed = [&](const InstalledProfile& p) {
        return (opt(ResetOption::deleteOperationalProfiles) && p.info.profile_class == es10::ProfileClass::operational) ||
               (opt(ResetOption::deleteFieldLoadedTestProfiles) && p.info.profile_class == es10::ProfileClass::test);
    };
    auto end = std::remove_if(state_.profiles.begin(), state_.profiles.end(), doomed);
    changed |= end != state_.profiles.end();
    state_.profiles.erase(end, state_.profiles.end());
    if (opt(ResetOption::resetDefaultSmdpAddress) && state_.default_dp_address) {
        state_.default_dp_address.reset();
        changed = true;
    }
    // A memory reset also drops the one-time key pair of an unfinished download: its BPP can no longer load.
    forget_download_key();
    es10::EuiccMemoryResetResponse resp;
    resp.reset_result = changed ? es10::EuiccMemoryResetResult::ok : es10::EuiccMemoryResetResult::nothingToDelete;
    if (changed) persist();
    return resp.encode();
}

// SGP.22 §5.7.9 ListNotification.
Bytes Euicc::list_notification(ByteView command) const {
    auto req = es10::ListNotificationRequest::decode(command);
    std::vector<es10::NotificationMetadata> list;
    for (const auto& n : state_.notifications)
        if (!req.profile_management_operation ||
            req.profile_management_operation->test(static_cast<std::size_t>(n.event)))
            list.push_back(n.metadata());
    es10::ListNotificationResponse resp;
    resp.result = std::move(list);
    return resp.encode();
}

// SGP.22 §5.7.10 RetrieveNotificationsList: noResultAvailable when search criteria match nothing.
Bytes Euicc::retrieve_notifications_list(ByteView command) const {
    auto req = es10::RetrieveNotificationsListRequest::decode(command);
    std::vector<es10::PendingNotification> list;
    for (const auto& n : state_.notifications) {
        if (req.seq_number && n.seq_number != *req.seq_number) continue;
        if (req.profile_management_operation &&
            !req.profile_management_operation->test(static_cast<std::size_t>(n.event)))
            continue;
        list.push_back(es10::PendingNotification::decode(n.pending));
    }
    es10::RetrieveNotificationsListResponse resp;
    if (list.empty() && (req.seq_number || req.profile_management_operation))
        resp.result = es10::RetrieveNotificationsListError::noResultAvailable;
    else
        resp.result = std::move(list);
    return resp.encode();
}

// SGP.22 §5.7.11 NotificationSent.
Bytes Euicc::notification_sent(ByteView command) {
    auto req = es10::NotificationSentRequest::decode(command);
    auto it = std::find_if(state_.notifications.begin(), state_.notifications.end(),
                           [&](const StoredNotification& n) { return n.seq_number == req.seq_number; });
    es10::NotificationSentResponse resp;
    if (it == state_.notifications.end()) {
        resp.delete_notification_status = es10::DeleteNotificationStatus::nothingToDelete;
        return resp.encode();
    }
    state_.notifications.erase(it);
    persist();
    return resp.encode();
}

}  // namespace lpad::virtual_euicc
