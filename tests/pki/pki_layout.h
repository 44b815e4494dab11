// SPDX-License-Identifier: Apache-2.0
// The SGP.22 v2 test PKI: which certificates exist, their role profiles (modelled on GSMA SGP.26) and where they
// are written (SGP.26 directory and file names), plus the negative-test material under bad/.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/pki/cert_builder.h"

namespace lpad::testpki {

// Bumped whenever a profile changes, so an existing PKI from an older generator is regenerated.
inline constexpr int kProfileVersion = 1;

struct PkiParams {
    std::string eid = "89049032123451234512345678901235";
    std::string host = "localhost";
    std::string smdp_oid = "2.999.10";
    std::string smds_oid = "2.999.20";
    int days = 3650;
    std::vector<Curve> curves{Curve::Nist};

    // The parameters as stored in pki.json "params"; equal JSON = same PKI request.
    nlohmann::json to_json() const;
};

// Fails with InvalidArgument on a malformed EID (32 digits, ISO 7064 mod 97-10 check digits), OID or day count.
void validate(const PkiParams& params);

// An EID with the given first 30 digits and correct check digits (SGP.29 / ISO 7064 MOD 97-10).
std::string eid_with_check_digits(const std::string& first30);

// Generates the whole PKI into `dir` (which must exist and be empty) and returns the manifest (also written to
// dir/pki.json, last, so its presence marks a complete PKI).
nlohmann::json generate_pki(const std::filesystem::path& dir, const PkiParams& params);

// Relative paths of every file the manifest names (for the completeness check).
std::vector<std::string> manifest_files(const nlohmann::json& manifest);

}  // namespace lpad::testpki
