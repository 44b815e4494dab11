// SPDX-License-Identifier: Apache-2.0
#include "lpad/core/authentication.h"

#include <algorithm>
#include <cctype>

#include "libapdu/error.h"
#include "libapdu/log.h"
#include "libapdu/tlv.h"
#include "libapdu/x509.h"

namespace lpad::core {
namespace {

constexpr std::string_view kLog = "core.auth";

[[noreturn]] void violation(const std::string& what) {
    log::warning(kLog, "server refused by the LPA checks: " + what);
    fail(Errc::ProtocolViolation, what);
}

bool hex_equal(std::string_view text, ByteView bytes) {
    try {
        return equal(from_hex(text), bytes);
    } catch (const Error&) {
        return false;
    }
}

}  // namespace

bool same_server_address(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

bool operator_allowed(const es10::OperatorId& allowed, const std::optional<es10::OperatorId>& owner) {
    if (!owner || owner->mcc_mnc.size() != 3 || allowed.mcc_mnc.size() != 3) return false;
    for (std::size_t i = 0; i < 3; ++i)
        for (int shift : {0, 4}) {
            unsigned rule = (allowed.mcc_mnc[i] >> shift) & 0xFu, own = (owner->mcc_mnc[i] >> shift) & 0xFu;
            if (rule != 0xE && rule != own) return false;  // SGP.22 §2.9.2.2: 'E' is the wildcard nibble
        }
    if (allowed.gid1 && (!owner->gid1 || !equal(*allowed.gid1, *owner->gid1))) return false;
    if (allowed.gid2 && (!owner->gid2 || !equal(*allowed.gid2, *owner->gid2))) return false;
    return true;
}

PolicyRuleCheck check_profile_policy_rules(const es10::StoreMetadataRequest& md,
                                           const std::vector<es10::ProfilePolicyAuthorisationRule>& rat) {
    constexpr std::size_t kConsentRequired = 0;  // pprFlags bit
    PolicyRuleCheck out;
    if (!md.profile_policy_rules) return out;
    for (auto ppr : {es10::PprId::ppr1, es10::PprId::ppr2, es10::PprId::ppr3}) {
        if (!md.profile_policy_rules->test(static_cast<std::size_t>(ppr))) continue;
        out.rules.push_back(ppr);
        auto rule = std::find_if(rat.begin(), rat.end(), [&](const es10::ProfilePolicyAuthorisationRule& r) {
            return r.ppr_ids.test(static_cast<std::size_t>(ppr)) &&
                   std::any_of(r.allowed_operators.begin(), r.allowed_operators.end(),
                               [&](const es10::OperatorId& op) { return operator_allowed(op, md.profile_owner); });
        });
        if (rule == rat.end()) {
            if (!out.not_allowed) out.not_allowed = ppr;
        } else if (rule->ppr_flags.test(kConsentRequired)) {
            out.consent_required = true;
        }
    }
    return out;
}

Bytes check_initiate_authentication(const es9p::InitiateAuthenticationResponse& r, const AuthenticationRequest& req,
                                    ByteView challenge, const es10::EUICCInfo1& info1) {
    es10::ServerSigned1 signed1;
    try {
        signed1 = es10::ServerSigned1::decode(r.server_signed1);
    } catch (const Error& e) {
        fail(Errc::MalformedData, std::string("initiateAuthentication serverSigned1: ") + e.what());
    }
    if (!same_server_address(signed1.server_address, req.address))
        violation("serverSigned1.serverAddress \"" + signed1.server_address + "\" is not the address used (" +
                  req.address + ")");
    if (!hex_equal(r.transaction_id, signed1.transaction_id))
        violation("serverSigned1.transactionId differs from the transactionId of the response");
    if (!equal(signed1.euicc_challenge, challenge)) violation("serverSigned1.euiccChallenge is not the card's challenge");

    Bytes pkid;
    try {
        auto e = tlv::parse_one(r.euicc_ci_pkid_to_be_used);
        if (e.tag != 0x04) fail(Errc::MalformedData, "not an OCTET STRING");
        pkid.assign(e.value.begin(), e.value.end());
    } catch (const Error& e) {
        fail(Errc::MalformedData, std::string("initiateAuthentication euiccCiPKIdToBeUsed: ") + e.what());
    }
    const auto& list = info1.euicc_ci_pkid_list_for_verification;
    if (std::none_of(list.begin(), list.end(), [&](const Bytes& k) { return equal(k, pkid); }))
        violation("euiccCiPKIdToBeUsed " + to_hex(pkid) + " is not one the eUICC can verify");

    if (req.server_oid) {
        auto ids = x509::Certificate::from_der(r.server_certificate).registered_ids();
        if (std::find(ids.begin(), ids.end(), *req.server_oid) == ids.end())
            violation("the server certificate does not carry the activation code's SM-DP+ OID " + *req.server_oid);
    }
    return signed1.transaction_id;
}

Authentication authenticate_server(CardSession& card, const AuthenticationRequest& request,
                                   const InitiateFn& initiate, const SessionOpenedFn& opened) {
    Bytes challenge = card.euicc_challenge();
    Bytes info1_der = card.euicc_info1_der();
    auto info1 = es10::EUICCInfo1::decode(info1_der);
    auto init = initiate(challenge, info1_der);
    Bytes tid = check_initiate_authentication(init, request, challenge, info1);
    log::info(kLog, "authenticating with " + request.address + ", transaction " + init.transaction_id);

    es10::AuthenticateServerRequest as;
    as.server_signed1 = es10::ServerSigned1::decode(init.server_signed1);
    auto sig = tlv::parse_one(init.server_signature1);
    if (sig.tag != 0x5F37) fail(Errc::MalformedData, "initiateAuthentication serverSignature1: tag 5F37 expected");
    as.server_signature1.assign(sig.value.begin(), sig.value.end());
    auto pkid = tlv::parse_one(init.euicc_ci_pkid_to_be_used);
    as.euicc_ci_pkid_to_be_used.assign(pkid.value.begin(), pkid.value.end());
    as.server_certificate = init.server_certificate;
    as.ctx_params1.matching_id = request.matching_id;
    as.ctx_params1.device_info = request.device_info;
    if (opened) opened(init.transaction_id, tid);
    return {init.transaction_id, tid, init.server_certificate, card.authenticate_server(as)};
}

}  // namespace lpad::core
