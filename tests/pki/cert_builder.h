// SPDX-License-Identifier: Apache-2.0
// Builds one X.509 v3 certificate from an SGP.22 role profile with the OpenSSL 3 API, and writes certificates
// and keys in the SGP.26 file formats (DER/PEM certificates, SEC1 "EC PRIVATE KEY" with an "EC PARAMETERS" block).
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "libapdu/bytes.h"
#include "tests/pki/ossl.h"

namespace lpad::testpki {

enum class Curve { Nist, Brp };

// "NIST" / "BRP": the suffix SGP.26 puts in file names.
std::string curve_suffix(Curve curve);
// OpenSSL group name: "prime256v1" / "brainpoolP256r1".
std::string curve_group(Curve curve);

PkeyPtr generate_key(Curve curve);

// One attribute of a distinguished name, in the order given (RDNSequence order).
struct Rdn {
    int nid;  // NID_countryName, NID_organizationName, NID_serialNumber, NID_commonName, ...
    std::string value;
};
using DistinguishedName = std::vector<Rdn>;

// keyUsage bits (RFC 5280 §4.2.1.3 bit numbers).
enum KeyUsageBit : unsigned { kDigitalSignature = 0, kKeyCertSign = 5, kCrlSign = 6 };

// What goes into one certificate. Extensions are emitted only when set; criticality follows SGP.22 §4.5.2.1.
struct CertProfile {
    DistinguishedName subject;
    std::time_t not_before = 0;
    std::time_t not_after = 0;
    bool ca = false;
    std::optional<long> path_len;                    // basicConstraints pathLenConstraint (CA only)
    std::vector<unsigned> key_usage;                 // KeyUsageBit values; extension is critical
    std::vector<int> ext_key_usage;                  // NIDs (NID_server_auth, ...); critical as SGP.26 DPtls
    std::vector<std::string> policies;               // dotted OIDs (id-rspRole-*)
    bool policies_critical = true;
    std::vector<std::string> san_dns;
    std::vector<std::string> san_ip;                 // textual IPv4/IPv6 addresses
    std::vector<std::string> san_registered_id;      // dotted OIDs
    std::optional<DistinguishedName> permitted_dir;  // nameConstraints permittedSubtrees directoryName (critical)
    std::vector<std::string> crl_uris;               // one DistributionPoint with a fullName URI per entry
};

// A certificate with its private key.
struct Issued {
    X509Ptr cert;
    PkeyPtr key;
};

// Creates a fresh key on `curve` and a certificate for it: signed by `issuer` (AKI = issuer SKI), or self-signed
// when issuer is null. ecdsa-with-SHA256, v3, random positive 16-byte serial, SKI = SHA-1 of the key bit string.
Issued issue(const CertProfile& profile, Curve curve, const Issued* issuer);

// SHA-1 over the subjectPublicKey BIT STRING contents (RFC 5280 §4.2.1.2 method 1).
Bytes key_identifier(const X509* cert);
// Lower-case hex (the manifest's form of key identifiers).
std::string hex(ByteView data);

// Encodings of what `issue` produced.
Bytes cert_der(const X509* cert);
std::string cert_pem(const X509* cert);
std::string private_key_pem(EVP_PKEY* key);  // "EC PARAMETERS" + "EC PRIVATE KEY" blocks, as SGP.26 SK_*.pem
std::string public_key_pem(EVP_PKEY* key);   // "PUBLIC KEY" (SubjectPublicKeyInfo), as SGP.26 PK_*.pem
// One-line RFC 2253 subject, for the manifest.
std::string subject_line(const X509* cert);
std::string serial_hex(const X509* cert);

// An empty CRL signed by the CA (thisUpdate now-1d, nextUpdate = next_update), DER.
Bytes empty_crl_der(const Issued& ca, std::time_t next_update);

}  // namespace lpad::testpki
