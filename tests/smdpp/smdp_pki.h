// SPDX-License-Identifier: Apache-2.0
// The certificates and keys of the test SM-DP+ / SM-DS, read from directories in the GSMA SGP.26 layout (as
// lpad-test-pki writes them, tests/pki/README.md): CertificateIssuer/, DPauth/, DPpb/, DPtls/, DSauth/, DStls/.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "libapdu/crypto.h"
#include "libapdu/x509.h"

namespace lpad::smdpp {

struct Credential {
    x509::Certificate cert;
    crypto::PrivateKey key;
};

struct ServerPki {
    std::vector<x509::Certificate> ci;  // trusted CIs: verify EUM/eUICC chains; their key ids are our CI PKids
    Credential dp_auth;                 // CERT.DPauth.ECDSA (serverSignature1)
    Credential dp_pb;                   // CERT.DPpb.ECDSA (smdpSignature2, smdpSign)
    Credential dp_tls;                  // CERT.DP.TLS: the HTTPS certificate
    std::optional<Credential> ds_auth;  // CERT.DSauth.ECDSA, for ES11
    std::optional<Credential> ds_tls;

    // `dirs` in increasing priority: a role's files are taken from the last directory that has them, so a base
    // PKI can be overlaid with a bad/<case>/ tree. CIs are every CertificateIssuer/CERT_CI_ECDSA_*.der found in
    // any of them. `curve` is "NIST" or "BRP". Throws Error(NotFound) naming the first missing role.
    // The CI whose key id is `ski` (SubjectKeyIdentifier), or nullptr.
    const x509::Certificate* ci_by_key_id(ByteView ski) const;

    static ServerPki load(const std::vector<std::string>& dirs, const std::string& curve = "NIST");
};

}  // namespace lpad::smdpp
