// SPDX-License-Identifier: Apache-2.0
#include "libapdu/es10c.h"

#include "libapdu/error.h"
#include "libapdu/es10_codec.h"

namespace lpad::es10 {

using codec::checked_size;
using codec::checked_utf8;
using codec::Reader;

// --- names ---

std::string_view name(ProfileState v) {
    return codec::lookup(static_cast<int>(v), {{0, "disabled"}, {1, "enabled"}});
}

std::string_view name(ProfileInfoListError v) {
    return codec::lookup(static_cast<int>(v), {{1, "incorrectInputValues"}, {127, "undefinedError"}});
}

std::string_view name(EnableProfileResult v) {
    return codec::lookup(static_cast<int>(v), {{0, "ok"},
                                               {1, "iccidOrAidNotFound"},
                                               {2, "profileNotInDisabledState"},
                                               {3, "disallowedByPolicy"},
                                               {4, "wrongProfileReenabling"},
                                               {5, "catBusy"},
                                               {127, "undefinedError"}});
}

std::string_view name(DisableProfileResult v) {
    return codec::lookup(static_cast<int>(v), {{0, "ok"},
                                               {1, "iccidOrAidNotFound"},
                                               {2, "profileNotInEnabledState"},
                                               {3, "disallowedByPolicy"},
                                               {5, "catBusy"},
                                               {127, "undefinedError"}});
}

std::string_view name(DeleteProfileResult v) {
    return codec::lookup(static_cast<int>(v), {{0, "ok"},
                                               {1, "iccidOrAidNotFound"},
                                               {2, "profileNotInDisabledState"},
                                               {3, "disallowedByPolicy"},
                                               {127, "undefinedError"}});
}

std::string_view name(EuiccMemoryResetResult v) {
    return codec::lookup(static_cast<int>(v), {{0, "ok"}, {1, "nothingToDelete"}, {127, "undefinedError"}});
}

std::string_view name(SetNicknameResult v) {
    return codec::lookup(static_cast<int>(v), {{0, "ok"}, {1, "iccidNotFound"}, {127, "undefinedError"}});
}

std::string_view name(ResetOption bit) {
    return codec::bit_lookup(static_cast<std::size_t>(bit),
                             {"deleteOperationalProfiles", "deleteFieldLoadedTestProfiles", "resetDefaultSmdpAddress"});
}

namespace {

// rsp.asn: DpProprietaryData is at most 128 bytes including its tag and length.
constexpr std::size_t kMaxDpProprietaryData = 128;

// profileIdentifier CHOICE { isdpAid '4F', iccid '5A' }; `field` prefixes the alternative's name in errors.
Bytes encode_profile_identifier(const ProfileIdentifier& id, std::string_view message, std::string_view field) {
    auto sub = [&](const char* s) { return field.empty() ? std::string(s) : std::string(field) + "." + s; };
    if (id.kind == ProfileIdentifier::Kind::iccid)
        return tlv::make(0x5A, checked_size(id.value, 10, 10, message, sub("iccid")));
    return tlv::make(0x4F, checked_size(id.value, 1, 16, message, sub("isdpAid")));
}

ProfileIdentifier decode_profile_identifier(const Reader& r, const tlv::Element& e, std::string_view field) {
    auto sub = [&](const char* s) { return field.empty() ? std::string(s) : std::string(field) + "." + s; };
    if (e.tag == 0x5A) return ProfileIdentifier::from_iccid(r.octets(e, sub("iccid"), 10, 10));
    if (e.tag == 0x4F) return ProfileIdentifier::from_isdp_aid(r.octets(e, sub("isdpAid"), 1, 16));
    r.fail(field, "expected isdpAid (4F) or iccid (5A), found " + tlv::tag_name(e.tag));
}

}  // namespace

// --- GetProfilesInfo ---

Bytes ProfileInfo::encode() const {
    constexpr std::string_view msg = "ProfileInfo";
    tlv::Writer w;
    w.begin(tag);
    if (iccid) w.add(0x5A, checked_size(*iccid, 10, 10, msg, "iccid"));
    if (isdp_aid) w.add(0x4F, checked_size(*isdp_aid, 1, 16, msg, "isdpAid"));
    if (profile_state) w.add_int(0x9F70, static_cast<int>(*profile_state));
    if (profile_nickname) w.add(0x90, checked_utf8(*profile_nickname, 64, msg, "profileNickname"));
    if (service_provider_name) w.add(0x91, checked_utf8(*service_provider_name, 32, msg, "serviceProviderName"));
    if (profile_name) w.add(0x92, checked_utf8(*profile_name, 64, msg, "profileName"));
    if (icon_type) w.add_int(0x93, static_cast<int>(*icon_type));
    if (icon) w.add(0x94, checked_size(*icon, 0, 1024, msg, "icon"));
    if (profile_class != ProfileClass::operational) w.add_int(0x95, static_cast<int>(profile_class));  // DER: DEFAULT
    if (notification_configuration_info)
        codec::write(w, *notification_configuration_info, "ProfileInfo.notificationConfigurationInfo");
    if (profile_owner) codec::write(w, 0xB7, *profile_owner, "ProfileInfo.profileOwner");
    if (dp_proprietary_data)
        w.add_raw(checked_size(tlv::make(0xB8, *dp_proprietary_data), 0, kMaxDpProprietaryData, msg, "dpProprietaryData"));
    if (profile_policy_rules) w.add(0x99, profile_policy_rules->encode_content());
    w.end();
    return w.take();
}

ProfileInfo ProfileInfo::decode(const tlv::Element& e) {
    Reader r(e, "ProfileInfo");
    ProfileInfo p;
    if (auto x = r.optional(0x5A)) p.iccid = r.octets(*x, "iccid", 10, 10);
    if (auto x = r.optional(0x4F)) p.isdp_aid = r.octets(*x, "isdpAid", 1, 16);
    if (auto x = r.optional(0x9F70)) p.profile_state = ProfileState(r.integer(*x, "profileState"));
    if (auto x = r.optional(0x90)) p.profile_nickname = r.utf8(*x, "profileNickname", 64);
    if (auto x = r.optional(0x91)) p.service_provider_name = r.utf8(*x, "serviceProviderName", 32);
    if (auto x = r.optional(0x92)) p.profile_name = r.utf8(*x, "profileName", 64);
    if (auto x = r.optional(0x93)) p.icon_type = IconType(r.integer(*x, "iconType"));
    if (auto x = r.optional(0x94)) p.icon = r.octets(*x, "icon", 0, 1024);
    if (auto x = r.optional(0x95)) p.profile_class = ProfileClass(r.integer(*x, "profileClass"));
    if (auto x = r.optional(0xB6)) p.notification_configuration_info = codec::read_notification_configs(r, *x);
    if (auto x = r.optional(0xB7)) p.profile_owner = codec::read_operator_id(*x);
    if (auto x = r.optional(0xB8)) {
        if (x->raw.size() > kMaxDpProprietaryData)
            r.fail("dpProprietaryData", "expected at most 128 bytes with tag and length, got " + std::to_string(x->raw.size()));
        p.dp_proprietary_data = codec::copy(x->value);
    }
    if (auto x = r.optional(0x99)) p.profile_policy_rules = r.bits(*x, "profilePolicyRules");
    r.finish();
    return p;
}

ProfileInfo ProfileInfo::decode(ByteView der) { return decode(codec::open(der, tag, "ProfileInfo")); }

Bytes ProfileInfoListResponse::encode() const {
    tlv::Writer w;
    w.begin(tag);
    if (error) {
        w.add_int(0x81, static_cast<int>(*error));
    } else {
        w.begin(0xA0);
        for (const auto& p : profiles) w.add_raw(p.encode());
        w.end();
    }
    w.end();
    return w.take();
}

ProfileInfoListResponse ProfileInfoListResponse::decode(ByteView der) {
    Reader r(der, tag, "ProfileInfoListResponse");
    auto c = r.only_child(r.element(), "");
    ProfileInfoListResponse out;
    if (c.tag == 0xA0) {
        for (const auto& p : r.children(c)) {
            if (p.tag != ProfileInfo::tag)
                r.fail("profileInfoListOk", "expected ProfileInfo (E3), found " + tlv::tag_name(p.tag));
            out.profiles.push_back(ProfileInfo::decode(p));
        }
    } else if (c.tag == 0x81) {
        out.error = ProfileInfoListError(r.integer(c, "profileInfoListError"));
    } else {
        r.fail("", "expected profileInfoListOk (A0) or profileInfoListError (81), found " + tlv::tag_name(c.tag));
    }
    return out;
}

void ProfileInfoListResponse::check() const {
    if (error) throw Error::euicc("GetProfilesInfo", static_cast<int>(*error), describe(*error));
}

Bytes ProfileInfoListRequest::make_tag_list(std::initializer_list<tlv::Tag> tags) {
    Bytes out;
    for (tlv::Tag t : tags) tlv::append_tag(out, t);
    return out;
}

Bytes ProfileInfoListRequest::encode() const {
    tlv::Writer w;
    w.begin(tag);
    if (search_criteria) {
        w.begin(0xA0);
        if (const auto* id = std::get_if<ProfileIdentifier>(&*search_criteria))
            w.add_raw(encode_profile_identifier(*id, "ProfileInfoListRequest", "searchCriteria"));
        else
            w.add_int(0x95, static_cast<int>(std::get<ProfileClass>(*search_criteria)));
        w.end();
    }
    if (tag_list) w.add(0x5C, *tag_list);
    w.end();
    return w.take();
}

ProfileInfoListRequest ProfileInfoListRequest::decode(ByteView der) {
    Reader r(der, tag, "ProfileInfoListRequest");
    ProfileInfoListRequest out;
    if (auto x = r.optional(0xA0)) {
        auto c = r.only_child(*x, "searchCriteria");
        if (c.tag == 0x95)
            out.search_criteria = ProfileClass(r.integer(c, "searchCriteria.profileClass"));
        else
            out.search_criteria = decode_profile_identifier(r, c, "searchCriteria");
    }
    if (auto x = r.optional(0x5C)) out.tag_list = r.octets(*x, "tagList");
    r.finish();
    return out;
}

// --- Enable / Disable / Delete ---

namespace {

template <typename Req>
Bytes encode_switch(const Req& r, std::string_view message) {
    tlv::Writer w;
    w.begin(Req::tag).begin(0xA0);
    w.add_raw(encode_profile_identifier(r.profile_identifier, message, "profileIdentifier"));
    w.end().add_bool(0x81, r.refresh_flag).end();
    return w.take();
}

template <typename Req>
Req decode_switch(ByteView der, std::string_view message) {
    Reader r(der, Req::tag, std::string(message));
    Req out;
    auto id = r.only_child(r.required(0xA0, "profileIdentifier"), "profileIdentifier");
    out.profile_identifier = decode_profile_identifier(r, id, "profileIdentifier");
    out.refresh_flag = r.boolean(r.required(0x81, "refreshFlag"), "refreshFlag");
    r.finish();
    return out;
}

}  // namespace

Bytes EnableProfileRequest::encode() const { return encode_switch(*this, "EnableProfileRequest"); }
EnableProfileRequest EnableProfileRequest::decode(ByteView der) {
    return decode_switch<EnableProfileRequest>(der, "EnableProfileRequest");
}
Bytes EnableProfileResponse::encode() const { return codec::encode_result(tag, static_cast<int>(enable_result)); }
EnableProfileResponse EnableProfileResponse::decode(ByteView der) {
    return {EnableProfileResult(codec::decode_result(der, tag, "EnableProfileResponse", "enableResult"))};
}
void EnableProfileResponse::check() const { codec::check_result("EnableProfile", enable_result); }

Bytes DisableProfileRequest::encode() const { return encode_switch(*this, "DisableProfileRequest"); }
DisableProfileRequest DisableProfileRequest::decode(ByteView der) {
    return decode_switch<DisableProfileRequest>(der, "DisableProfileRequest");
}
Bytes DisableProfileResponse::encode() const { return codec::encode_result(tag, static_cast<int>(disable_result)); }
DisableProfileResponse DisableProfileResponse::decode(ByteView der) {
    return {DisableProfileResult(codec::decode_result(der, tag, "DisableProfileResponse", "disableResult"))};
}
void DisableProfileResponse::check() const { codec::check_result("DisableProfile", disable_result); }

Bytes DeleteProfileRequest::encode() const {
    return tlv::make(tag, encode_profile_identifier(profile_identifier, "DeleteProfileRequest", ""));
}
DeleteProfileRequest DeleteProfileRequest::decode(ByteView der) {
    Reader r(der, tag, "DeleteProfileRequest");
    return {decode_profile_identifier(r, r.only_child(r.element(), ""), "")};
}
Bytes DeleteProfileResponse::encode() const { return codec::encode_result(tag, static_cast<int>(delete_result)); }
DeleteProfileResponse DeleteProfileResponse::decode(ByteView der) {
    return {DeleteProfileResult(codec::decode_result(der, tag, "DeleteProfileResponse", "deleteResult"))};
}
void DeleteProfileResponse::check() const { codec::check_result("DeleteProfile", delete_result); }

// --- eUICCMemoryReset, GetEID, SetNickname ---

Bytes EuiccMemoryResetRequest::encode() const {
    return tlv::make(tag, tlv::make(0x82, reset_options.encode_content()));
}
EuiccMemoryResetRequest EuiccMemoryResetRequest::decode(ByteView der) {
    Reader r(der, tag, "EuiccMemoryResetRequest");
    EuiccMemoryResetRequest out;
    out.reset_options = r.bits(0x82, "resetOptions");
    r.finish();
    return out;
}
Bytes EuiccMemoryResetResponse::encode() const { return codec::encode_result(tag, static_cast<int>(reset_result)); }
EuiccMemoryResetResponse EuiccMemoryResetResponse::decode(ByteView der) {
    return {EuiccMemoryResetResult(codec::decode_result(der, tag, "EuiccMemoryResetResponse", "resetResult"))};
}
void EuiccMemoryResetResponse::check() const { codec::check_result("eUICCMemoryReset", reset_result); }

Bytes GetEuiccDataRequest::encode() const {
    return tlv::make(tag, tlv::make(0x5C, checked_size(tag_list, 1, 1, "GetEuiccDataRequest", "tagList")));
}
GetEuiccDataRequest GetEuiccDataRequest::decode(ByteView der) {
    Reader r(der, tag, "GetEuiccDataRequest");
    GetEuiccDataRequest out;
    out.tag_list = r.octets(0x5C, "tagList", 1, 1);
    r.finish();
    return out;
}
Bytes GetEuiccDataResponse::encode() const {
    return tlv::make(tag, tlv::make(0x5A, checked_size(eid_value, 16, 16, "GetEuiccDataResponse", "eidValue")));
}
GetEuiccDataResponse GetEuiccDataResponse::decode(ByteView der) {
    Reader r(der, tag, "GetEuiccDataResponse");
    GetEuiccDataResponse out;
    out.eid_value = r.octets(0x5A, "eidValue", 16, 16);
    r.finish();
    return out;
}

Bytes SetNicknameRequest::encode() const {
    tlv::Writer w;
    w.begin(tag)
        .add(0x5A, checked_size(iccid, 10, 10, "SetNicknameRequest", "iccid"))
        .add(0x90, checked_utf8(profile_nickname, 64, "SetNicknameRequest", "profileNickname"))
        .end();
    return w.take();
}
SetNicknameRequest SetNicknameRequest::decode(ByteView der) {
    Reader r(der, tag, "SetNicknameRequest");
    SetNicknameRequest out;
    out.iccid = r.octets(0x5A, "iccid", 10, 10);
    out.profile_nickname = r.utf8(0x90, "profileNickname", 64);
    r.finish();
    return out;
}
Bytes SetNicknameResponse::encode() const { return codec::encode_result(tag, static_cast<int>(set_nickname_result)); }
SetNicknameResponse SetNicknameResponse::decode(ByteView der) {
    return {SetNicknameResult(codec::decode_result(der, tag, "SetNicknameResponse", "setNicknameResult"))};
}
void SetNicknameResponse::check() const { codec::check_result("SetNickname", set_nickname_result); }

}  // namespace lpad::es10
