// SPDX-License-Identifier: Apache-2.0
// ES9+ HandleNotification (SGP.22 §5.6.4) and CancelSession (§5.6.5).
//   euiccSignPIR                 verified over ProfileInstallationResultData DER (the session's CERT.EUICC)
//   euiccNotificationSignature   verified over tbsOtherNotification DER (the supplied CERT.EUICC, chained to a CI)
//   euiccCancelSessionSignature  verified over euiccCancelSessionSigned DER
#include <nlohmann/json.hpp>

#include "libapdu/es10b.h"
#include "libapdu/error.h"
#include "libapdu/identifiers.h"
#include "libapdu/log.h"
#include "libapdu/notification.h"
#include "lpad/es9p/messages.h"
#include "tests/smdpp/smdp_internal.h"

namespace lpad::smdpp {

namespace subject = es9p::subject;
namespace reason = es9p::reason;

namespace {

std::string iccid_text(const std::optional<Bytes>& iccid) {
    if (!iccid) return {};
    try {
        return iccid_from_bcd(*iccid);
    } catch (const Error&) {
        return to_hex(*iccid);
    }
}

}  // namespace

void SmdpServer::handle_notification(const std::string& body) {
    es9p::HandleNotificationRequest req;
    es10::PendingNotification pending;
    try {
        req = es9p::HandleNotificationRequest::decode(body);
        pending = es10::PendingNotification::decode(req.pending_notification);
    } catch (const Error& e) {
        refuse("1.1", "2.1", e.what());
    }
    ReceivedNotification rec;
    const auto& md = pending.metadata();
    rec.seq_number = md.seq_number;
    rec.operation = es10::describe(md.profile_management_operation);
    rec.iccid = iccid_text(md.iccid);
    if (auto* pir = std::get_if<es10::ProfileInstallationResult>(&pending.value)) {
        rec.kind = "ProfileInstallationResult";
        rec.transaction_id = es9p::transaction_id_hex(pir->data.transaction_id);
        rec.success = pir->succeeded();
        if (auto* err = std::get_if<es10::ErrorResult>(&pir->data.final_result))
            rec.detail = es10::describe(err->bpp_command_id) + ": " + es10::describe(err->error_reason);
        auto it = sessions_.find(rec.transaction_id);
        if (it == sessions_.end() || !it->second->euicc_certificate) {
            rec.detail = "unknown transactionId" + (rec.detail.empty() ? "" : "; " + rec.detail);
        } else if (!crypto::verify(it->second->euicc_certificate->public_key(), pir->data.der(), pir->euicc_sign_pir)) {
            rec.detail = "euiccSignPIR does not verify" + (rec.detail.empty() ? "" : "; " + rec.detail);
        } else {
            rec.verified = true;
            // SGP.22 §5.6.4: the result closes the download: the order is installed or failed.
            if (Order* order = find_order(it->second->matching_id)) {
                order->state = rec.success ? OrderState::Installed : OrderState::Failed;
                order->session.clear();
                drop_bound(order->matching_id);
            }
            end_session(rec.transaction_id);
        }
    } else {
        const auto& other = std::get<es10::OtherSignedNotification>(pending.value);
        rec.kind = "OtherSignedNotification";
        try {
            auto eum = x509::Certificate::from_der(other.eum_certificate);
            auto euicc = x509::Certificate::from_der(other.euicc_certificate);
            verify_euicc_chain(eum, euicc, eum.authority_key_id());
            if (crypto::verify(euicc.public_key(), other.tbs_other_notification.der(),
                               other.euicc_notification_signature))
                rec.verified = true;
            else
                rec.detail = "euiccNotificationSignature does not verify";
        } catch (const Error& e) {
            rec.detail = e.what();
        } catch (const Es9Failure& f) {
            rec.detail = f.message;
        }
    }
    notifications_.push_back(rec);
    persist();
    // SGP.22 §6.5.2.4: no error is returned to the LPA; the result is recorded.
    if (!rec.verified) log::warning("smdpp", "notification not verified: " + rec.detail);
}

std::string SmdpServer::cancel_session(const std::string& body) {
    es9p::CancelSessionRequest req;
    try {
        req = es9p::CancelSessionRequest::decode(body);
    } catch (const Error& e) {
        refuse("1.1", "2.1", e.what());
    }
    Session& s = session_for(req.transaction_id, -1);
    std::string tid = s.transaction_id;
    es10::CancelSessionResponse csr;
    try {
        csr = es10::CancelSessionResponse::decode(req.cancel_session_response);
    } catch (const Error& e) {
        refuse("1.1", "2.1", std::string("cancelSessionResponse: ") + e.what());
    }
    if (!csr.is_ok())
        refuse(subject::kEuicc, reason::kExecutionError,
               "the eUICC refused CancelSession: " + es10::describe(std::get<es10::CancelSessionError>(csr.result)));
    const auto& ok = std::get<es10::CancelSessionResponseOk>(csr.result);
    if (!s.euicc_certificate)
        refuse(subject::kTransactionId, reason::kUnknown, "no eUICC is authenticated in this session");
    if (!crypto::verify(s.euicc_certificate->public_key(), ok.euicc_cancel_session_signed.der(),
                        ok.euicc_cancel_session_signature))
        refuse(subject::kEuicc, reason::kVerificationFailed, "euiccCancelSessionSignature does not verify");
    if (!equal(ok.euicc_cancel_session_signed.transaction_id, s.transaction_id_bytes))
        refuse(subject::kTransactionId, reason::kUnknown, "euiccCancelSessionSigned.transactionId does not match");
    auto oids = (s.es11 && pki_.ds_auth ? pki_.ds_auth->cert : pki_.dp_auth.cert).registered_ids();
    if (oids.empty() || oids.front() != ok.euicc_cancel_session_signed.smdp_oid)
        refuse(subject::kSmdp, reason::kInvalidAssociation, "smdpOid is not ours");

    // CancelSessionReason: postponed(1) and timeout(2) keep the order; every other reason ends it.
    auto why = ok.euicc_cancel_session_signed.reason;
    if (Order* order = find_order(s.matching_id)) {
        order->session.clear();
        auto reason_name = es10::name(why);
        order->last_cancel_reason = reason_name == es10::unknown_name
                                        ? std::to_string(static_cast<int>(why))  // a value SGP.22 does not name
                                        : std::string(reason_name);
        bool keep = why == es10::CancelSessionReason::postponed || why == es10::CancelSessionReason::timeout;
        order->state = keep ? OrderState::Released : OrderState::Cancelled;
        // The eUICC forgets its one-time key on CancelSession: a package bound to it can never load now.
        drop_bound(order->matching_id);
    }
    end_session(tid);
    persist();
    return es9p::encode_status_only();
}

}  // namespace lpad::smdpp
