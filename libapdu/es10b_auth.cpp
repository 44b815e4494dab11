// SPDX-License-Identifier: Apache-2.0
#include "libapdu/es10b_auth.h"

#include <array>

#include "libapdu/error.h"
#include "libapdu/es10_codec.h"

namespace lpad::es10 {

using codec::Reader;

namespace {

constexpr std::string_view kDeviceCapabilityNames[] = {
    "gsmSupportedRelease",          "utranSupportedRelease",       "cdma2000onexSupportedRelease",
    "cdma2000hrpdSupportedRelease", "cdma2000ehrpdSupportedRelease", "eutranSupportedRelease",
    "contactlessSupportedRelease",  "rspCrlSupportedVersion",      "rspRpmSupportedVersion",
};

// The nine DeviceCapabilities fields in ASN.1 order (context tags 80..88).
template <class Caps>
auto capability_fields(Caps& c) {
    return std::array{&c.gsm_supported_release,         &c.utran_supported_release,
                      &c.cdma2000onex_supported_release, &c.cdma2000hrpd_supported_release,
                      &c.cdma2000ehrpd_supported_release, &c.eutran_supported_release,
                      &c.contactless_supported_release,  &c.rsp_crl_supported_version,
                      &c.rsp_rpm_supported_version};
}

}  // namespace

// --- GetEuiccChallenge ---

Bytes GetEuiccChallengeRequest::encode() const { return tlv::header(tag, 0); }

GetEuiccChallengeRequest GetEuiccChallengeRequest::decode(ByteView der) {
    codec::decode_empty(der, tag, "GetEuiccChallengeRequest");
    return {};
}

Bytes GetEuiccChallengeResponse::encode() const {
    return tlv::make(tag, tlv::make(0x80, codec::checked_size(euicc_challenge, 16, 16, "GetEuiccChallengeResponse",
                                                              "euiccChallenge")));
}

GetEuiccChallengeResponse GetEuiccChallengeResponse::decode(ByteView der) {
    Reader s(der, tag, "GetEuiccChallengeResponse");
    GetEuiccChallengeResponse r;
    r.euicc_challenge = s.octets(0x80, "euiccChallenge", 16, 16);
    s.finish();
    return r;
}

// --- CtxParams1 ---

Bytes CtxParams1::encode() const {
    constexpr std::string_view msg = "CtxParams1";
    const auto& info = device_info;
    if (info.tac.size() != 4 && info.tac.size() != 8)
        codec::invalid(msg, "tac", "expected 4 (or 8) bytes, got " + std::to_string(info.tac.size()));
    tlv::Writer w;
    w.begin(tag);
    if (matching_id) w.add(0x80, as_bytes(*matching_id));
    w.begin(0xA1).add(0x80, info.tac).begin(0xA1);
    auto fields = capability_fields(info.device_capabilities);
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (*fields[i])
            w.add(static_cast<tlv::Tag>(0x80 + i), codec::checked_size(**fields[i], 3, 3, msg, kDeviceCapabilityNames[i]));
    w.end();
    if (info.imei) w.add(0x82, codec::checked_size(*info.imei, 8, 8, msg, "imei"));
    return w.end().end().take();
}

CtxParams1 CtxParams1::decode(ByteView der) {
    Reader s(der, tag, "CtxParams1");
    CtxParams1 c;
    if (auto m = s.optional(0x80)) c.matching_id = s.utf8(*m, "matchingId");
    Reader info = s.nested(s.required(0xA1, "deviceInfo"), "deviceInfo");
    auto tac = info.required(0x80, "tac");
    if (tac.value.size() != 4 && tac.value.size() != 8)
        info.fail("tac", "expected 4 (or 8) bytes, got " + std::to_string(tac.value.size()));
    c.device_info.tac = info.octets(tac, "tac");
    Reader caps = info.nested(info.required(0xA1, "deviceCapabilities"), "deviceCapabilities");
    auto fields = capability_fields(c.device_info.device_capabilities);
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (auto f = caps.optional(static_cast<tlv::Tag>(0x80 + i))) *fields[i] = caps.octets(*f, kDeviceCapabilityNames[i], 3, 3);
    caps.finish();
    if (auto imei = info.optional(0x82)) c.device_info.imei = info.octets(*imei, "imei", 8, 8);
    info.finish();
    s.finish();
    return c;
}

// --- ServerSigned1 / AuthenticateServerRequest ---

Bytes ServerSigned1::encode() const {
    constexpr std::string_view msg = "ServerSigned1";
    tlv::Writer w;
    w.begin(tag);
    codec::write_transaction_id(w, 0x80, transaction_id, msg);
    w.add(0x81, codec::checked_size(euicc_challenge, 16, 16, msg, "euiccChallenge"))
        .add(0x83, as_bytes(server_address))
        .add(0x84, codec::checked_size(server_challenge, 16, 16, msg, "serverChallenge"));
    return w.end().take();
}

ServerSigned1 ServerSigned1::decode(ByteView der) {
    Reader s(der, tag, "ServerSigned1");
    ServerSigned1 v;
    v.transaction_id = s.transaction_id();
    v.euicc_challenge = s.octets(0x81, "euiccChallenge", 16, 16);
    v.server_address = s.utf8(0x83, "serverAddress");
    v.server_challenge = s.octets(0x84, "serverChallenge", 16, 16);
    s.finish();
    v.raw = codec::copy(s.element().raw);
    return v;
}

Bytes AuthenticateServerRequest::encode() const {
    return tlv::Writer()
        .begin(tag)
        .add_raw(server_signed1.der())
        .add(0x5F37, server_signature1)
        .add(0x04, euicc_ci_pkid_to_be_used)
        .add_raw(server_certificate)
        .add_raw(ctx_params1.encode())
        .end()
        .take();
}

AuthenticateServerRequest AuthenticateServerRequest::decode(ByteView der) {
    Reader s(der, tag, "AuthenticateServerRequest");
    AuthenticateServerRequest r;
    r.server_signed1 = ServerSigned1::decode(s.required(0x30, "serverSigned1").raw);
    r.server_signature1 = s.octets(0x5F37, "serverSignature1");
    r.euicc_ci_pkid_to_be_used = s.octets(0x04, "euiccCiPKIdToBeUsed");
    r.server_certificate = s.whole(0x30, "serverCertificate");
    r.ctx_params1_raw = s.whole(CtxParams1::tag, "ctxParams1");
    r.ctx_params1 = CtxParams1::decode(r.ctx_params1_raw);
    s.finish();
    return r;
}

// --- EuiccSigned1 / AuthenticateServerResponse ---

Bytes EuiccSigned1::encode() const {
    tlv::Writer w;
    w.begin(tag);
    codec::write_transaction_id(w, 0x80, transaction_id, "EuiccSigned1");
    w.add(0x83, as_bytes(server_address))
        .add(0x84, codec::checked_size(server_challenge, 16, 16, "EuiccSigned1", "serverChallenge"))
        .add_raw(euicc_info2)
        .add_raw(ctx_params1);
    return w.end().take();
}

EuiccSigned1 EuiccSigned1::decode(ByteView der) {
    Reader s(der, tag, "EuiccSigned1");
    EuiccSigned1 v;
    v.transaction_id = s.transaction_id();
    v.server_address = s.utf8(0x83, "serverAddress");
    v.server_challenge = s.octets(0x84, "serverChallenge", 16, 16);
    v.euicc_info2 = s.whole(0xBF22, "euiccInfo2");
    v.ctx_params1 = s.whole(0xA0, "ctxParams1");
    s.finish();
    v.raw = codec::copy(s.element().raw);
    return v;
}

std::string_view name(AuthenticateErrorCode code) {
    return codec::lookup(static_cast<int>(code), {{1, "invalidCertificate"},
                                                  {2, "invalidSignature"},
                                                  {3, "unsupportedCurve"},
                                                  {4, "noSessionContext"},
                                                  {5, "invalidOid"},
                                                  {6, "euiccChallengeMismatch"},
                                                  {7, "ciPKUnknown"},
                                                  {127, "undefinedError"}});
}

void AuthenticateServerResponse::check() const {
    codec::check_choice(result, "AuthenticateServer", &AuthenticateResponseError::authenticate_error_code);
}

const AuthenticateResponseOk& AuthenticateServerResponse::ok() const {
    check();
    return std::get<AuthenticateResponseOk>(result);
}

Bytes AuthenticateServerResponse::encode() const {
    return codec::encode_choice(
        tag, result,
        [](tlv::Writer& w, const AuthenticateResponseOk& ok) {
            w.add_raw(ok.euicc_signed1.der())
                .add(0x5F37, ok.euicc_signature1)
                .add_raw(ok.euicc_certificate)
                .add_raw(ok.eum_certificate);
        },
        [](tlv::Writer& w, const AuthenticateResponseError& err) {
            codec::write_transaction_id(w, 0x80, err.transaction_id, "AuthenticateResponseError");
            w.add_int(0x02, static_cast<int>(err.authenticate_error_code));
        });
}

AuthenticateServerResponse AuthenticateServerResponse::decode(ByteView der) {
    AuthenticateServerResponse r;
    r.raw = codec::decode_choice(
        der, tag, {"AuthenticateServerResponse", "authenticateResponseOk", "authenticateResponseError"}, r.result,
        [](Reader& a) {
            AuthenticateResponseOk ok;
            ok.euicc_signed1 = EuiccSigned1::decode(a.required(0x30, "euiccSigned1").raw);
            ok.euicc_signature1 = a.octets(0x5F37, "euiccSignature1");
            ok.euicc_certificate = a.whole(0x30, "euiccCertificate");
            ok.eum_certificate = a.whole(0x30, "eumCertificate");
            return ok;
        },
        [](Reader& a) {
            AuthenticateResponseError err;
            err.transaction_id = a.transaction_id();
            err.authenticate_error_code = AuthenticateErrorCode(a.integer(0x02, "authenticateErrorCode"));
            return err;
        });
    return r;
}

// --- CancelSession ---

std::string_view name(CancelSessionReason reason) {
    return codec::lookup(static_cast<int>(reason), {{0, "endUserRejection"},
                                                    {1, "postponed"},
                                                    {2, "timeout"},
                                                    {3, "pprNotAllowed"},
                                                    {4, "metadataMismatch"},
                                                    {5, "loadBppExecutionError"},
                                                    {127, "undefinedReason"}});
}

std::string_view name(CancelSessionError error) {
    return codec::lookup(static_cast<int>(error), {{5, "invalidTransactionId"}, {127, "undefinedError"}});
}

Bytes CancelSessionRequest::encode() const {
    tlv::Writer w;
    w.begin(tag);
    codec::write_transaction_id(w, 0x80, transaction_id, "CancelSessionRequest");
    return w.add_int(0x81, static_cast<int>(reason)).end().take();
}

CancelSessionRequest CancelSessionRequest::decode(ByteView der) {
    Reader s(der, tag, "CancelSessionRequest");
    CancelSessionRequest r;
    r.transaction_id = s.transaction_id();
    r.reason = CancelSessionReason(s.integer(0x81, "reason"));
    s.finish();
    return r;
}

Bytes EuiccCancelSessionSigned::encode() const {
    tlv::Writer w;
    w.begin(tag);
    codec::write_transaction_id(w, 0x80, transaction_id, "EuiccCancelSessionSigned");
    return w.add(0x81, asn1::oid_content(smdp_oid)).add_int(0x82, static_cast<int>(reason)).end().take();
}

EuiccCancelSessionSigned EuiccCancelSessionSigned::decode(ByteView der) {
    Reader s(der, tag, "EuiccCancelSessionSigned");
    EuiccCancelSessionSigned v;
    v.transaction_id = s.transaction_id();
    v.smdp_oid = s.oid(s.required(0x81, "smdpOid"), "smdpOid");
    v.reason = CancelSessionReason(s.integer(0x82, "reason"));
    s.finish();
    v.raw = codec::copy(s.element().raw);
    return v;
}

void CancelSessionResponse::check() const { codec::check_choice(result, "CancelSession"); }

const CancelSessionResponseOk& CancelSessionResponse::ok() const {
    check();
    return std::get<CancelSessionResponseOk>(result);
}

Bytes CancelSessionResponse::encode() const {
    return codec::encode_choice(tag, result, [](tlv::Writer& w, const CancelSessionResponseOk& ok) {
        w.add_raw(ok.euicc_cancel_session_signed.der()).add(0x5F37, ok.euicc_cancel_session_signature);
    });
}

CancelSessionResponse CancelSessionResponse::decode(ByteView der) {
    CancelSessionResponse r;
    r.raw = codec::decode_choice(
        der, tag, {"CancelSessionResponse", "cancelSessionResponseOk", "cancelSessionResponseError"}, r.result,
        [](Reader& a) {
            CancelSessionResponseOk ok;
            ok.euicc_cancel_session_signed =
                EuiccCancelSessionSigned::decode(a.required(0x30, "euiccCancelSessionSigned").raw);
            ok.euicc_cancel_session_signature = a.octets(0x5F37, "euiccCancelSessionSignature");
            return ok;
        });
    return r;
}

}  // namespace lpad::es10
