// SPDX-License-Identifier: Apache-2.0
// ES9+ / ES11 InitiateAuthentication and AuthenticateClient (SGP.22 §5.6.1, §5.6.3, §5.8.1, §5.8.2). Signed data:
//   serverSignature1 = sign(SK.DPauth|SK.DSauth, serverSigned1 DER)               (JSON: the 5F37 TLV)
//   euiccSignature1  verified over euiccSigned1 DER as received
//   smdpSignature2   = sign(SK.DPpb, smdpSigned2 DER || 5F37 TLV of euiccSignature1) (JSON: the 5F37 TLV)
#include <openssl/objects.h>

#include <cctype>

#include <nlohmann/json.hpp>

#include "libapdu/es10b.h"
#include "libapdu/euicc_info.h"
#include "libapdu/error.h"
#include "libapdu/identifiers.h"
#include "libapdu/log.h"
#include "lpad/es9p/messages.h"
#include "tests/smdpp/smdp_internal.h"

namespace lpad::smdpp {

namespace subject = es9p::subject;
namespace reason = es9p::reason;

namespace {

Bytes signature_tlv(ByteView rs) { return tlv::make(0x5F37, rs); }

bool contains(const std::vector<Bytes>& list, ByteView id) {
    for (const auto& x : list)
        if (equal(x, id)) return true;
    return false;
}

template <class T>
T decode_request(std::string_view body) {
    try {
        return T::decode(body);
    } catch (const Error& e) {
        refuse("1.1", "2.1", e.what());
    }
}

// Host names compare case-insensitively (SGP.22 §5.6.1: the comparison of addresses is case-insensitive).
bool same_address(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

}  // namespace

std::string SmdpServer::initiate_authentication(const std::string& body, bool es11, const std::optional<Fault>& fault) {
    Bytes euicc_challenge, euicc_info1_der;
    std::string address;
    if (es11) {
        auto req = decode_request<es9p::Es11InitiateAuthenticationRequest>(body);
        euicc_challenge = req.euicc_challenge, euicc_info1_der = req.euicc_info1, address = req.smds_address;
        if (!same_address(address, options_.smds_address))
            refuse(subject::kSmdsAddress, reason::kRefused, "SM-DS address refused: " + address);
    } else {
        auto req = decode_request<es9p::InitiateAuthenticationRequest>(body);
        euicc_challenge = req.euicc_challenge, euicc_info1_der = req.euicc_info1, address = req.smdp_address;
        if (!same_address(address, options_.address))
            refuse(subject::kSmdpAddress, reason::kRefused, "SM-DP+ address refused: " + address);
    }
    if (euicc_challenge.size() != 16) refuse("1.1", "2.1", "euiccChallenge must be 16 bytes");
    es10::EUICCInfo1 info1;
    try {
        info1 = es10::EUICCInfo1::decode(euicc_info1_der);
    } catch (const Error& e) {
        refuse("1.1", "2.1", std::string("euiccInfo1: ") + e.what());
    }
    // SGP.22 v2: the SM-DP+ serves eUICCs of major version 2.
    if (info1.svn.empty() || info1.svn[0] != '2')
        refuse(subject::kSpecificationVersion, reason::kUnsupported, "unsupported SVN " + info1.svn);

    const Credential& auth = es11 ? *pki_.ds_auth : pki_.dp_auth;
    // Our authentication certificate must chain to a CI the eUICC verifies with ...
    Bytes our_ci = auth.cert.authority_key_id();
    if (!contains(info1.euicc_ci_pkid_list_for_verification, our_ci))
        refuse(subject::kSmdpCertificate, reason::kUnavailable,
               "no authentication certificate chains to a CI the eUICC verifies with");
    // ... and the eUICC must sign under a CI we trust: prefer the same one.
    Bytes ci_pkid;
    if (contains(info1.euicc_ci_pkid_list_for_signing, our_ci) && pki_.ci_by_key_id(our_ci)) {
        ci_pkid = our_ci;
    } else {
        for (const auto& id : info1.euicc_ci_pkid_list_for_signing)
            if (pki_.ci_by_key_id(id)) {
                ci_pkid = id;
                break;
            }
    }
    if (ci_pkid.empty())
        refuse(subject::kSecurityConfiguration, reason::kUnsupported,
               "none of the eUICC's CI key ids for signing is supported");

    auto s = std::make_unique<Session>();
    s->es11 = es11;
    do {
        s->transaction_id_bytes = crypto::random_bytes(16);
        s->transaction_id = es9p::transaction_id_hex(s->transaction_id_bytes);
    } while (sessions_.count(s->transaction_id));
    s->euicc_challenge = euicc_challenge;
    s->server_challenge = crypto::random_bytes(16);
    s->ci_pkid = ci_pkid;
    s->last_used = clock_();

    es10::ServerSigned1 signed1;
    signed1.transaction_id = s->transaction_id_bytes;
    signed1.euicc_challenge = euicc_challenge;
    signed1.server_address = es11 ? options_.smds_address : options_.address;
    signed1.server_challenge = s->server_challenge;
    std::string json_tid = s->transaction_id;
    if (fault) {
        switch (fault->action) {
        case FaultAction::WrongSignedTransactionId:
            signed1.transaction_id = other_transaction_id(signed1.transaction_id);
            break;
        case FaultAction::WrongTransactionId:
            json_tid = es9p::transaction_id_hex(other_transaction_id(s->transaction_id_bytes));
            break;
        case FaultAction::WrongAddress: signed1.server_address = "wrong.example.com"; break;
        default: break;
        }
    }
    Bytes signed1_der = signed1.encode();
    Bytes signature = crypto::sign(auth.key, signed1_der);
    if (fault && fault->action == FaultAction::BadSignature) flip_last_byte(signature);

    es9p::InitiateAuthenticationResponse resp;
    resp.transaction_id = json_tid;
    resp.server_signed1 = signed1_der;
    resp.server_signature1 = signature_tlv(signature);
    resp.euicc_ci_pkid_to_be_used = tlv::make(0x04, ci_pkid);
    resp.server_certificate = auth.cert.der();
    std::string tid = s->transaction_id;
    sessions_[tid] = std::move(s);
    return resp.encode();
}

void SmdpServer::verify_euicc_chain(const x509::Certificate& eum, const x509::Certificate& euicc,
                                    ByteView ci_pkid) const {
    // SGP.22 §5.6.3: the eUICC chain's root must be the CI of euiccCiPKIdToBeUsed.
    if (!equal(eum.authority_key_id(), ci_pkid))
        refuse(subject::kCiPublicKey, reason::kUnknown, "CERT.EUM is not issued by the CI the session uses");
    const x509::Certificate* ci = pki_.ci_by_key_id(ci_pkid);
    if (!ci) refuse(subject::kCiPublicKey, reason::kUnknown, "unknown CI key id");
    std::vector<x509::Certificate> roots{*ci};
    auto check = [&](const x509::Certificate& leaf, std::vector<x509::Certificate> inter, x509::Role role,
                     std::string_view subj, const char* what) {
        x509::VerifyOptions o;
        o.leaf_role = role;
        try {
            x509::verify_chain(leaf, inter, roots, o);
        } catch (const Error& e) {
            std::string m = e.what();
            bool expired = m.find("expired") != std::string::npos;
            refuse(subj, expired ? reason::kExpired : reason::kVerificationFailed, std::string(what) + ": " + m);
        }
    };
    check(eum, {}, x509::Role::Eum, subject::kEumCertificate, "CERT.EUM");
    check(euicc, {eum}, x509::Role::Euicc, subject::kEuiccCertificate, "CERT.EUICC");
}

std::string SmdpServer::authenticate_client(const std::string& body, const std::optional<Fault>& fault) {
    auto req = decode_request<es9p::AuthenticateClientRequest>(body);
    Session& s = session_for(req.transaction_id, Session::Initiated);
    std::string tid = s.transaction_id;
    es10::AuthenticateServerResponse asr;
    try {
        asr = es10::AuthenticateServerResponse::decode(req.authenticate_server_response);
    } catch (const Error& e) {
        end_session(tid);
        refuse("1.1", "2.1", std::string("authenticateServerResponse: ") + e.what());
    }
    if (!asr.is_ok()) {
        const auto& err = std::get<es10::AuthenticateResponseError>(asr.result);
        end_session(tid);
        refuse(subject::kEuicc, reason::kExecutionError,
               "the eUICC refused AuthenticateServer: " + es10::describe(err.authenticate_error_code));
    }
    const auto& ok = std::get<es10::AuthenticateResponseOk>(asr.result);
    std::optional<x509::Certificate> eum, euicc;
    try {
        eum = x509::Certificate::from_der(ok.eum_certificate);
    } catch (const Error& e) {
        end_session(tid);
        refuse(subject::kEumCertificate, reason::kVerificationFailed, e.what());
    }
    try {
        euicc = x509::Certificate::from_der(ok.euicc_certificate);
    } catch (const Error& e) {
        end_session(tid);
        refuse(subject::kEuiccCertificate, reason::kVerificationFailed, e.what());
    }
    try {
        verify_euicc_chain(*eum, *euicc, s.ci_pkid);
        if (!crypto::verify(euicc->public_key(), ok.euicc_signed1.der(), ok.euicc_signature1))
            refuse(subject::kEuicc, reason::kVerificationFailed, "euiccSignature1 does not verify");
        if (!equal(ok.euicc_signed1.server_challenge, s.server_challenge))
            refuse(subject::kEuicc, reason::kVerificationFailed, "serverChallenge does not match");
        if (!equal(ok.euicc_signed1.transaction_id, s.transaction_id_bytes))
            refuse(subject::kTransactionId, reason::kUnknown, "euiccSigned1.transactionId does not match");
        const std::string& ours = s.es11 ? options_.smds_address : options_.address;
        if (!same_address(ok.euicc_signed1.server_address, ours))
            refuse(s.es11 ? subject::kSmdsAddress : subject::kSmdpAddress, reason::kRefused,
                   "euiccSigned1.serverAddress is not ours");
    } catch (const Es9Failure&) {
        end_session(tid);
        throw;
    }
    auto serial = euicc->subject_field(NID_serialNumber);
    s.eid = serial.value_or("");
    s.euicc_certificate = euicc;
    s.euicc_signature1 = ok.euicc_signature1;

    if (s.es11) {
        // SGP.22 §5.8.2: the event records registered for this EID.
        es9p::Es11AuthenticateClientResponse resp;
        resp.transaction_id = tid;
        for (const auto& e : events_)
            if (e.eid == s.eid) resp.event_entries.push_back({e.event_id, e.rsp_server_address});
        if (fault && fault->action == FaultAction::WrongTransactionId)
            resp.transaction_id = es9p::transaction_id_hex(other_transaction_id(s.transaction_id_bytes));
        end_session(tid);  // the ES11 session ends here (SGP.22 §3.6.2)
        return resp.encode();
    }

    std::optional<std::string> matching_id;
    try {
        matching_id = es10::CtxParams1::decode(ok.euicc_signed1.ctx_params1).matching_id;
    } catch (const Error& e) {
        end_session(tid);
        refuse("1.1", "2.1", std::string("ctxParams1: ") + e.what());
    }
    Order* order = matching_id ? find_order(*matching_id) : nullptr;
    auto refuse_order = [&](std::string_view subj, std::string_view why_reason, const std::string& why) {
        end_session(tid);
        refuse(subj, why_reason, why);
    };
    if (!order) refuse_order(subject::kMatchingId, reason::kRefused, "unknown matching ID");
    if (order->eid && *order->eid != s.eid) refuse_order(subject::kEid, reason::kRefused, "order bound to another EID");
    if (order->state == OrderState::Cancelled && order->confirmation_attempts_left <= 0)
        refuse_order(subject::kDownloadOrder, reason::kMaxRetriesExceeded, "confirmation code retries exhausted");
    // SGP.22 §3.1.3.2: a "downloaded" order may be retried by the eUICC its package is bound to; smdpSigned2 then
    // names the one-time key of that binding (bppEuiccOtpk). Any other eUICC is refused, as for other states.
    std::optional<Bytes> retry_otpk;
    if (order->state == OrderState::Downloaded) {
        auto bound = bound_.find(order->matching_id);
        if (bound != bound_.end() && bound->second.eid == s.eid) retry_otpk = bound->second.euicc_otpk;
    }
    if (order->state != OrderState::Released && !retry_otpk)
        refuse_order(subject::kMatchingId, reason::kRefused,
                     "order is " + std::string(smdpp::name(order->state)));
    // The order is held by an earlier session. Another eUICC's session keeps it. A session of the same eUICC that
    // has not delivered a package yet was abandoned (its LPA restarted, e.g. killed before or during
    // getBoundProfilePackage): it is ended, so its transactionId is unknown from now on, and this one goes on
    // (tests/smdpp/README.md "Superseded sessions"). One that delivered its package stays open (without the order)
    // until it expires, so the installation result it may still send is verified and closes the order.
    std::string abandoned;
    if (!order->session.empty() && order->session != tid) {
        auto held = sessions_.find(order->session);
        if (held != sessions_.end() && held->second->eid != s.eid)
            refuse_order(subject::kMatchingId, reason::kRefused, "order in use by another session");
        if (held != sessions_.end() && held->second->stage != Session::Downloaded) abandoned = order->session;
    }

    Bytes metadata;
    try {
        metadata = build_metadata(*order);
    } catch (const Error& e) {
        refuse_order(subject::kProfile, reason::kExecutionError, std::string("profile package: ") + e.what());
    }
    if (!abandoned.empty()) {
        end_session(abandoned);
        log::info("smdpp", "session " + abandoned + " abandoned: order " + log::redact(order->matching_id) +
                               " taken over by session " + tid + " of the same eUICC");
    }
    order->session = tid;
    s.matching_id = order->matching_id;
    s.cc_required = order->confirmation_code.has_value();
    s.metadata = metadata;
    s.stage = Session::Authenticated;
    s.bpp_euicc_otpk = retry_otpk;

    es10::SmdpSigned2 signed2;
    signed2.transaction_id = s.transaction_id_bytes;
    signed2.cc_required_flag = s.cc_required;
    signed2.bpp_euicc_otpk = retry_otpk;
    if (fault && fault->action == FaultAction::WrongSignedTransactionId)
        signed2.transaction_id = other_transaction_id(signed2.transaction_id);
    Bytes signed2_der = signed2.encode();
    Bytes signature2 = crypto::sign(pki_.dp_pb.key, concat(signed2_der, signature_tlv(s.euicc_signature1)));
    s.smdp_signature2_tlv = signature_tlv(signature2);
    if (fault && fault->action == FaultAction::BadSignature) flip_last_byte(signature2);

    es9p::AuthenticateClientResponse resp;
    resp.transaction_id = tid;
    if (fault && fault->action == FaultAction::WrongTransactionId)
        resp.transaction_id = es9p::transaction_id_hex(other_transaction_id(s.transaction_id_bytes));
    resp.profile_metadata = metadata;
    resp.smdp_signed2 = signed2_der;
    resp.smdp_signature2 = signature_tlv(signature2);
    resp.smdp_certificate = pki_.dp_pb.cert.der();
    persist();
    return resp.encode();
}

}  // namespace lpad::smdpp
