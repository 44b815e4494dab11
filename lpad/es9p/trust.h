// SPDX-License-Identifier: Apache-2.0
// GSMA CI trust anchors for verifying SM-DP+ / SM-DS TLS certificates (RSP-NOTES "TLS trust"): CERT.DP.TLS chains
// to a CI, not to a web CA. Production anchors ship as packaging/trust/gsma-ci-production.pem, the SGP.26 test CIs
// as gsma-ci-test.pem (opt-in).
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "libapdu/bytes.h"

namespace lpad::es9p {

struct TrustAnchor {
    std::string subject;    // RFC 2253 one-line form, for people and logs
    Bytes der;              // the certificate
    Bytes subject_key_id;   // SubjectKeyIdentifier (the CI PKid of SGP.22 euiccCiPKIdListForVerification); may be empty
    std::time_t not_after = 0;
};

// Reads every certificate of a PEM bundle (text between the PEM blocks is ignored). Anchors whose validity ended
// before `now` are skipped with a log warning naming the subject and the expiry; the rest are returned in file
// order. Throws Error: MalformedData naming `source` for a broken PEM block or a bundle without any certificate,
// NotFound if the file cannot be read.
std::vector<TrustAnchor> parse_trust_anchors(std::string_view pem, std::string_view source,
                                             std::time_t now = std::time(nullptr));
std::vector<TrustAnchor> load_trust_anchors(const std::string& pem_path, std::time_t now = std::time(nullptr));

// The anchors as one PEM bundle, e.g. for CurlOptions::ca_pem.
std::string to_pem(const std::vector<TrustAnchor>& anchors);

}  // namespace lpad::es9p
