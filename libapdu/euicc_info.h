// SPDX-License-Identifier: Apache-2.0
// GetEUICCInfo (SGP.22 §5.7.8): EUICCInfo1 (BF20, sent to the SM-DP+ in initiateAuthentication) and EUICCInfo2
// (BF22, the eUICC's capabilities), plus the ETSI TS 102 226 extended card resource TLVs inside EUICCInfo2.
// Same message conventions as es10c.h. VersionType fields are held as "major.minor.revision" text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libapdu/asn1.h"
#include "libapdu/bytes.h"
#include "libapdu/es10_types.h"
#include "libapdu/tlv.h"

namespace lpad::es10 {

struct EUICCInfo1 {
    static constexpr tlv::Tag tag = 0xBF20;
    std::string svn;                                        // 82, SGP.22 version, e.g. "2.2.0"
    std::vector<Bytes> euicc_ci_pkid_list_for_verification;  // A9 { 04 SubjectKeyIdentifier ... }
    std::vector<Bytes> euicc_ci_pkid_list_for_signing;        // AA { 04 ... }
    Bytes encode() const;
    static EUICCInfo1 decode(ByteView der);
    bool operator==(const EUICCInfo1&) const = default;
};

struct GetEuiccInfo1Request {
    static constexpr tlv::Tag tag = 0xBF20;
    using Response = EUICCInfo1;
    Bytes encode() const;
    static GetEuiccInfo1Request decode(ByteView der);
};

// UICCCapability named bits. 0..18 are rsp.asn (v2.1); 19..25 were named by later SGP.22 versions.
enum class UiccCapability : std::size_t {
    contactlessSupport = 0, usimSupport = 1, isimSupport = 2, csimSupport = 3, akaMilenage = 4, akaCave = 5,
    akaTuak128 = 6, akaTuak256 = 7, rfu1 = 8, rfu2 = 9, gbaAuthenUsim = 10, gbaAuthenISim = 11,
    mbmsAuthenUsim = 12, eapClient = 13, javacard = 14, multos = 15, multipleUsimSupport = 16,
    multipleIsimSupport = 17, multipleCsimSupport = 18, berTlvFileSupport = 19, dfLinkSupport = 20, catTp = 21,
    getIdentity = 22, profileAX25519 = 23, profileBP256 = 24, suciCalculatorApi = 25
};
// RspCapability named bits; deviceInfoExtensibilitySupport(4) is from later SGP.22 versions.
enum class RspCapability : std::size_t {
    additionalProfile = 0, crlSupport = 1, rpmSupport = 2, testProfileSupport = 3,
    deviceInfoExtensibilitySupport = 4
};
enum class EuiccCategory : int { other = 0, basicEuicc = 1, mediumEuicc = 2, contactlessEuicc = 3 };

std::string_view name(UiccCapability bit);  // "" for unnamed bits (see bit_names<> in es10_types.h)
std::string_view name(RspCapability bit);
std::string_view name(EuiccCategory v);        // unknown_name for values rsp.asn does not name

// ETSI TS 102 226 §8.2.1.7.2 extended card resource information: 81 number of installed applications,
// 82 free non-volatile memory, 83 free volatile memory (bytes), each an unsigned big-endian number.
struct ExtCardResource {
    std::optional<std::uint64_t> installed_applications;
    std::optional<std::uint64_t> free_non_volatile_memory;
    std::optional<std::uint64_t> free_volatile_memory;
    // Unknown tags are skipped; numbers longer than 8 bytes or malformed TLVs throw Error(MalformedData).
    static ExtCardResource decode(ByteView content);
    Bytes encode() const;
    bool operator==(const ExtCardResource&) const = default;
};

// CertificationDataObject ::= SEQUENCE { platformLabel [0] UTF8String, discoveryBaseURL [1] UTF8String }
struct CertificationDataObject {
    std::string platform_label;
    std::string discovery_base_url;
    bool operator==(const CertificationDataObject&) const = default;
};

struct EUICCInfo2 {
    static constexpr tlv::Tag tag = 0xBF22;
    std::string profile_version;      // 81, SIMalliance profile package version
    std::string svn;                  // 82
    std::string euicc_firmware_ver;   // 83
    Bytes ext_card_resource;          // 84, TS 102 226 TLVs: see ext_card_resource_info()
    asn1::BitString uicc_capability;  // 85, UiccCapability bits
    std::optional<std::string> javacard_version;        // 86 (ts102241Version in SGP.22 v2.2+)
    std::optional<std::string> globalplatform_version;  // 87
    asn1::BitString rsp_capability;                     // 88, RspCapability bits
    std::vector<Bytes> euicc_ci_pkid_list_for_verification;  // A9
    std::vector<Bytes> euicc_ci_pkid_list_for_signing;       // AA
    std::optional<EuiccCategory> euicc_category;             // 8B
    std::optional<asn1::BitString> forbidden_profile_policy_rules;  // 99, PprId bits
    // ppVersion and sasAcreditationNumber carry no tag in rsp.asn and, because other components of EUICCInfo2
    // are tagged, AUTOMATIC TAGS leaves them with their universal tags: 04 (OCTET STRING) and 0C (UTF8String).
    std::string pp_version;                                          // 04
    std::string sas_acreditation_number;                             // 0C, up to 64 bytes
    std::optional<CertificationDataObject> certification_data_object;  // AC

    ExtCardResource ext_card_resource_info() const { return ExtCardResource::decode(ext_card_resource); }
    Bytes encode() const;
    static EUICCInfo2 decode(ByteView der);
    bool operator==(const EUICCInfo2&) const = default;
};

struct GetEuiccInfo2Request {
    static constexpr tlv::Tag tag = 0xBF22;
    using Response = EUICCInfo2;
    Bytes encode() const;
    static GetEuiccInfo2Request decode(ByteView der);
};

}  // namespace lpad::es10
