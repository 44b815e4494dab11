// SPDX-License-Identifier: Apache-2.0
// The virtual eUICC's identity, capabilities and persistent state (profiles, notifications, counters, addresses),
// kept in ONE JSON file that is rewritten atomically after every change.
//
//   { "format": "lpad-virtual-euicc/1",
//     "identity":  { eid, euicc_certificate (base64 DER), euicc_private_key (PEM), eum_certificate,
//                    ci_certificates [...], ci_pkids_for_signing [hex...], ci_pkids_for_verification [hex...] },
//     "info":      { svn, profile_version, firmware_version, ts102241_version, globalplatform_version, pp_version,
//                    sas_accreditation_number, euicc_category, uicc_capability (hex BIT STRING content),
//                    rsp_capability, total_non_volatile_memory, free_volatile_memory, rat (base64 BF43) },
//     "addresses": { default_dp_address?, root_ds_address },
//     "counters":  { next_isdp_index, next_seq_number },
//     "profiles":  [ { iccid (digits), state, size, profile_info (base64 ProfileInfo E3 DER) } ],
//     "notifications": [ { seq, event, address, pending (base64 PendingNotification DER) } ] }
//
// Binary values are stored in their SGP.22 DER encodings so the file cannot drift from what the card answers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libapdu/asn1.h"
#include "libapdu/bytes.h"
#include "libapdu/crypto.h"
#include "libapdu/es10b.h"
#include "libapdu/es10c.h"
#include "libapdu/euicc_info.h"

namespace lpad::virtual_euicc {

// What the eUICC is: fixed at manufacture.
struct EuiccConfig {
    Bytes eid;                                 // 16 bytes BCD
    Bytes euicc_certificate;                   // CERT.EUICC.ECDSA, DER
    std::string euicc_private_key_pem;         // SK.EUICC.ECDSA (a test card: kept in the clear)
    Bytes eum_certificate;                     // CERT.EUM.ECDSA, DER
    std::vector<Bytes> ci_certificates;        // trusted CI certificates (DER), for verifying SM-DP+/SM-DS certs
    std::vector<Bytes> ci_pkids_for_signing;   // CI key ids our eUICC certificate chains to
    std::vector<Bytes> ci_pkids_for_verification;

    std::string svn = "2.2.2";
    std::string profile_version = "2.3.1";
    std::string firmware_version = "1.0.0";
    std::optional<std::string> ts102241_version = "9.2.0";
    std::optional<std::string> globalplatform_version = "2.3.0";
    std::string pp_version = "0.0.1";
    std::string sas_accreditation_number = "LPAD-VIRTUAL-TEST";
    es10::EuiccCategory euicc_category = es10::EuiccCategory::basicEuicc;
    asn1::BitString uicc_capability = default_uicc_capability();
    asn1::BitString rsp_capability = default_rsp_capability();
    std::uint64_t total_non_volatile_memory = 1'500'000;  // bytes for profiles; free memory = this - installed
    std::uint64_t free_volatile_memory = 64'000;
    es10::GetRatResponse rat = default_rat();

    static asn1::BitString default_uicc_capability();
    static asn1::BitString default_rsp_capability();
    // One rule allowing PPR1 and PPR2 for every operator (mccMnc 'EEEEEE': SGP.22 §2.9.2.2 wildcard digits).
    static es10::GetRatResponse default_rat();

    // An SGP.22 eUICC from an SGP.26-layout directory: eUICC/CERT_EUICC_ECDSA_<C>.der + SK_EUICC_ECDSA_<C>.pem,
    // EUM/CERT_EUM_ECDSA_<C>.der, CertificateIssuer/CERT_CI_ECDSA_*.der (every curve present is trusted for
    // verification; signing lists the CI our EUM chains to). curve: "NIST" or "BRP". The EID is the eUICC
    // certificate's subject serialNumber. Throws NotFound / MalformedData / InvalidArgument.
    static EuiccConfig from_pki_dir(const std::string& dir, const std::string& curve = "NIST");

    crypto::PrivateKey private_key() const { return crypto::PrivateKey::from_pem(euicc_private_key_pem); }
};

struct InstalledProfile {
    es10::ProfileInfo info;  // every field set (iccid, isdpAid, state, ...): ProfileInfoList filters by tagList
    std::uint64_t size = 0;  // bytes of non-volatile memory the profile takes

    const Bytes& iccid() const { return *info.iccid; }
    const Bytes& isdp_aid() const { return *info.isdp_aid; }
    bool enabled() const { return info.profile_state == es10::ProfileState::enabled; }
};

struct StoredNotification {
    std::int64_t seq_number = 0;
    es10::NotificationEvent event = es10::NotificationEvent::notificationInstall;
    std::string address;
    Bytes pending;  // PendingNotification DER: BF37 ProfileInstallationResult or 30 OtherSignedNotification

    es10::NotificationMetadata metadata() const;
};

struct EuiccState {
    EuiccConfig config;
    std::optional<std::string> default_dp_address;
    std::string root_ds_address = "lpa.ds.gsma.com";
    std::uint32_t next_isdp_index = 0x10;  // ISD-P AID A0000005591010FFFFFFFF89 00 NNNN 00, as field cards count
    std::int64_t next_seq_number = 1;
    std::vector<InstalledProfile> profiles;
    std::vector<StoredNotification> notifications;

    std::uint64_t free_non_volatile_memory() const;

    // JSON text <-> state. from_json throws MalformedData naming the bad field.
    std::string to_json() const;
    static EuiccState from_json(std::string_view text);

    // Reads the state file; Error(NotFound) if it does not exist.
    static EuiccState load(const std::string& path);
    // Atomic replace: write PATH.tmp.<pid> in the same directory, fsync it, rename over PATH, fsync the directory.
    // A failure leaves the previous file untouched (and no temp file behind). Throws Error(Internal) on I/O errors.
    void save(const std::string& path) const;
};

// The ISD-P AID for allocation counter `index`: A0000005591010FFFFFFFF89 || 00 || index (2 bytes) || 00.
Bytes isdp_aid_for(std::uint32_t index);

}  // namespace lpad::virtual_euicc
