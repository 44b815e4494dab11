// SPDX-License-Identifier: Apache-2.0
// ES10b notification messages (SGP.22 §5.7.9–§5.7.10, §5.7.7 ProfileInstallationResult) and their shared types.
//
// Conventions of every lpad::es10 message: `tag`, `encode()` (full DER TLV), `static decode(ByteView)` (strict DER,
// exactly one element, trailing unknown fields of a SEQUENCE skipped, MalformedData naming message and field).
// Signed structures keep `raw`, their TLV exactly as received: signatures cover those bytes. `der()` returns `raw`
// when set, else `encode()`; parents embed children with der(). Clear `raw` after editing a decoded value.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "libapdu/asn1.h"
#include "libapdu/bytes.h"
#include "libapdu/es10_types.h"
#include "libapdu/tlv.h"

namespace lpad::es10 {

// NotificationEvent ::= BIT STRING (named bit numbers). Other bit numbers survive decoding as other values.
enum class NotificationEvent : int {
    notificationInstall = 0,
    notificationEnable = 1,
    notificationDisable = 2,
    notificationDelete = 3,
};
std::string_view name(NotificationEvent event);
// A NotificationEvent BIT STRING value with the given bits set (ListNotification / RetrieveNotificationsList filters).
asn1::BitString notification_events(std::initializer_list<NotificationEvent> events);

// NotificationMetadata (BF2F). profileManagementOperation has exactly one bit set (decode enforces it).
struct NotificationMetadata {
    static constexpr tlv::Tag tag = 0xBF2F;
    std::int64_t seq_number = 0;
    NotificationEvent profile_management_operation = NotificationEvent::notificationInstall;
    std::string notification_address;  // FQDN
    std::optional<Bytes> iccid;         // 10 bytes, EF.ICCID coding
    Bytes raw;                          // as received (signed inside OtherSignedNotification)

    Bytes encode() const;
    Bytes der() const { return raw.empty() ? encode() : raw; }
    static NotificationMetadata decode(ByteView der);
};

enum class BppCommandId : int {
    initialiseSecureChannel = 0,
    configureISDP = 1,
    storeMetadata = 2,
    storeMetadata2 = 3,
    replaceSessionKeys = 4,
    loadProfileElements = 5,
};
std::string_view name(BppCommandId id);

// ErrorReason of a failed installation.
enum class ErrorReason : int {
    incorrectInputValues = 1,
    invalidSignature = 2,
    invalidTransactionId = 3,
    unsupportedCrtValues = 4,
    unsupportedRemoteOperationType = 5,
    unsupportedProfileClass = 6,
    scp03tStructureError = 7,
    scp03tSecurityError = 8,
    installFailedDueToIccidAlreadyExistsOnEuicc = 9,
    installFailedDueToInsufficientMemoryForProfile = 10,
    installFailedDueToInterruption = 11,
    installFailedDueToPEProcessingError = 12,
    installFailedDueToIccidMismatch = 13,
    testProfileInstallFailedDueToInvalidNaaKey = 14,
    pprNotAllowed = 15,
    installFailedDueToUnknownError = 127,
};
std::string_view name(ErrorReason reason);

struct SuccessResult {
    Bytes aid;            // ISD-P AID, 5..16 bytes
    Bytes sima_response;  // EUICCResponse(s), SAIP encoding
};

struct ErrorResult {
    BppCommandId bpp_command_id = BppCommandId::initialiseSecureChannel;
    ErrorReason error_reason = ErrorReason::installFailedDueToUnknownError;
    std::optional<Bytes> sima_response;
};

// ProfileInstallationResultData (BF27), signed by the eUICC (euiccSignPIR).
struct ProfileInstallationResultData {
    static constexpr tlv::Tag tag = 0xBF27;
    Bytes transaction_id;  // 1..16 bytes
    NotificationMetadata notification_metadata;
    std::optional<std::string> smdp_oid;  // dotted OID, same as in CERT.DPpb
    std::variant<SuccessResult, ErrorResult> final_result;
    Bytes raw;

    Bytes encode() const;
    Bytes der() const { return raw.empty() ? encode() : raw; }
    static ProfileInstallationResultData decode(ByteView der);
};

// ProfileInstallationResult (BF37): the answer to the last (or a failing) LoadBoundProfilePackage piece, and a
// PendingNotification until NotificationSent.
struct ProfileInstallationResult {
    static constexpr tlv::Tag tag = 0xBF37;
    ProfileInstallationResultData data;
    Bytes euicc_sign_pir;  // 5F37 content
    Bytes raw;

    bool succeeded() const { return std::holds_alternative<SuccessResult>(data.final_result); }
    // Throws Error::euicc("LoadBoundProfilePackage", errorReason, name) for an errorResult.
    void check() const;
    Bytes encode() const;
    Bytes der() const { return raw.empty() ? encode() : raw; }
    static ProfileInstallationResult decode(ByteView der);
};

// OtherSignedNotification (SEQUENCE, tag 30): enable/disable/delete notifications.
struct OtherSignedNotification {
    static constexpr tlv::Tag tag = 0x30;
    NotificationMetadata tbs_other_notification;  // signed: keeps its raw
    Bytes euicc_notification_signature;           // 5F37 content
    Bytes euicc_certificate;                      // Certificate DER
    Bytes eum_certificate;
    Bytes raw;

    Bytes encode() const;
    Bytes der() const { return raw.empty() ? encode() : raw; }
    static OtherSignedNotification decode(ByteView der);
};

// PendingNotification ::= CHOICE { profileInstallationResult BF37, otherSignedNotification 30 }.
// ES9+ handleNotification carries der() of this, base64.
struct PendingNotification {
    std::variant<ProfileInstallationResult, OtherSignedNotification> value;

    const NotificationMetadata& metadata() const;
    Bytes encode() const;
    Bytes der() const;
    static PendingNotification decode(ByteView der);
};

struct ListNotificationResponse;
// ES10b ListNotification (BF28), optionally filtered by operation bits.
struct ListNotificationRequest {
    static constexpr tlv::Tag tag = 0xBF28;
    using Response = ListNotificationResponse;
    std::optional<asn1::BitString> profile_management_operation;

    Bytes encode() const;
    static ListNotificationRequest decode(ByteView der);
};

enum class ListNotificationError : int { undefinedError = 127 };
std::string_view name(ListNotificationError error);

struct ListNotificationResponse {
    static constexpr tlv::Tag tag = 0xBF28;
    std::variant<std::vector<NotificationMetadata>, ListNotificationError> result;

    void check() const;  // Error::euicc("ListNotification", ...)
    // check(), then the list. On a temporary response the list is moved out, so
    // `for (auto& n : decode(...).notifications())` never reads a destroyed response.
    const std::vector<NotificationMetadata>& notifications() const&;
    std::vector<NotificationMetadata> notifications() &&;
    Bytes encode() const;
    static ListNotificationResponse decode(ByteView der);
};

struct RetrieveNotificationsListResponse;
// ES10b RetrieveNotificationsList (BF2B). searchCriteria is a CHOICE: set at most one of the two.
struct RetrieveNotificationsListRequest {
    static constexpr tlv::Tag tag = 0xBF2B;
    using Response = RetrieveNotificationsListResponse;
    std::optional<std::int64_t> seq_number;
    std::optional<asn1::BitString> profile_management_operation;

    Bytes encode() const;  // InvalidArgument if both criteria are set
    static RetrieveNotificationsListRequest decode(ByteView der);
};

enum class RetrieveNotificationsListError : int { noResultAvailable = 1, undefinedError = 127 };
std::string_view name(RetrieveNotificationsListError error);

struct RetrieveNotificationsListResponse {
    static constexpr tlv::Tag tag = 0xBF2B;
    std::variant<std::vector<PendingNotification>, RetrieveNotificationsListError> result;

    void check() const;  // Error::euicc("RetrieveNotificationsList", ...)
    const std::vector<PendingNotification>& notifications() const&;  // moved out of a temporary (see above)
    std::vector<PendingNotification> notifications() &&;
    Bytes encode() const;
    static RetrieveNotificationsListResponse decode(ByteView der);
};

struct NotificationSentResponse;
// ES10b NotificationSent (BF30): removes the notification with this sequence number.
struct NotificationSentRequest {
    static constexpr tlv::Tag tag = 0xBF30;
    using Response = NotificationSentResponse;
    std::int64_t seq_number = 0;

    Bytes encode() const;
    static NotificationSentRequest decode(ByteView der);
};

enum class DeleteNotificationStatus : int { ok = 0, nothingToDelete = 1, undefinedError = 127 };
std::string_view name(DeleteNotificationStatus status);

struct NotificationSentResponse {
    static constexpr tlv::Tag tag = 0xBF30;
    DeleteNotificationStatus delete_notification_status = DeleteNotificationStatus::ok;

    void check() const;  // Error::euicc("NotificationSent", ...) unless ok
    Bytes encode() const;
    static NotificationSentResponse decode(ByteView der);
};

}  // namespace lpad::es10
