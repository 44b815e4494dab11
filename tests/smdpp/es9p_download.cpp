// SPDX-License-Identifier: Apache-2.0
// ES9+ GetBoundProfilePackage (SGP.22 §5.6.2) and the binding of the profile package (§2.5.4, §5.5, §2.6.4):
//   euiccSignature2 verified over euiccSigned2 DER || 5F37 TLV of smdpSignature2
//   hashCc          = SHA-256(SHA-256(confirmation code) || transactionId)
//   session keys    from ECKA(otSK.DP.ECKA, otPK.EUICC.ECKA), CRT {88, 10, hostId}, EID (bsp::derive_session_keys)
//   BPP             = BF36 { BF23 InitialiseSecureChannelRequest (smdpSign by SK.DPpb),
//                            A0 { 87 ConfigureISDP }, A1 { 88 StoreMetadata ... },
//                            A2 { 87 ReplaceSessionKeys (fresh PPK-ENC/PPK-MAC/MCV) }, A3 { 86 profile ... } }
#include <nlohmann/json.hpp>

#include "libapdu/bpp.h"
#include "libapdu/bsp.h"
#include "libapdu/es10b.h"
#include "libapdu/error.h"
#include "libapdu/identifiers.h"
#include "libfile/file.h"
#include "lpad/es9p/messages.h"
#include "tests/smdpp/saip.h"
#include "tests/smdpp/smdp_internal.h"

namespace lpad::smdpp {

namespace subject = es9p::subject;
namespace reason = es9p::reason;

namespace {

// SGP.22 §5.5: a segment is at most 1,020 bytes with tag, length and MAC: 1 + 3 + data + 8, and the 86/87
// ciphertext is the data plus at least one padding byte, rounded up to 16.
constexpr std::size_t kMacOnlyChunk = 1008;
constexpr std::size_t kEncryptedChunk = 1007;
// hostId of the CRT (SGP.22 §5.5.1: identifies the SM-DP+; 1..16 bytes).
const Bytes kHostId{'l', 'p', 'a', 'd', 's', 'm', 'd', 'p'};

std::vector<Bytes> protect_chunks(bsp::SegmentProtector& p, std::uint8_t tag, ByteView data, std::size_t chunk,
                                  bool encrypt) {
    std::vector<Bytes> out;
    for (std::size_t pos = 0; pos < data.size(); pos += chunk)
        out.push_back(p.protect(tag, data.subspan(pos, std::min(chunk, data.size() - pos)), encrypt));
    return out;
}

const std::pair<const char*, es10::NotificationEvent> kEvents[] = {
    {"install", es10::NotificationEvent::notificationInstall},
    {"enable", es10::NotificationEvent::notificationEnable},
    {"disable", es10::NotificationEvent::notificationDisable},
    {"delete", es10::NotificationEvent::notificationDelete},
};

}  // namespace

Bytes SmdpServer::build_metadata(const Order& order) const {
    SaipSummary saip = read_saip(file::read(order.profile_path));
    es10::StoreMetadataRequest md;
    md.iccid = iccid_to_bcd(order.iccid);
    md.service_provider_name = order.provider.value_or("lpad test operator");
    md.profile_name = order.name.value_or(saip.profile_type.value_or("lpad test profile"));
    md.profile_class = order.profile_class;
    if (!order.notifications.empty()) {
        es10::NotificationConfigurationInformation nci;
        for (const auto& n : order.notifications)
            for (const auto& [label, event] : kEvents)
                if (n == label) nci.profile_management_operation.set(static_cast<std::size_t>(event));
        nci.notification_address = options_.address;
        md.notification_configuration_info = std::vector{nci};
    }
    if (order.ppr.size() > 0) md.profile_policy_rules = order.ppr;
    return md.encode();
}

std::string SmdpServer::get_bound_profile_package(const std::string& body, const std::optional<Fault>& fault) {
    es9p::GetBoundProfilePackageRequest req;
    try {
        req = es9p::GetBoundProfilePackageRequest::decode(body);
    } catch (const Error& e) {
        refuse("1.1", "2.1", e.what());
    }
    Session& s = session_for(req.transaction_id, Session::Authenticated);
    std::string tid = s.transaction_id;
    Order* order = find_order(s.matching_id);
    // Ends the session; the order becomes downloadable again (or, with `final_state`, ends).
    auto abort = [&](std::string_view subj, std::string_view why_reason, const std::string& why,
                     std::optional<OrderState> final_state = std::nullopt) {
        if (order) {
            order->session.clear();
            if (final_state) order->state = *final_state, drop_bound(order->matching_id);
        }
        end_session(tid);
        persist();
        refuse(subj, why_reason, why);
    };
    if (!order) abort(subject::kMatchingId, reason::kRefused, "the order of this session is gone");

    es10::PrepareDownloadResponse pdr;
    try {
        pdr = es10::PrepareDownloadResponse::decode(req.prepare_download_response);
    } catch (const Error& e) {
        abort("1.1", "2.1", std::string("prepareDownloadResponse: ") + e.what());
    }
    if (!pdr.is_ok())
        abort(subject::kEuicc, reason::kExecutionError,
              "the eUICC refused PrepareDownload: " +
                  es10::describe(std::get<es10::PrepareDownloadResponseError>(pdr.result).download_error_code));
    const auto& ok = std::get<es10::PrepareDownloadResponseOk>(pdr.result);
    if (!crypto::verify(s.euicc_certificate->public_key(), concat(ok.euicc_signed2.der(), s.smdp_signature2_tlv),
                        ok.euicc_signature2))
        abort(subject::kEuicc, reason::kVerificationFailed, "euiccSignature2 does not verify");
    if (!equal(ok.euicc_signed2.transaction_id, s.transaction_id_bytes))
        abort(subject::kTransactionId, reason::kUnknown, "euiccSigned2.transactionId does not match");

    // SGP.22 §5.6.2: the confirmation code, with a bounded number of attempts per order.
    if (s.cc_required) {
        if (!ok.euicc_signed2.hash_cc) abort(subject::kConfirmationCode, reason::kMandatoryElementMissing, "hashCc missing");
        Bytes expected = crypto::hash_cc(*order->confirmation_code, s.transaction_id_bytes);
        if (!equal(expected, *ok.euicc_signed2.hash_cc)) {
            if (--order->confirmation_attempts_left <= 0)
                abort(subject::kConfirmationCode, reason::kMaxRetriesExceeded, "confirmation code retries exhausted",
                      OrderState::Cancelled);
            abort(subject::kConfirmationCode, reason::kRefused, "wrong confirmation code");
        }
    }

    // A retry of the package bound earlier (smdpSigned2 named its key): SGP.22 §3.1.3.3, the bound package is reused
    // only for the same otPK.EUICC.ECKA. An eUICC that no longer holds that key answered with a new one: the
    // package cannot be bound again ("BPP not available for a new binding", 8.2 / 3.7). The session stays, so
    // the LPA can cancel it; the order stays "downloaded" until then or until the session expires.
    if (s.bpp_euicc_otpk) {
        auto bound = bound_.find(order->matching_id);
        if (order->state != OrderState::Downloaded || bound == bound_.end() ||
            bound->second.euicc_otpk != *s.bpp_euicc_otpk)
            abort(subject::kProfile, reason::kUnavailable, "the bound package of this order is gone");
        if (ok.euicc_signed2.euicc_otpk != bound->second.euicc_otpk) {
            persist();  // the confirmation attempt above, if any, counts
            refuse(subject::kProfile, reason::kUnavailable,
                   "BPP not available for a new binding: the eUICC no longer holds the key it is bound to");
        }
        Bytes served = serve_bound(s, bound->second, fault);
        s.stage = Session::Downloaded;
        order->session = tid;
        persist();
        return bpp_response(s, served, fault);
    }

    Bytes package;
    try {
        package = personalise_saip(file::read(order->profile_path), order->iccid);
    } catch (const Error& e) {
        abort(subject::kProfile, reason::kExecutionError, std::string("profile package: ") + e.what());
    }

    // Key agreement and session keys (SGP.22 §2.6.4, §3.1.3.3), EID from CERT.EUICC.
    crypto::Curve curve = pki_.dp_pb.key.curve();
    crypto::PrivateKey otsk = crypto::PrivateKey::generate(curve);
    Bytes z;
    try {
        z = crypto::ecdh(otsk, crypto::PublicKey::from_point(curve, ok.euicc_signed2.euicc_otpk));
    } catch (const Error& e) {
        abort(subject::kEuicc, reason::kVerificationFailed, std::string("otPK.EUICC.ECKA: ") + e.what());
    }
    es10::BoundProfilePackage bpp;
    auto& isc = bpp.initialise_secure_channel_request;
    isc.transaction_id = s.transaction_id_bytes;
    isc.control_ref_template = {0x88, 0x10, kHostId};
    isc.smdp_otpk = otsk.public_point();
    isc.smdp_sign = crypto::sign(pki_.dp_pb.key, isc.signed_data(ok.euicc_signed2.euicc_otpk));

    bsp::SegmentProtector protector(bsp::derive_session_keys(z, 0x88, 0x10, kHostId, eid_from_string(s.eid)));
    bpp.first_sequence_of_87 = protect_chunks(protector, bsp::kTagEncrypted, es10::ConfigureISDPRequest{}.encode(),
                                              kEncryptedChunk, true);
    bpp.sequence_of_88 = protect_chunks(protector, bsp::kTagMacOnly, s.metadata, kMacOnlyChunk, false);
    // ReplaceSessionKeys: the profile package is protected with fresh PPKs, as deployed SM-DP+s do.
    es10::ReplaceSessionKeysRequest rsk{crypto::random_bytes(16), crypto::random_bytes(16), crypto::random_bytes(16)};
    bpp.second_sequence_of_87 = protect_chunks(protector, bsp::kTagEncrypted, rsk.encode(), kEncryptedChunk, true);
    protector.replace_keys({rsk.ppk_enc, rsk.ppk_cmac, rsk.initial_mac_chaining_value});
    bpp.sequence_of_86 = protect_chunks(protector, bsp::kTagProfileElement, package, kEncryptedChunk, true);

    // Kept for a retry by the same eUICC (SGP.22 §3.1.3.3): the ciphertext is all that is needed, the otSK.DP and
    // session keys are not (and are not kept).
    BoundPackage bound{s.eid, ok.euicc_signed2.euicc_otpk, bpp.encode(), clock_()};
    Bytes served = serve_bound(s, bound, fault);
    bound_[order->matching_id] = std::move(bound);
    s.stage = Session::Downloaded;
    order->state = OrderState::Downloaded;
    persist();
    return bpp_response(s, served, fault);
}

std::string SmdpServer::bpp_response(const Session& s, const Bytes& served, const std::optional<Fault>& fault) {
    es9p::GetBoundProfilePackageResponse resp;
    resp.transaction_id = s.transaction_id;
    if (fault && fault->action == FaultAction::WrongTransactionId)
        resp.transaction_id = es9p::transaction_id_hex(other_transaction_id(s.transaction_id_bytes));
    resp.bound_profile_package = served;
    return resp.encode();
}

Bytes SmdpServer::serve_bound(const Session& s, const BoundPackage& bound, const std::optional<Fault>& fault) const {
    auto bpp = es10::BoundProfilePackage::decode(bound.bpp);
    auto& isc = bpp.initialise_secure_channel_request;
    isc.raw.clear();  // encoded anew from the fields set here
    isc.transaction_id = s.transaction_id_bytes;
    if (fault && fault->action == FaultAction::WrongSignedTransactionId)
        isc.transaction_id = other_transaction_id(isc.transaction_id);
    isc.smdp_sign = crypto::sign(pki_.dp_pb.key, isc.signed_data(bound.euicc_otpk));
    if (fault && fault->action == FaultAction::BadSignature) flip_last_byte(isc.smdp_sign);
    if (fault && fault->action == FaultAction::BadMac) flip_last_byte(bpp.sequence_of_86.back());
    return bpp.encode();
}

}  // namespace lpad::smdpp
