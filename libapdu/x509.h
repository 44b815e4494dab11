// SPDX-License-Identifier: Apache-2.0
// X.509 certificates of the GSMA RSP PKI (SGP.22 §4.5.2) over OpenSSL 3.
//
// Certificate is an immutable, cheaply copyable view of one parsed certificate. verify_chain() does RFC 5280 path
// validation with X509_STORE, with the SGP.22 differences: validity periods can be ignored (the eUICC has no clock,
// SGP.22 §4.5.2.1.0.3), the leaf's RSP role is checked by certificate policy, and EUM name constraints are read the
// SGP.22 way (see verify_chain). Unparsable input throws Error(MalformedData); a failed verification Error(CryptoError).
#pragma once

#include <ctime>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libapdu/bytes.h"
#include "libapdu/crypto.h"

namespace lpad::x509 {

// SGP.22 §4.5.2.1 id-rspRole certificate policies (rsp.asn: id-rspRole = 2.23.146.1.2.1).
enum class Role { Ci, Euicc, Eum, DpTls, DpAuth, DpPb, DsTls, DsAuth };
// "2.23.146.1.2.1.4" for DpAuth, etc.
std::string_view role_policy_oid(Role role);
// "CI", "eUICC", "EUM", "DP-TLS", "DPauth", "DPpb", "DS-TLS", "DSauth" (for messages).
std::string_view role_name(Role role);

class Certificate {
public:
    static Certificate from_der(ByteView der);
    // The first certificate in a PEM text ("CERTIFICATE" block).
    static Certificate from_pem(std::string_view pem);
    // The content of a file holding one certificate: PEM if it contains "-----BEGIN", else DER.
    // (libapdu reads no files: lpad_file's file::certificate() reads and calls this.)
    static Certificate from_pem_or_der(ByteView data);

    const Bytes& der() const { return der_; }
    // Key identifiers; empty if the extension is absent.
    Bytes subject_key_id() const;
    Bytes authority_key_id() const;
    // The subject public key; MalformedData unless it is EC on a curve SGP.22 uses.
    crypto::PublicKey public_key() const;
    // The public key's curve, or nullopt for other key types (e.g. a web CA's RSA key).
    std::optional<crypto::Curve> curve() const;
    // Serial number as an unsigned big-endian magnitude (no leading zero byte).
    Bytes serial() const;
    // RFC 2253 text (last RDN first, specials escaped), e.g. "C=IT,O=RSPTEST,OU=TESTCERT,CN=Test CI".
    std::string subject() const;
    std::string issuer() const;
    // First subject attribute with this NID (e.g. NID_serialNumber: the EID in an eUICC certificate), as UTF-8.
    std::optional<std::string> subject_field(int nid) const;
    // Certificate policy OIDs, dotted ("2.23.146.1.2.1.4").
    std::vector<std::string> policy_oids() const;
    bool has_role(Role role) const;
    // subjectAltName entries: dNSName, iPAddress (text form), registeredID (dotted; the SM-DP+ OID in DPauth/DPpb).
    std::vector<std::string> dns_names() const;
    std::vector<std::string> ip_addresses() const;
    std::vector<std::string> registered_ids() const;
    // Extended key usage OIDs, dotted (serverAuth is "1.3.6.1.5.5.7.3.1").
    std::vector<std::string> extended_key_usages() const;
    std::time_t not_before() const;
    std::time_t not_after() const;
    // basicConstraints cA = TRUE.
    bool is_ca() const;

    X509* native() const { return cert_.get(); }

private:
    Certificate(std::shared_ptr<X509> cert, Bytes der) : cert_(std::move(cert)), der_(std::move(der)) {}
    std::shared_ptr<X509> cert_;  // never modified after parsing, so copies share it
    Bytes der_;
};

// All certificates of a PEM bundle, in order (e.g. a CI trust-anchor file). Empty text gives an empty list; a
// damaged block throws MalformedData.
std::vector<Certificate> parse_pem_bundle(std::string_view pem);

// The SubjectKeyIdentifier of a DER certificate (empty if absent).
Bytes subject_key_id_of(ByteView cert_der);

struct VerifyOptions {
    // Check notBefore/notAfter. The eUICC does not (SGP.22: it has no reliable clock); the LPA's TLS checks do.
    bool check_time = true;
    // Verification time instead of now (only with check_time).
    std::optional<std::time_t> at = std::nullopt;
    // Required certificate policy of the leaf.
    std::optional<Role> leaf_role = std::nullopt;
};

// Verifies that `leaf` chains to one of `trusted_roots` through `intermediates`. Any certificate in trusted_roots
// is a trust anchor, self-signed or not (X509_V_FLAG_PARTIAL_CHAIN), as SGP.22 CI certificates are configured by
// key id. Throws Error(CryptoError) with OpenSSL's verify error string, the depth and the subject that failed.
//
// Name constraints: SGP.22 §4.5.2.1.0.2 EUM certificates restrict eUICC subjects with a permitted directoryName
// {O = <EUM>, serialNumber = <EID prefix>} that the eUICC's serialNumber (the full EID) must *start with*. RFC 5280
// (and OpenSSL) compare the RDNs for equality, so OpenSSL rejects every valid eUICC. When OpenSSL reports a
// permitted-subtree violation, verify_chain re-checks that certificate itself: directoryName subtrees by the SGP.22
// rule (each attribute of the subtree present in the subject with an equal value; serialNumber by prefix), all
// other name forms by OpenSSL with the directoryName subtrees taken out.
void verify_chain(const Certificate& leaf, std::span<const Certificate> intermediates,
                  std::span<const Certificate> trusted_roots, const VerifyOptions& options = {});

}  // namespace lpad::x509
