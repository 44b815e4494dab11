// SPDX-License-Identifier: Apache-2.0
// ES10b mutual authentication of the virtual eUICC: AuthenticateServer (SGP.22 §5.7.13), PrepareDownload
// (§5.7.5) and CancelSession (§5.7.14). Signed data, as SGP.22 and the SM-DP+ implementations define it:
//   serverSignature1  over serverSigned1 DER                  (verified with CERT.DPauth)
//   euiccSignature1   over euiccSigned1 DER                   (signed with SK.EUICC)
//   smdpSignature2    over smdpSigned2 DER || 5F37 euiccSignature1 TLV   (CERT.DPpb)
//   euiccSignature2   over euiccSigned2 DER || 5F37 smdpSignature2 TLV
//   euiccCancelSessionSignature over euiccCancelSessionSigned DER
#include "drivers/virtual/euicc.h"
#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::virtual_euicc {

namespace {

using AuthCode = es10::AuthenticateErrorCode;
using DlCode = es10::DownloadErrorCode;

Bytes signature_tlv(ByteView rs) { return tlv::make(0x5F37, rs); }

// Checks CERT.XX against the CI; nullopt when it is good, else which check failed.
enum class CertProblem { None, Invalid, Curve };
CertProblem check_certificate(const x509::Certificate& cert, const std::vector<x509::Certificate>& ci,
                              std::initializer_list<x509::Role> roles) {
    if (!cert.curve()) return CertProblem::Curve;
    bool role_ok = false;
    for (auto r : roles) role_ok |= cert.has_role(r);
    if (!role_ok) return CertProblem::Invalid;
    try {
        x509::VerifyOptions options;
        options.check_time = false;  // SGP.22: the eUICC has no clock
        x509::verify_chain(cert, {}, ci, options);
    } catch (const Error&) {
        return CertProblem::Invalid;
    }
    return CertProblem::None;
}

std::string first_oid(const x509::Certificate& cert) {
    auto ids = cert.registered_ids();
    return ids.empty() ? std::string() : ids.front();
}

}  // namespace

Bytes Euicc::authenticate_server(std::uint8_t channel, ByteView command) {
    auto req = es10::AuthenticateServerRequest::decode(command);
    auto error = [&](AuthCode code) {
        sessions_.erase(channel);  // the RSP session ends with the failure
        es10::AuthenticateServerResponse resp;
        resp.result = es10::AuthenticateResponseError{req.server_signed1.transaction_id, code};
        return resp.encode();
    };
    auto it = sessions_.find(channel);
    if (it == sessions_.end() || it->second.authenticated) return error(AuthCode::noSessionContext);
    Session& s = it->second;

    // euiccCiPKIdToBeUsed must name a CI the eUICC signs with (SGP.22 §5.7.13).
    bool known = false;
    for (const Bytes& id : state_.config.ci_pkids_for_signing) known |= id == req.euicc_ci_pkid_to_be_used;
    auto ci = trusted_ci(req.euicc_ci_pkid_to_be_used);
    if (!known || ci.empty()) return error(AuthCode::ciPKUnknown);

    std::optional<x509::Certificate> cert;
    try {
        cert = x509::Certificate::from_der(req.server_certificate);
    } catch (const Error&) {
        return error(AuthCode::invalidCertificate);
    }
    switch (check_certificate(*cert, ci, {x509::Role::DpAuth, x509::Role::DsAuth})) {
    case CertProblem::Curve: return error(AuthCode::unsupportedCurve);
    case CertProblem::Invalid: return error(AuthCode::invalidCertificate);
    case CertProblem::None: break;
    }
    if (!crypto::verify(cert->public_key(), req.server_signed1.der(), req.server_signature1))
        return error(AuthCode::invalidSignature);
    if (req.server_signed1.euicc_challenge != s.euicc_challenge) return error(AuthCode::euiccChallengeMismatch);

    es10::AuthenticateResponseOk ok;
    ok.euicc_signed1.transaction_id = req.server_signed1.transaction_id;
    ok.euicc_signed1.server_address = req.server_signed1.server_address;
    ok.euicc_signed1.server_challenge = req.server_signed1.server_challenge;
    ok.euicc_signed1.euicc_info2 = euicc_info2().encode();
    ok.euicc_signed1.ctx_params1 = req.ctx_params1_raw;  // exactly as received
    ok.euicc_signed1.raw = ok.euicc_signed1.encode();
    ok.euicc_signature1 = sign(ok.euicc_signed1.raw);
    ok.euicc_certificate = state_.config.euicc_certificate;
    ok.eum_certificate = state_.config.eum_certificate;

    s.authenticated = true;
    s.transaction_id = req.server_signed1.transaction_id;
    s.server_address = req.server_signed1.server_address;
    s.ci_pkid = req.euicc_ci_pkid_to_be_used;
    s.smdp_oid = first_oid(*cert);
    s.server_certificate = cert;
    s.euicc_signature1 = ok.euicc_signature1;
    es10::AuthenticateServerResponse resp;
    resp.result = std::move(ok);
    return resp.encode();
}

Bytes Euicc::prepare_download(std::uint8_t channel, ByteView command) {
    auto req = es10::PrepareDownloadRequest::decode(command);
    auto error = [&](DlCode code) {
        sessions_.erase(channel);
        es10::PrepareDownloadResponse resp;
        resp.result = es10::PrepareDownloadResponseError{req.smdp_signed2.transaction_id, code};
        return resp.encode();
    };
    auto it = sessions_.find(channel);
    if (it == sessions_.end() || !it->second.authenticated || it->second.prepared)
        return error(DlCode::noSessionContext);
    Session& s = it->second;

    std::optional<x509::Certificate> cert;
    try {
        cert = x509::Certificate::from_der(req.smdp_certificate);
    } catch (const Error&) {
        return error(DlCode::invalidCertificate);
    }
    switch (check_certificate(*cert, trusted_ci(s.ci_pkid), {x509::Role::DpPb})) {
    case CertProblem::Curve: return error(DlCode::unsupportedCurve);
    case CertProblem::Invalid: return error(DlCode::invalidCertificate);
    case CertProblem::None: break;
    }
    // CERT.DPpb belongs to the SM-DP+ that authenticated: same SM-DP+ OID as CERT.DPauth.
    if (first_oid(*cert) != s.smdp_oid) return error(DlCode::invalidCertificate);
    Bytes signed_data = concat(req.smdp_signed2.der(), signature_tlv(s.euicc_signature1));
    if (!crypto::verify(cert->public_key(), signed_data, req.smdp_signature2)) return error(DlCode::invalidSignature);
    if (req.smdp_signed2.transaction_id != s.transaction_id) return error(DlCode::invalidTransactionId);
    // SGP.22 §5.7.5: hashCc is required when the SM-DP+ set ccRequiredFlag; its value is the SM-DP+'s to check.
    if (req.smdp_signed2.cc_required_flag && !req.hash_cc) return error(DlCode::undefinedError);

    // SGP.22 §5.7.5: a retried download names the one-time key its BPP is bound to (bppEuiccOtpk). If the eUICC
    // still holds the matching otSK.EUICC.ECKA it reuses the pair; otherwise (none held, or another one) it
    // generates a new pair, as for a first download: DownloadErrorCode has no value for this case, and the
    // SM-DP+ learns it from euiccSigned2.euiccOtpk differing from the key it bound the BPP to.
    crypto::Curve curve = *cert->curve();
    const auto& wanted = req.smdp_signed2.bpp_euicc_otpk;
    if (wanted && state_.download_key && state_.download_key->otpk == *wanted &&
        state_.download_key->private_key().curve() == curve) {
        s.otsk = state_.download_key->private_key();
    } else {
        if (wanted) log::info("veuicc", "PrepareDownload: no one-time key matches bppEuiccOtpk; a new pair is used");
        s.otsk = crypto::PrivateKey::generate(curve);
    }
    // Kept in non-volatile memory (the state file) before the answer leaves the card: a BPP bound to this key
    // can be loaded in a later session, by a later process on the same state.
    state_.download_key = DownloadKey{s.transaction_id, s.otsk->public_point(), s.otsk->to_pem()};
    persist();
    s.euicc_otpk = s.otsk->public_point();
    s.dp_pb = cert;
    s.prepared = true;

    es10::PrepareDownloadResponseOk ok;
    ok.euicc_signed2.transaction_id = s.transaction_id;
    ok.euicc_signed2.euicc_otpk = s.euicc_otpk;
    ok.euicc_signed2.hash_cc = req.hash_cc;
    ok.euicc_signed2.raw = ok.euicc_signed2.encode();
    ok.euicc_signature2 = sign(concat(ok.euicc_signed2.raw, signature_tlv(req.smdp_signature2)));
    es10::PrepareDownloadResponse resp;
    resp.result = std::move(ok);
    return resp.encode();
}

Bytes Euicc::cancel_session(std::uint8_t channel, ByteView command) {
    auto req = es10::CancelSessionRequest::decode(command);
    es10::CancelSessionResponse resp;
    auto it = sessions_.find(channel);
    if (it == sessions_.end() || !it->second.authenticated || it->second.transaction_id != req.transaction_id) {
        resp.result = es10::CancelSessionError::invalidTransactionId;
        return resp.encode();
    }
    es10::CancelSessionResponseOk ok;
    ok.euicc_cancel_session_signed.transaction_id = req.transaction_id;
    ok.euicc_cancel_session_signed.smdp_oid = it->second.smdp_oid;
    ok.euicc_cancel_session_signed.reason = req.reason;
    ok.euicc_cancel_session_signed.raw = ok.euicc_cancel_session_signed.encode();
    ok.euicc_cancel_session_signature = sign(ok.euicc_cancel_session_signed.raw);
    sessions_.erase(it);
    // The download is abandoned: its one-time key pair goes (a retry after this binds anew).
    forget_download_key();
    resp.result = std::move(ok);
    return resp.encode();
}

}  // namespace lpad::virtual_euicc
