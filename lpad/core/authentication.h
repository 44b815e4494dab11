// SPDX-License-Identifier: Apache-2.0
// The mutual authentication shared by download (ES9+) and discovery (ES11), SGP.22 §3.1.2 / §3.6.3 steps up to the
// eUICC's AuthenticateServer, with the checks only the LPA can make (RSP-NOTES "Download" step 4):
//   serverSigned1.serverAddress == the address used; serverSigned1.transactionId == the JSON transactionId;
//   serverSigned1.euiccChallenge == the card's challenge; euiccCiPKIdToBeUsed is in euiccCiPKIdListForVerification;
//   the activation code's SM-DP+ OID (if any) is a registeredID of the server certificate.
// A failed check throws ProtocolViolation before the card is asked to sign anything.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "libapdu/bytes.h"
#include "libapdu/es10b_auth.h"
#include "libapdu/es10b_download.h"
#include "lpad/core/card.h"
#include "lpad/es9p/messages.h"

namespace lpad::core {

struct AuthenticationRequest {
    std::string address;                     // normalized server address the LPA connected to
    std::optional<std::string> matching_id;  // ctxParams1.matchingId (absent for SM-DS event retrieval)
    std::optional<std::string> server_oid;   // from the activation code
    es10::DeviceInfo device_info;
};

struct Authentication {
    std::string transaction_id;  // as the server wrote it (JSON), echoed back unchanged
    Bytes transaction_id_bytes;  // from serverSigned1
    Bytes server_certificate;
    es10::AuthenticateServerResponse response;  // the card's answer, ok or error
};

// euiccChallenge, euiccInfo1 -> the server's InitiateAuthentication answer.
using InitiateFn = std::function<es9p::InitiateAuthenticationResponse(const Bytes& challenge, const Bytes& info1)>;

// The server opened a session (transactionId as written, serverSigned1.transactionId) and it passed the LPA checks.
using SessionOpenedFn = std::function<void(const std::string& transaction_id, const Bytes& transaction_id_bytes)>;

// GetEUICCChallenge, GetEUICCInfo1, InitiateAuthentication, the LPA checks, AuthenticateServer. `opened` is called
// just before AuthenticateServer, so a caller knows which session a later failure leaves open.
Authentication authenticate_server(CardSession& card, const AuthenticationRequest& request, const InitiateFn& initiate,
                                   const SessionOpenedFn& opened = {});

// The LPA check of serverSigned1 and its JSON envelope (exposed for tests). Returns serverSigned1.transactionId.
Bytes check_initiate_authentication(const es9p::InitiateAuthenticationResponse& response,
                                    const AuthenticationRequest& request, ByteView euicc_challenge,
                                    const es10::EUICCInfo1& info1);

// --- Profile Policy Rules against the eUICC's Rules Authorisation Table (SGP.22 §2.9.2.2, ES10b.GetRAT) ---
// Checked by the LPA after authenticateClient and before PrepareDownload.
//   mccMnc: compared nibble by nibble (TS 24.008 coding, 'F' filler included); an 'E' nibble in the rule matches any
//   nibble of the owner. gid1/gid2: a rule that carries one requires the owner to carry the same bytes; a rule
//   without it matches any owner value. A profile without profileOwner matches no operator.
bool operator_allowed(const es10::OperatorId& allowed, const std::optional<es10::OperatorId>& owner);

struct PolicyRuleCheck {
    std::vector<es10::PprId> rules;         // the PPRs the profile carries (ppr1..ppr3; pprUpdateControl is no PPR)
    std::optional<es10::PprId> not_allowed;  // the first PPR no rule authorises for the profile owner
    bool consent_required = false;           // an authorising rule has pprFlags.consentRequired
    bool allowed() const { return !not_allowed; }
};

// Each PPR is authorised by the FIRST rule of the table (in order) that lists it and has an allowedOperators entry
// matching the profile owner; that rule's consentRequired flag applies. A PPR no rule authorises is not allowed.
PolicyRuleCheck check_profile_policy_rules(const es10::StoreMetadataRequest& metadata,
                                           const std::vector<es10::ProfilePolicyAuthorisationRule>& rat);

// Host names compare case-insensitively.
bool same_server_address(std::string_view a, std::string_view b);

}  // namespace lpad::core
