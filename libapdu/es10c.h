// SPDX-License-Identifier: Apache-2.0
// ES10c (SGP.22 §5.7.14–§5.7.21): the LPA's local profile management functions, as typed messages.
//
// Every message encodes to and decodes from its full DER TLV (outer tag included): the LPA encodes requests and
// decodes responses, the virtual eUICC does the opposite. decode() is strict DER: one element filling the input,
// required fields present, rsp.asn SIZE constraints checked; unknown elements at the END of a SEQUENCE are skipped
// (the module has EXTENSIBILITY IMPLIED). Errors are Error(MalformedData) naming "<Type>.<field>". encode() checks
// the same constraints and throws Error(InvalidArgument). Identifiers (ICCID, ISD-P AID, EID) stay raw bytes here;
// libapdu/identifiers.h formats them.
//
// NotificationEvent (the named bits of profileManagementOperation) comes from notification.h; ProfileClass,
// IconType, PprId, OperatorId and NotificationConfigurationInformation (shared with StoreMetadataRequest) from
// es10_types.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "libapdu/asn1.h"
#include "libapdu/bytes.h"
#include "libapdu/es10_types.h"
#include "libapdu/notification.h"
#include "libapdu/tlv.h"

namespace lpad::es10 {

// --- enumerations (INTEGER with named numbers: unknown values are kept; see describe() in es10_types.h) ---

enum class ProfileState : int { disabled = 0, enabled = 1 };
enum class ProfileInfoListError : int { incorrectInputValues = 1, undefinedError = 127 };
// catBusy(5) is from SGP.22 v2.2.1+, absent from the v2.1 module.
enum class EnableProfileResult : int {
    ok = 0, iccidOrAidNotFound = 1, profileNotInDisabledState = 2, disallowedByPolicy = 3,
    wrongProfileReenabling = 4, catBusy = 5, undefinedError = 127
};
enum class DisableProfileResult : int {
    ok = 0, iccidOrAidNotFound = 1, profileNotInEnabledState = 2, disallowedByPolicy = 3, catBusy = 5,
    undefinedError = 127
};
enum class DeleteProfileResult : int {
    ok = 0, iccidOrAidNotFound = 1, profileNotInDisabledState = 2, disallowedByPolicy = 3, undefinedError = 127
};
enum class EuiccMemoryResetResult : int { ok = 0, nothingToDelete = 1, undefinedError = 127 };
enum class SetNicknameResult : int { ok = 0, iccidNotFound = 1, undefinedError = 127 };

std::string_view name(ProfileState v);
std::string_view name(ProfileInfoListError v);
std::string_view name(EnableProfileResult v);
std::string_view name(DisableProfileResult v);
std::string_view name(DeleteProfileResult v);
std::string_view name(EuiccMemoryResetResult v);
std::string_view name(SetNicknameResult v);

// --- named bits of BIT STRINGs (bit numbers for asn1::BitString::test/set) ---

enum class ResetOption : std::size_t {
    deleteOperationalProfiles = 0, deleteFieldLoadedTestProfiles = 1, resetDefaultSmdpAddress = 2
};
// rsp.asn name of a bit, or "" when it has none (name(NotificationEvent) is in notification.h).
std::string_view name(ResetOption bit);

// profileIdentifier CHOICE { isdpAid '4F' (SIZE(1..16)), iccid '5A' (SIZE(10)) }
struct ProfileIdentifier {
    enum class Kind { isdpAid, iccid };
    Kind kind = Kind::iccid;
    Bytes value;
    static ProfileIdentifier from_iccid(Bytes iccid) { return {Kind::iccid, std::move(iccid)}; }
    static ProfileIdentifier from_isdp_aid(Bytes aid) { return {Kind::isdpAid, std::move(aid)}; }
    bool operator==(const ProfileIdentifier&) const = default;
};

// --- GetProfilesInfo (§5.7.15) ---

// ProfileInfo ::= [PRIVATE 3] SEQUENCE, tag E3. Which fields a card returns depends on the request's tagList.
struct ProfileInfo {
    static constexpr tlv::Tag tag = 0xE3;
    std::optional<Bytes> iccid;                          // 5A, 10 bytes
    std::optional<Bytes> isdp_aid;                       // 4F, 1..16 bytes
    std::optional<ProfileState> profile_state;           // 9F70
    std::optional<std::string> profile_nickname;         // 90, up to 64 bytes
    std::optional<std::string> service_provider_name;    // 91, up to 32 bytes
    std::optional<std::string> profile_name;             // 92, up to 64 bytes
    std::optional<IconType> icon_type;                   // 93
    std::optional<Bytes> icon;                           // 94, up to 1024 bytes
    ProfileClass profile_class = ProfileClass::operational;  // 95, DEFAULT operational
    std::optional<std::vector<NotificationConfigurationInformation>> notification_configuration_info;  // B6
    std::optional<OperatorId> profile_owner;             // B7
    std::optional<Bytes> dp_proprietary_data;            // B8 content (dpOid ...), whole TLV at most 128 bytes
    std::optional<asn1::BitString> profile_policy_rules;  // 99, PprId bits

    Bytes encode() const;
    static ProfileInfo decode(ByteView der);
    static ProfileInfo decode(const tlv::Element& e);
    bool operator==(const ProfileInfo&) const = default;
};

struct ProfileInfoListResponse {
    static constexpr tlv::Tag tag = 0xBF2D;
    std::vector<ProfileInfo> profiles;          // profileInfoListOk [0] (A0)
    std::optional<ProfileInfoListError> error;  // profileInfoListError [1] (81), instead of the list

    Bytes encode() const;
    static ProfileInfoListResponse decode(ByteView der);
    void check() const;  // throws Error::euicc("GetProfilesInfo", ...) when error is set
};

// searchCriteria [0] CHOICE { isdpAid '4F', iccid '5A', profileClass '95' }
using SearchCriteria = std::variant<ProfileIdentifier, ProfileClass>;

struct ProfileInfoListRequest {
    static constexpr tlv::Tag tag = 0xBF2D;
    using Response = ProfileInfoListResponse;
    std::optional<SearchCriteria> search_criteria;  // A0
    std::optional<Bytes> tag_list;                  // 5C: concatenated tags of the wanted ProfileInfo fields

    // The tag bytes of `tags` back to back, for tag_list: {0x5A, 0x9F70} -> 5A 9F 70.
    static Bytes make_tag_list(std::initializer_list<tlv::Tag> tags);
    Bytes encode() const;
    static ProfileInfoListRequest decode(ByteView der);
};

// --- EnableProfile (§5.7.16), DisableProfile (§5.7.17), DeleteProfile (§5.7.18) ---

struct EnableProfileResponse {
    static constexpr tlv::Tag tag = 0xBF31;
    EnableProfileResult enable_result = EnableProfileResult::ok;  // 80
    Bytes encode() const;
    static EnableProfileResponse decode(ByteView der);
    void check() const;
};

struct EnableProfileRequest {
    static constexpr tlv::Tag tag = 0xBF31;
    using Response = EnableProfileResponse;
    ProfileIdentifier profile_identifier;  // A0 { 4F | 5A }
    bool refresh_flag = false;             // 81: ask the eUICC for a REFRESH proactive command
    Bytes encode() const;
    static EnableProfileRequest decode(ByteView der);
};

struct DisableProfileResponse {
    static constexpr tlv::Tag tag = 0xBF32;
    DisableProfileResult disable_result = DisableProfileResult::ok;
    Bytes encode() const;
    static DisableProfileResponse decode(ByteView der);
    void check() const;
};

struct DisableProfileRequest {
    static constexpr tlv::Tag tag = 0xBF32;
    using Response = DisableProfileResponse;
    ProfileIdentifier profile_identifier;
    bool refresh_flag = false;
    Bytes encode() const;
    static DisableProfileRequest decode(ByteView der);
};

struct DeleteProfileResponse {
    static constexpr tlv::Tag tag = 0xBF33;
    DeleteProfileResult delete_result = DeleteProfileResult::ok;
    Bytes encode() const;
    static DeleteProfileResponse decode(ByteView der);
    void check() const;
};

// DeleteProfileRequest ::= [51] CHOICE: BF33 { 4F | 5A }, no A0 wrapper.
struct DeleteProfileRequest {
    static constexpr tlv::Tag tag = 0xBF33;
    using Response = DeleteProfileResponse;
    ProfileIdentifier profile_identifier;
    Bytes encode() const;
    static DeleteProfileRequest decode(ByteView der);
};

// --- eUICCMemoryReset (§5.7.19) ---

struct EuiccMemoryResetResponse {
    static constexpr tlv::Tag tag = 0xBF34;
    EuiccMemoryResetResult reset_result = EuiccMemoryResetResult::ok;
    Bytes encode() const;
    static EuiccMemoryResetResponse decode(ByteView der);
    void check() const;
};

struct EuiccMemoryResetRequest {
    static constexpr tlv::Tag tag = 0xBF34;
    using Response = EuiccMemoryResetResponse;
    asn1::BitString reset_options;  // 82, ResetOption bits
    Bytes encode() const;
    static EuiccMemoryResetRequest decode(ByteView der);
};

// --- GetEID (§5.7.20) ---

struct GetEuiccDataResponse {
    static constexpr tlv::Tag tag = 0xBF3E;
    Bytes eid_value;  // 5A, 16 bytes
    Bytes encode() const;
    static GetEuiccDataResponse decode(ByteView der);
};

struct GetEuiccDataRequest {
    static constexpr tlv::Tag tag = 0xBF3E;
    using Response = GetEuiccDataResponse;
    Bytes tag_list{0x5A};  // 5C, exactly one byte; SGP.22 fixes it to '5A' (the EID)
    Bytes encode() const;
    static GetEuiccDataRequest decode(ByteView der);
};

// --- SetNickname (§5.7.21) ---

struct SetNicknameResponse {
    static constexpr tlv::Tag tag = 0xBF29;
    SetNicknameResult set_nickname_result = SetNicknameResult::ok;
    Bytes encode() const;
    static SetNicknameResponse decode(ByteView der);
    void check() const;
};

struct SetNicknameRequest {
    static constexpr tlv::Tag tag = 0xBF29;
    using Response = SetNicknameResponse;
    Bytes iccid;                   // 5A, 10 bytes
    std::string profile_nickname;  // 90, UTF-8, up to 64 bytes (empty clears it)
    Bytes encode() const;
    static SetNicknameRequest decode(ByteView der);
};

}  // namespace lpad::es10
