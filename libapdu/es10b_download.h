// SPDX-License-Identifier: Apache-2.0
// ES10b download-side messages (SGP.22 §5.7.5 PrepareDownload, §5.5 ES8+ contents carried in the Bound Profile
// Package: ConfigureISDP, StoreMetadata, ReplaceSessionKeys; §5.7.4 GetRAT; §5.7.11 LoadCRL).
// Message conventions: see notification.h.
//
// The profile types shared with ES10c ProfileInfo (ProfileClass, IconType, OperatorId, ...) are in es10_types.h.
#pragma once

#include <cstdint>
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

// SmdpSigned2 (SEQUENCE), signed by the SM-DP+ (smdpSignature2).
struct SmdpSigned2 {
    static constexpr tlv::Tag tag = 0x30;
    Bytes transaction_id;
    bool cc_required_flag = false;
    std::optional<Bytes> bpp_euicc_otpk;  // 5F49: otPK.EUICC.ECKA already used (retry of a bound BPP)
    Bytes raw;

    Bytes encode() const;
    Bytes der() const { return raw.empty() ? encode() : raw; }
    static SmdpSigned2 decode(ByteView der);
};

struct PrepareDownloadResponse;
struct PrepareDownloadRequest {
    static constexpr tlv::Tag tag = 0xBF21;
    using Response = PrepareDownloadResponse;
    SmdpSigned2 smdp_signed2;
    Bytes smdp_signature2;         // 5F37 content
    std::optional<Bytes> hash_cc;  // 32 bytes: SHA-256(SHA-256(code) || transactionId)
    Bytes smdp_certificate;        // CERT.DPpb.ECDSA DER

    Bytes encode() const;
    static PrepareDownloadRequest decode(ByteView der);
};

// EUICCSigned2 (SEQUENCE), signed by the eUICC.
struct EuiccSigned2 {
    static constexpr tlv::Tag tag = 0x30;
    Bytes transaction_id;
    Bytes euicc_otpk;              // 5F49: otPK.EUICC.ECKA
    std::optional<Bytes> hash_cc;  // 32 bytes
    Bytes raw;

    Bytes encode() const;
    Bytes der() const { return raw.empty() ? encode() : raw; }
    static EuiccSigned2 decode(ByteView der);
};

struct PrepareDownloadResponseOk {
    EuiccSigned2 euicc_signed2;
    Bytes euicc_signature2;  // 5F37 content
};

enum class DownloadErrorCode : int {
    invalidCertificate = 1,
    invalidSignature = 2,
    unsupportedCurve = 3,
    noSessionContext = 4,
    invalidTransactionId = 5,
    undefinedError = 127,
};
std::string_view name(DownloadErrorCode code);

struct PrepareDownloadResponseError {
    Bytes transaction_id;
    DownloadErrorCode download_error_code = DownloadErrorCode::undefinedError;
};

// PrepareDownloadResponse (BF21). ES9+ getBoundProfilePackage forwards der() of it.
struct PrepareDownloadResponse {
    static constexpr tlv::Tag tag = 0xBF21;
    std::variant<PrepareDownloadResponseOk, PrepareDownloadResponseError> result;
    Bytes raw;

    bool is_ok() const { return std::holds_alternative<PrepareDownloadResponseOk>(result); }
    void check() const;  // Error::euicc("PrepareDownload", code, name)
    const PrepareDownloadResponseOk& ok() const;
    Bytes encode() const;
    Bytes der() const { return raw.empty() ? encode() : raw; }
    static PrepareDownloadResponse decode(ByteView der);
};

// --- StoreMetadataRequest (BF25): the profile metadata, in the BPP and in ES9+ authenticateClient ---

struct StoreMetadataRequest {
    static constexpr tlv::Tag tag = 0xBF25;
    Bytes iccid;  // 10 bytes
    std::string service_provider_name;  // 0..32 bytes
    std::string profile_name;           // 0..64 bytes
    std::optional<IconType> icon_type;
    std::optional<Bytes> icon;  // 0..1024 bytes, only with icon_type
    std::optional<ProfileClass> profile_class;  // absent means operational
    std::optional<std::vector<NotificationConfigurationInformation>> notification_configuration_info;
    std::optional<OperatorId> profile_owner;
    std::optional<asn1::BitString> profile_policy_rules;  // PprId bits

    Bytes encode() const;
    static StoreMetadataRequest decode(ByteView der);
};

// ConfigureISDPRequest (BF24). dpProprietaryData is kept as the content of its B8 element.
struct ConfigureISDPRequest {
    static constexpr tlv::Tag tag = 0xBF24;
    std::optional<Bytes> dp_proprietary_data;  // at most 128 bytes with tag and length (SGP.22 §5.5.2)

    Bytes encode() const;
    static ConfigureISDPRequest decode(ByteView der);
};

// ReplaceSessionKeysRequest (BF26): the PPK keys for the 86 segments of a protected profile package.
struct ReplaceSessionKeysRequest {
    static constexpr tlv::Tag tag = 0xBF26;
    Bytes initial_mac_chaining_value;
    Bytes ppk_enc;
    Bytes ppk_cmac;

    Bytes encode() const;
    static ReplaceSessionKeysRequest decode(ByteView der);
};

// --- GetRAT (BF43) ---

struct ProfilePolicyAuthorisationRule {
    asn1::BitString ppr_ids;  // PprId bits
    std::vector<OperatorId> allowed_operators;
    asn1::BitString ppr_flags;  // bit 0: consentRequired
};

struct GetRatResponse;
struct GetRatRequest {
    static constexpr tlv::Tag tag = 0xBF43;
    using Response = GetRatResponse;

    Bytes encode() const;
    static GetRatRequest decode(ByteView der);
};

struct GetRatResponse {
    static constexpr tlv::Tag tag = 0xBF43;
    std::vector<ProfilePolicyAuthorisationRule> rat;  // RulesAuthorisationTable

    Bytes encode() const;
    static GetRatResponse decode(ByteView der);
};

// --- LoadCRL (BF35) ---

struct LoadCRLResponse;
struct LoadCRLRequest {
    static constexpr tlv::Tag tag = 0xBF35;
    using Response = LoadCRLResponse;
    Bytes crl;  // CertificateList DER (tag 30); sent implicitly tagged [0] (A0)

    Bytes encode() const;
    static LoadCRLRequest decode(ByteView der);
};

struct LoadCRLResponseOk {
    std::optional<std::vector<std::int64_t>> missing_parts;  // partial CRL numbers still missing
};

enum class LoadCRLError : int {
    invalidSignature = 1,
    invalidCRLFormat = 2,
    notEnoughMemorySpace = 3,
    verificationKeyNotFound = 4,
    undefinedError = 127,
};
std::string_view name(LoadCRLError error);

struct LoadCRLResponse {
    static constexpr tlv::Tag tag = 0xBF35;
    std::variant<LoadCRLResponseOk, LoadCRLError> result;

    void check() const;  // Error::euicc("LoadCRL", ...)
    Bytes encode() const;
    static LoadCRLResponse decode(ByteView der);
};

}  // namespace lpad::es10
