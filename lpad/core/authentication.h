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

#include "libapdu/bytes.h"
#include "libapdu/es10b_auth.h"
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

// GetEUICCChallenge, GetEUICCInfo1, InitiateAuthentication, the LPA checks, AuthenticateServer.
Authentication authenticate_server(CardSession& card, const AuthenticationRequest& request, const InitiateFn& initiate);

// The LPA check of serverSigned1 and its JSON envelope (exposed for tests). Returns serverSigned1.transactionId.
Bytes check_initiate_authentication(const es9p::InitiateAuthenticationResponse& response,
                                    const AuthenticationRequest& request, ByteView euicc_challenge,
                                    const es10::EUICCInfo1& info1);

// Host names compare case-insensitively.
bool same_server_address(std::string_view a, std::string_view b);

}  // namespace lpad::core
