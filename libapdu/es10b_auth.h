// SPDX-License-Identifier: Apache-2.0
// ES10b mutual authentication and session cancel (SGP.22 §5.7.13 GetEUICCChallenge, §5.7.14 AuthenticateServer,
// §5.7.16 CancelSession). Message conventions: see notification.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "libapdu/bytes.h"
#include "libapdu/es10_types.h"
#include "libapdu/tlv.h"

namespace lpad::es10 {

struct GetEuiccChallengeResponse {
    static constexpr tlv::Tag tag = 0xBF2E;
    Bytes euicc_challenge;  // 16 bytes

    Bytes encode() const;
    static GetEuiccChallengeResponse decode(ByteView der);
};

struct GetEuiccChallengeRequest {
    static constexpr tlv::Tag tag = 0xBF2E;
    using Response = GetEuiccChallengeResponse;

    Bytes encode() const;
    static GetEuiccChallengeRequest decode(ByteView der);
};

// DeviceCapabilities: highest fully supported release per technology, VersionType (3 bytes) each.
struct DeviceCapabilities {
    std::optional<Bytes> gsm_supported_release;
    std::optional<Bytes> utran_supported_release;
    std::optional<Bytes> cdma2000onex_supported_release;
    std::optional<Bytes> cdma2000hrpd_supported_release;
    std::optional<Bytes> cdma2000ehrpd_supported_release;
    std::optional<Bytes> eutran_supported_release;
    std::optional<Bytes> contactless_supported_release;
    std::optional<Bytes> rsp_crl_supported_version;
    std::optional<Bytes> rsp_rpm_supported_version;
};

// DeviceInfo. SGP.22 defines tac as Octet4 (the 8-digit TAC in BCD); our rsp.asn copy says Octet8, so decoding
// accepts 4 or 8 bytes. Encoding writes what is given.
struct DeviceInfo {
    Bytes tac;
    DeviceCapabilities device_capabilities;
    std::optional<Bytes> imei;  // 8 bytes
};

// CtxParams1 ::= CHOICE { ctxParamsForCommonAuthentication } — always the A0 alternative here.
struct CtxParams1 {
    static constexpr tlv::Tag tag = 0xA0;
    std::optional<std::string> matching_id;
    DeviceInfo device_info;

    Bytes encode() const;
    static CtxParams1 decode(ByteView der);
};

// ServerSigned1 (SEQUENCE), signed by the SM-DP+ (serverSignature1).
struct ServerSigned1 {
    static constexpr tlv::Tag tag = 0x30;
    Bytes transaction_id;    // 1..16
    Bytes euicc_challenge;   // 16
    std::string server_address;
    Bytes server_challenge;  // 16
    Bytes raw;

    Bytes encode() const;
    Bytes der() const { return raw.empty() ? encode() : raw; }
    static ServerSigned1 decode(ByteView der);
};

struct AuthenticateServerResponse;
struct AuthenticateServerRequest {
    static constexpr tlv::Tag tag = 0xBF38;
    using Response = AuthenticateServerResponse;
    ServerSigned1 server_signed1;
    Bytes server_signature1;          // 5F37 content
    Bytes euicc_ci_pkid_to_be_used;   // SubjectKeyIdentifier
    Bytes server_certificate;         // CERT.XXauth.ECDSA DER
    CtxParams1 ctx_params1;
    Bytes ctx_params1_raw;  // set by decode: the A0 TLV as received, which the eUICC copies into euiccSigned1

    Bytes encode() const;
    static AuthenticateServerRequest decode(ByteView der);
};

// EuiccSigned1 (SEQUENCE), signed by the eUICC. euiccInfo2 (BF22) and ctxParams1 (A0) are kept as their TLVs.
struct EuiccSigned1 {
    static constexpr tlv::Tag tag = 0x30;
    Bytes transaction_id;
    std::string server_address;
    Bytes server_challenge;  // 16
    Bytes euicc_info2;       // BF22 TLV
    Bytes ctx_params1;       // A0 TLV
    Bytes raw;

    Bytes encode() const;
    Bytes der() const { return raw.empty() ? encode() : raw; }
    static EuiccSigned1 decode(ByteView der);
};

struct AuthenticateResponseOk {
    EuiccSigned1 euicc_signed1;
    Bytes euicc_signature1;  // 5F37 content
    Bytes euicc_certificate;
    Bytes eum_certificate;
};

enum class AuthenticateErrorCode : int {
    invalidCertificate = 1,
    invalidSignature = 2,
    unsupportedCurve = 3,
    noSessionContext = 4,
    invalidOid = 5,
    euiccChallengeMismatch = 6,
    ciPKUnknown = 7,
    undefinedError = 127,
};
std::string_view name(AuthenticateErrorCode code);

struct AuthenticateResponseError {
    Bytes transaction_id;
    AuthenticateErrorCode authenticate_error_code = AuthenticateErrorCode::undefinedError;
};

// AuthenticateServerResponse (BF38). ES9+ authenticateClient forwards der() of it.
struct AuthenticateServerResponse {
    static constexpr tlv::Tag tag = 0xBF38;
    std::variant<AuthenticateResponseOk, AuthenticateResponseError> result;
    Bytes raw;

    bool is_ok() const { return std::holds_alternative<AuthenticateResponseOk>(result); }
    void check() const;  // Error::euicc("AuthenticateServer", code, name)
    const AuthenticateResponseOk& ok() const;  // check(), then the value
    Bytes encode() const;
    Bytes der() const { return raw.empty() ? encode() : raw; }
    static AuthenticateServerResponse decode(ByteView der);
};

// CancelSessionReason. rsp.asn lists 0..3; SGP.22 v2.2 adds 4, 5 and 127.
enum class CancelSessionReason : int {
    endUserRejection = 0,
    postponed = 1,
    timeout = 2,
    pprNotAllowed = 3,
    metadataMismatch = 4,
    loadBppExecutionError = 5,
    undefinedReason = 127,
};
std::string_view name(CancelSessionReason reason);

struct CancelSessionResponse;
struct CancelSessionRequest {
    static constexpr tlv::Tag tag = 0xBF41;
    using Response = CancelSessionResponse;
    Bytes transaction_id;
    CancelSessionReason reason = CancelSessionReason::endUserRejection;

    Bytes encode() const;
    static CancelSessionRequest decode(ByteView der);
};

struct EuiccCancelSessionSigned {
    static constexpr tlv::Tag tag = 0x30;
    Bytes transaction_id;
    std::string smdp_oid;  // dotted, from CERT.DPauth
    CancelSessionReason reason = CancelSessionReason::endUserRejection;
    Bytes raw;

    Bytes encode() const;
    Bytes der() const { return raw.empty() ? encode() : raw; }
    static EuiccCancelSessionSigned decode(ByteView der);
};

struct CancelSessionResponseOk {
    EuiccCancelSessionSigned euicc_cancel_session_signed;
    Bytes euicc_cancel_session_signature;  // 5F37 content
};

enum class CancelSessionError : int { invalidTransactionId = 5, undefinedError = 127 };
std::string_view name(CancelSessionError error);

// CancelSessionResponse (BF41). ES9+ cancelSession forwards der() of it.
struct CancelSessionResponse {
    static constexpr tlv::Tag tag = 0xBF41;
    std::variant<CancelSessionResponseOk, CancelSessionError> result;
    Bytes raw;

    bool is_ok() const { return std::holds_alternative<CancelSessionResponseOk>(result); }
    void check() const;  // Error::euicc("CancelSession", ...)
    const CancelSessionResponseOk& ok() const;
    Bytes encode() const;
    Bytes der() const { return raw.empty() ? encode() : raw; }
    static CancelSessionResponse decode(ByteView der);
};

}  // namespace lpad::es10
