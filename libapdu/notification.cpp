// SPDX-License-Identifier: Apache-2.0
#include "libapdu/notification.h"

#include <utility>  // std::move

#include "libapdu/error.h"
#include "libapdu/es10_codec.h"

namespace lpad::es10 {

using codec::Reader;

std::string_view name(NotificationEvent event) {
    return codec::lookup(static_cast<int>(event), {{0, "notificationInstall"},
                                                   {1, "notificationEnable"},
                                                   {2, "notificationDisable"},
                                                   {3, "notificationDelete"}});
}

asn1::BitString notification_events(std::initializer_list<NotificationEvent> events) {
    asn1::BitString b;
    for (auto e : events) {
        if (static_cast<int>(e) < 0) fail(Errc::InvalidArgument, "negative NotificationEvent bit");
        b.set(static_cast<std::size_t>(e));
    }
    return b;
}

std::string_view name(BppCommandId id) {
    return codec::lookup(static_cast<int>(id), {{0, "initialiseSecureChannel"},
                                                {1, "configureISDP"},
                                                {2, "storeMetadata"},
                                                {3, "storeMetadata2"},
                                                {4, "replaceSessionKeys"},
                                                {5, "loadProfileElements"}});
}

std::string_view name(ErrorReason reason) {
    return codec::lookup(static_cast<int>(reason),
                         {{1, "incorrectInputValues"},
                          {2, "invalidSignature"},
                          {3, "invalidTransactionId"},
                          {4, "unsupportedCrtValues"},
                          {5, "unsupportedRemoteOperationType"},
                          {6, "unsupportedProfileClass"},
                          {7, "scp03tStructureError"},
                          {8, "scp03tSecurityError"},
                          {9, "installFailedDueToIccidAlreadyExistsOnEuicc"},
                          {10, "installFailedDueToInsufficientMemoryForProfile"},
                          {11, "installFailedDueToInterruption"},
                          {12, "installFailedDueToPEProcessingError"},
                          {13, "installFailedDueToIccidMismatch"},
                          {14, "testProfileInstallFailedDueToInvalidNaaKey"},
                          {15, "pprNotAllowed"},
                          {127, "installFailedDueToUnknownError"}});
}

std::string_view name(ListNotificationError error) {
    return codec::lookup(static_cast<int>(error), {{127, "undefinedError"}});
}

std::string_view name(RetrieveNotificationsListError error) {
    return codec::lookup(static_cast<int>(error), {{1, "noResultAvailable"}, {127, "undefinedError"}});
}

std::string_view name(DeleteNotificationStatus status) {
    return codec::lookup(static_cast<int>(status), {{0, "ok"}, {1, "nothingToDelete"}, {127, "undefinedError"}});
}

// --- NotificationMetadata ---

Bytes NotificationMetadata::encode() const {
    constexpr std::string_view msg = "NotificationMetadata";
    if (static_cast<int>(profile_management_operation) < 0)
        codec::invalid(msg, "profileManagementOperation", "negative bit number");
    tlv::Writer w;
    w.begin(tag).add_int(0x80, seq_number);
    w.add(0x81, notification_events({profile_management_operation}).encode_content());
    w.add(0x0C, as_bytes(notification_address));
    if (iccid) w.add(0x5A, codec::checked_size(*iccid, 10, 10, msg, "iccid"));
    return w.end().take();
}

NotificationMetadata NotificationMetadata::decode(ByteView der) {
    Reader s(der, tag, "NotificationMetadata");
    NotificationMetadata m;
    m.seq_number = s.int64(s.required(0x80, "seqNumber"), "seqNumber");
    constexpr std::string_view pmo = "profileManagementOperation";
    auto bits = s.bits(0x81, pmo);
    std::optional<std::size_t> set;
    for (std::size_t i = 0; i < bits.size(); ++i) {
        if (!bits.test(i)) continue;
        if (set) s.fail(pmo, "more than one bit set");
        set = i;
    }
    if (!set) s.fail(pmo, "no bit set");
    if (*set > 1024) s.fail(pmo, "bit out of range");
    m.profile_management_operation = static_cast<NotificationEvent>(*set);
    m.notification_address = s.utf8(0x0C, "notificationAddress");
    if (auto i = s.optional(0x5A)) m.iccid = s.octets(*i, "iccid", 10, 10);
    s.finish();
    m.raw = codec::copy(s.element().raw);
    return m;
}

// --- ProfileInstallationResultData / ProfileInstallationResult ---

Bytes ProfileInstallationResultData::encode() const {
    constexpr std::string_view msg = "ProfileInstallationResultData";
    tlv::Writer w;
    w.begin(tag);
    codec::write_transaction_id(w, 0x80, transaction_id, msg);
    w.add_raw(notification_metadata.der());
    if (smdp_oid) w.add(0x06, asn1::oid_content(*smdp_oid));
    w.begin(0xA2);
    if (auto* ok = std::get_if<SuccessResult>(&final_result)) {
        w.begin(0xA0).add(0x4F, codec::checked_size(ok->aid, 5, 16, msg, "aid")).add(0x04, ok->sima_response).end();
    } else {
        const auto& err = std::get<ErrorResult>(final_result);
        w.begin(0xA1).add_int(0x80, static_cast<int>(err.bpp_command_id)).add_int(0x81, static_cast<int>(err.error_reason));
        if (err.sima_response) w.add(0x82, *err.sima_response);
        w.end();
    }
    return w.end().end().take();
}

ProfileInstallationResultData ProfileInstallationResultData::decode(ByteView der) {
    Reader s(der, tag, "ProfileInstallationResultData");
    ProfileInstallationResultData d;
    d.transaction_id = s.transaction_id();
    d.notification_metadata = NotificationMetadata::decode(s.required(NotificationMetadata::tag, "notificationMetadata").raw);
    if (auto oid = s.optional(0x06)) d.smdp_oid = s.oid(*oid, "smdpOid");
    auto alt = s.only_child(s.required(0xA2, "finalResult"), "finalResult");
    if (alt.tag == 0xA0) {
        Reader r = s.nested(alt, "successResult");
        SuccessResult ok;
        ok.aid = r.octets(0x4F, "aid", 5, 16);
        ok.sima_response = r.octets(0x04, "simaResponse");
        r.finish();
        d.final_result = std::move(ok);
    } else if (alt.tag == 0xA1) {
        Reader r = s.nested(alt, "errorResult");
        ErrorResult err;
        err.bpp_command_id = BppCommandId(r.integer(0x80, "bppCommandId"));
        err.error_reason = ErrorReason(r.integer(0x81, "errorReason"));
        if (auto sima = r.optional(0x82)) err.sima_response = r.octets(*sima, "simaResponse");
        r.finish();
        d.final_result = std::move(err);
    } else {
        s.fail("finalResult", "unknown alternative " + tlv::tag_name(alt.tag));
    }
    s.finish();
    d.raw = codec::copy(s.element().raw);
    return d;
}

void ProfileInstallationResult::check() const {
    if (auto* err = std::get_if<ErrorResult>(&data.final_result)) {
        int code = static_cast<int>(err->error_reason);
        throw Error::euicc("LoadBoundProfilePackage", code,
                           describe(err->error_reason) + " at " + describe(err->bpp_command_id));
    }
}

Bytes ProfileInstallationResult::encode() const {
    return tlv::make(tag, {ByteView(data.der()), ByteView(tlv::make(0x5F37, euicc_sign_pir))});
}

ProfileInstallationResult ProfileInstallationResult::decode(ByteView der) {
    Reader s(der, tag, "ProfileInstallationResult");
    ProfileInstallationResult p;
    p.data = ProfileInstallationResultData::decode(
        s.required(ProfileInstallationResultData::tag, "profileInstallationResultData").raw);
    p.euicc_sign_pir = s.octets(0x5F37, "euiccSignPIR");
    s.finish();
    p.raw = codec::copy(s.element().raw);
    return p;
}

// --- OtherSignedNotification / PendingNotification ---

Bytes OtherSignedNotification::encode() const {
    return tlv::make(tag, {ByteView(tbs_other_notification.der()), ByteView(tlv::make(0x5F37, euicc_notification_signature)),
                           ByteView(euicc_certificate), ByteView(eum_certificate)});
}

OtherSignedNotification OtherSignedNotification::decode(ByteView der) {
    Reader s(der, tag, "OtherSignedNotification");
    OtherSignedNotification n;
    n.tbs_other_notification = NotificationMetadata::decode(s.required(NotificationMetadata::tag, "tbsOtherNotification").raw);
    n.euicc_notification_signature = s.octets(0x5F37, "euiccNotificationSignature");
    n.euicc_certificate = s.whole(0x30, "euiccCertificate");
    n.eum_certificate = s.whole(0x30, "eumCertificate");
    s.finish();
    n.raw = codec::copy(s.element().raw);
    return n;
}

const NotificationMetadata& PendingNotification::metadata() const {
    if (auto* pir = std::get_if<ProfileInstallationResult>(&value)) return pir->data.notification_metadata;
    return std::get<OtherSignedNotification>(value).tbs_other_notification;
}

Bytes PendingNotification::encode() const {
    return std::visit([](const auto& v) { return v.encode(); }, value);
}

Bytes PendingNotification::der() const {
    return std::visit([](const auto& v) { return v.der(); }, value);
}

PendingNotification PendingNotification::decode(ByteView der) {
    auto e = codec::framed("PendingNotification", [&] { return tlv::parse_one(der); });
    if (e.tag == ProfileInstallationResult::tag) return {ProfileInstallationResult::decode(der)};
    if (e.tag == OtherSignedNotification::tag) return {OtherSignedNotification::decode(der)};
    codec::malformed("PendingNotification", "", "unknown alternative " + tlv::tag_name(e.tag));
}

// --- ListNotification ---

Bytes ListNotificationRequest::encode() const {
    tlv::Writer w;
    w.begin(tag);
    if (profile_management_operation) w.add(0x81, profile_management_operation->encode_content());
    return w.end().take();
}

ListNotificationRequest ListNotificationRequest::decode(ByteView der) {
    Reader s(der, tag, "ListNotificationRequest");
    ListNotificationRequest r;
    if (auto pmo = s.optional(0x81)) r.profile_management_operation = s.bits(*pmo, "profileManagementOperation");
    s.finish();
    return r;
}

void ListNotificationResponse::check() const {
    if (auto* err = std::get_if<ListNotificationError>(&result))
        throw Error::euicc("ListNotification", static_cast<int>(*err), describe(*err));
}

const std::vector<NotificationMetadata>& ListNotificationResponse::notifications() const& {
    check();
    return std::get<std::vector<NotificationMetadata>>(result);
}

std::vector<NotificationMetadata> ListNotificationResponse::notifications() && {
    check();
    return std::move(std::get<std::vector<NotificationMetadata>>(result));
}

namespace {

// CHOICE { list [0] SEQUENCE OF ..., error [1] INTEGER } (ListNotificationResponse, RetrieveNotificationsListResponse).
template <class Item, class Err>
Bytes encode_list_or_error(tlv::Tag tag, const std::variant<std::vector<Item>, Err>& result) {
    tlv::Writer w;
    w.begin(tag);
    if (auto* list = std::get_if<std::vector<Item>>(&result)) {
        w.begin(0xA0);
        for (const auto& item : *list) w.add_raw(item.der());
        w.end();
    } else {
        w.add_int(0x81, static_cast<int>(std::get<Err>(result)));
    }
    return w.end().take();
}

template <class Item, class Err>
std::variant<std::vector<Item>, Err> decode_list_or_error(ByteView der, tlv::Tag tag, std::string_view message,
                                                         std::string_view list_field, std::string_view error_field) {
    Reader s(der, tag, std::string(message));
    std::variant<std::vector<Item>, Err> result;
    auto alt = s.any("result");
    if (alt.tag == 0xA0) {
        std::vector<Item> list;
        for (const auto& item : s.children(alt)) list.push_back(Item::decode(item.raw));
        result = std::move(list);
    } else if (alt.tag == 0x81) {
        result = Err(s.integer(alt, error_field));
    } else {
        s.fail(list_field, "unknown alternative " + tlv::tag_name(alt.tag));
    }
    s.only_one("result");
    return result;
}

}  // namespace

Bytes ListNotificationResponse::encode() const { return encode_list_or_error(tag, result); }

ListNotificationResponse ListNotificationResponse::decode(ByteView der) {
    return {decode_list_or_error<NotificationMetadata, ListNotificationError>(
        der, tag, "ListNotificationResponse", "result", "listNotificationsResultError")};
}

// --- RetrieveNotificationsList ---

Bytes RetrieveNotificationsListRequest::encode() const {
    if (seq_number && profile_management_operation)
        codec::invalid("RetrieveNotificationsListRequest", "searchCriteria", "is a CHOICE, set only one");
    tlv::Writer w;
    w.begin(tag);
    if (seq_number) w.begin(0xA0).add_int(0x80, *seq_number).end();
    if (profile_management_operation) w.begin(0xA0).add(0x81, profile_management_operation->encode_content()).end();
    return w.end().take();
}

RetrieveNotificationsListRequest RetrieveNotificationsListRequest::decode(ByteView der) {
    Reader s(der, tag, "RetrieveNotificationsListRequest");
    RetrieveNotificationsListRequest r;
    if (auto sc = s.optional(0xA0)) {
        auto alt = s.only_child(*sc, "searchCriteria");
        if (alt.tag == 0x80)
            r.seq_number = s.int64(alt, "searchCriteria.seqNumber");
        else if (alt.tag == 0x81)
            r.profile_management_operation = s.bits(alt, "searchCriteria.profileManagementOperation");
        else
            s.fail("searchCriteria", "unknown alternative " + tlv::tag_name(alt.tag));
    }
    s.finish();
    return r;
}

void RetrieveNotificationsListResponse::check() const {
    if (auto* err = std::get_if<RetrieveNotificationsListError>(&result))
        throw Error::euicc("RetrieveNotificationsList", static_cast<int>(*err), describe(*err));
}

const std::vector<PendingNotification>& RetrieveNotificationsListResponse::notifications() const& {
    check();
    return std::get<std::vector<PendingNotification>>(result);
}

std::vector<PendingNotification> RetrieveNotificationsListResponse::notifications() && {
    check();
    return std::move(std::get<std::vector<PendingNotification>>(result));
}

Bytes RetrieveNotificationsListResponse::encode() const { return encode_list_or_error(tag, result); }

RetrieveNotificationsListResponse RetrieveNotificationsListResponse::decode(ByteView der) {
    return {decode_list_or_error<PendingNotification, RetrieveNotificationsListError>(
        der, tag, "RetrieveNotificationsListResponse", "result", "notificationsListResultError")};
}

// --- NotificationSent ---

Bytes NotificationSentRequest::encode() const { return tlv::Writer().begin(tag).add_int(0x80, seq_number).end().take(); }

NotificationSentRequest NotificationSentRequest::decode(ByteView der) {
    Reader s(der, tag, "NotificationSentRequest");
    NotificationSentRequest r;
    r.seq_number = s.int64(s.required(0x80, "seqNumber"), "seqNumber");
    s.finish();
    return r;
}

void NotificationSentResponse::check() const {
    codec::check_result("NotificationSent", delete_notification_status);
}

Bytes NotificationSentResponse::encode() const {
    return codec::encode_result(tag, static_cast<int>(delete_notification_status));
}

NotificationSentResponse NotificationSentResponse::decode(ByteView der) {
    return {DeleteNotificationStatus(codec::decode_result(der, tag, "NotificationSentResponse", "deleteNotificationStatus"))};
}

}  // namespace lpad::es10
