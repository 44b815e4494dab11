// SPDX-License-Identifier: Apache-2.0
// Registers the virtual eUICC application (euicc.h) with the `virtual:` driver and the vpcd bridge:
//
//   virtual:/path/state.json[?pki=DIR&eid=DIGITS&curve=NIST|BRP]
//
// The path is the card's state file: loaded when it exists, otherwise created from the SGP.26-layout directory
// `pki` (eUICC/, EUM/, CertificateIssuer/) with the certificates of `curve` (default NIST). Without a path the card
// lives in memory only (pki required). `eid` gives a new card that EID: a new eUICC key and certificate signed with
// the PKI's EUM key (euicc_issue.h), refused when the EUM's permitted EID range does not cover it. An existing state
// keeps its EID: `eid` must then equal it (a guard against the wrong file).
#pragma once

#include "drivers/virtual/virtual_transport.h"

namespace lpad::virtual_euicc {

// The factory itself, for callers that chain or wrap it.
EuiccFactory euicc_factory();
// set_euicc_factory(euicc_factory()). Call once at program start (lpad, lpad-vpcd-bridge, tests).
void install_euicc_factory();

}  // namespace lpad::virtual_euicc
