// SPDX-License-Identifier: Apache-2.0
#include "lpad/core/card.h"

#include "libapdu/apdu.h"
#include "libapdu/asn1.h"
#include "libapdu/bpp.h"
#include "libapdu/error.h"
#include "libapdu/log.h"
#include "libapdu/tlv.h"

namespace lpad::core {
namespace {

constexpr std::string_view kLog = "core.card";

bool block_size_refused(const Error& e) {
    return e.code() == Errc::CardError && e.status_word && (*e.status_word == 0x6700 || *e.status_word == 0x6601);
}

}  // namespace

Bytes profile_tag_list(const ProfileQuery& q) {
    Bytes tags = es10::ProfileInfoListRequest::make_tag_list({0x5A, 0x4F, 0x9F70, 0x90, 0x91, 0x92, 0x95, 0xB6, 0xB7});
    if (q.icons) append(tags, es10::ProfileInfoListRequest::make_tag_list({0x93, 0x94}));
    if (q.policy_rules) append(tags, es10::ProfileInfoListRequest::make_tag_list({0x99}));
    return tags;
}

CardSession::CardSession(Transport& transport, CardOptions options)
    : transport_(transport), options_(std::move(options)), client_(transport, options_.es10) {
    if (options_.fallback_block < 6 || options_.fallback_block > 255)
        fail(Errc::InvalidArgument, "STORE DATA fallback block size must be 6..255");
}

CardSession::~CardSession() { close(); }

void CardSession::open() { client_.open(); }

void CardSession::close() noexcept { client_.close(); }

Bytes CardSession::transceive(ByteView request) {
    open();
    try {
        return client_.transceive(request);
    } catch (const Error& e) {
        if (!block_size_refused(e)) throw;
        if (client_.explicit_le()) {
            log::warning(kLog, std::string("STORE DATA with Le refused with ") + apdu::sw_text(*e.status_word) +
                                   "; sending STORE DATA without Le from now on");
            client_.set_explicit_le(false);
            return transceive(request);
        }
        const bool lowered = client_.store_data_block() <= options_.fallback_block;
        if (lowered || request.size() <= options_.fallback_block) throw;
        // RSP-NOTES "Field quirks": some cards and modems refuse 255-byte blocks. Same channel, same session.
        log::warning(kLog, std::string("STORE DATA refused with ") + apdu::sw_text(*e.status_word) + "; using " +
                               std::to_string(options_.fallback_block) + "-byte blocks from now on");
        client_.set_store_data_block(options_.fallback_block);
        return client_.transceive(request);
    }
}

Es10Client::Stats CardSession::stats() const { return client_.stats(); }

// --- eUICC facts ---

Bytes CardSession::eid() { return es10::GetEuiccDataResponse::decode(transceive(es10::GetEuiccDataRequest{}.encode())).eid_value; }

Bytes CardSession::euicc_info1_der() { return transceive(es10::GetEuiccInfo1Request{}.encode()); }

es10::EUICCInfo1 CardSession::euicc_info1() { return es10::EUICCInfo1::decode(euicc_info1_der()); }

es10::EUICCInfo2 CardSession::euicc_info2() {
    return es10::EUICCInfo2::decode(transceive(es10::GetEuiccInfo2Request{}.encode()));
}

es10::EuiccConfiguredAddressesResponse CardSession::configured_addresses() {
    return es10::EuiccConfiguredAddressesResponse::decode(
        transceive(es10::EuiccConfiguredAddressesRequest{}.encode()));
}

void CardSession::set_default_dp_address(const std::string& address) {
    es10::SetDefaultDpAddressRequest req;
    req.default_dp_address = address;
    es10::SetDefaultDpAddressResponse::decode(transceive(req.encode())).check();
}

std::vector<es10::ProfilePolicyAuthorisationRule> CardSession::rat() {
    return es10::GetRatResponse::decode(transceive(es10::GetRatRequest{}.encode())).rat;
}

// --- profiles ---

std::vector<es10::ProfileInfo> CardSession::profiles(const ProfileQuery& query) {
    es10::ProfileInfoListRequest req;
    req.search_criteria = query.search;
    req.tag_list = profile_tag_list(query);
    auto resp = es10::ProfileInfoListResponse::decode(transceive(req.encode()));
    resp.check();
    return std::move(resp.profiles);
}

void CardSession::enable(const es10::ProfileIdentifier& id, bool refresh_flag) {
    es10::EnableProfileRequest req;
    req.profile_identifier = id;
    req.refresh_flag = refresh_flag;
    es10::EnableProfileResponse::decode(transceive(req.encode())).check();
}

void CardSession::disable(const es10::ProfileIdentifier& id, bool refresh_flag) {
    es10::DisableProfileRequest req;
    req.profile_identifier = id;
    req.refresh_flag = refresh_flag;
    es10::DisableProfileResponse::decode(transceive(req.encode())).check();
}

void CardSession::delete_profile(const es10::ProfileIdentifier& id) {
    es10::DeleteProfileRequest req;
    req.profile_identifier = id;
    es10::DeleteProfileResponse::decode(transceive(req.encode())).check();
}

void CardSession::set_nickname(ByteView iccid, const std::string& nickname) {
    if (nickname.size() > 64) fail(Errc::InvalidArgument, "nickname: at most 64 bytes of UTF-8");
    if (!asn1::is_valid_utf8(nickname)) fail(Errc::InvalidArgument, "nickname: not valid UTF-8");
    // Nicknames end up on terminals and in UIs: no C0/C1 control characters or DEL (ESC, CR, LF, ...).
    for (std::size_t i = 0; i < nickname.size(); ++i) {
        const auto c = static_cast<unsigned char>(nickname[i]);
        const bool c1 = c == 0xC2 && i + 1 < nickname.size() && static_cast<unsigned char>(nickname[i + 1]) <= 0x9F;
        if (c < 0x20 || c == 0x7F || c1)
            fail(Errc::InvalidArgument,
                 "nickname: control characters are not allowed (byte " + std::to_string(i) + ")");
    }
    es10::SetNicknameRequest req;
    req.iccid.assign(iccid.begin(), iccid.end());
    req.profile_nickname = nickname;
    es10::SetNicknameResponse::decode(transceive(req.encode())).check();
}

void CardSession::memory_reset(const asn1::BitString& options) {
    es10::EuiccMemoryResetRequest req;
    req.reset_options = options;
    es10::EuiccMemoryResetResponse::decode(transceive(req.encode())).check();
}

// --- notifications ---

std::vector<es10::NotificationMetadata> CardSession::list_notifications(std::optional<asn1::BitString> events) {
    es10::ListNotificationRequest req;
    req.profile_management_operation = std::move(events);
    return es10::ListNotificationResponse::decode(transceive(req.encode())).notifications();
}

std::vector<es10::PendingNotification> CardSession::retrieve_notifications(std::optional<std::int64_t> seq) {
    es10::RetrieveNotificationsListRequest req;
    req.seq_number = seq;
    auto resp = es10::RetrieveNotificationsListResponse::decode(transceive(req.encode()));
    // SGP.22 §5.7.10: noResultAvailable means nothing is pending (for this sequence number).
    if (auto* err = std::get_if<es10::RetrieveNotificationsListError>(&resp.result);
        err && *err == es10::RetrieveNotificationsListError::noResultAvailable)
        return {};
    return resp.notifications();
}

void CardSession::notification_sent(std::int64_t seq) {
    es10::NotificationSentRequest req;
    req.seq_number = seq;
    es10::NotificationSentResponse::decode(transceive(req.encode())).check();
}

// --- download session ---

Bytes CardSession::euicc_challenge() {
    return es10::GetEuiccChallengeResponse::decode(transceive(es10::GetEuiccChallengeRequest{}.encode()))
        .euicc_challenge;
}

es10::AuthenticateServerResponse CardSession::authenticate_server(const es10::AuthenticateServerRequest& request) {
    return es10::AuthenticateServerResponse::decode(transceive(request.encode()));
}

es10::PrepareDownloadResponse CardSession::prepare_download(const es10::PrepareDownloadRequest& request) {
    return es10::PrepareDownloadResponse::decode(transceive(request.encode()));
}

es10::ProfileInstallationResult CardSession::load_bound_profile_package(ByteView bpp, const LoadProgress& progress) {
    const auto pieces = es10::split_for_loading(bpp);
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        Bytes answer = transceive(pieces[i]);
        if (progress) progress(i + 1, pieces.size());
        if (!answer.empty()) {
            // An error ends loading early (SGP.22 §5.7.6); success comes only with the last piece.
            auto pir = es10::ProfileInstallationResult::decode(answer);
            if (pir.succeeded() && i + 1 < pieces.size())
                fail(Errc::ProtocolViolation, "eUICC reported success before the last Bound Profile Package piece");
            return pir;
        }
    }
    fail(Errc::MalformedData, "LoadBoundProfilePackage: no ProfileInstallationResult after the last piece");
}

es10::CancelSessionResponse CardSession::cancel_session(ByteView transaction_id, es10::CancelSessionReason reason) {
    es10::CancelSessionRequest req;
    req.transaction_id.assign(transaction_id.begin(), transaction_id.end());
    req.reason = reason;
    return es10::CancelSessionResponse::decode(transceive(req.encode()));
}

}  // namespace lpad::core
