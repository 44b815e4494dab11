// SPDX-License-Identifier: Apache-2.0
// A new virtual eUICC with an EID of its own: personalised the way an EUM does it at manufacture, with a new key
// pair and a CERT.EUICC.ECDSA for that EID signed by the EUM key of the test PKI (EUM/SK_EUM_ECDSA_<curve>.pem).
// The EID must lie in the EUM's permitted range: SGP.22 §4.5.2.1.0.2 nameConstraints, a directoryName whose
// serialNumber is a prefix of every EID the EUM may issue. The SM-DP+ verifies exactly that (libapdu/x509.h).
#pragma once

#include <string>
#include <vector>

#include "drivers/virtual/euicc_state.h"
#include "libapdu/x509.h"

namespace lpad::virtual_euicc {

// The EID prefixes an EUM certificate permits (serialNumber of its permitted directoryName subtrees); empty when it
// has no name constraints.
std::vector<std::string> permitted_eid_prefixes(const x509::Certificate& eum);

// Gives `config` (as EuiccConfig::from_pki_dir made it from `pki_dir`) the EID `eid` (32 digits): nothing to do if
// the PKI's eUICC already has it; otherwise a new eUICC key and certificate, verified against the EUM and the CIs
// like the SM-DP+ does. Throws InvalidArgument for a malformed EID or one outside the EUM's permitted range,
// NotFound without the EUM key, CryptoError if the new chain does not verify.
void personalise_for_eid(EuiccConfig& config, const std::string& pki_dir, const std::string& curve,
                         const std::string& eid);

}  // namespace lpad::virtual_euicc
