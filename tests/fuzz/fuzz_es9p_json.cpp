// SPDX-License-Identifier: Apache-2.0
// Fuzz target: every ES9+/ES11 JSON decoder over the same input. A message that decodes must survive
// encode -> decode unchanged. Needs lpad_es9p linked (tests/fuzz/CMakeLists.txt).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "libapdu/error.h"
#include "lpad/es9p/messages.h"

namespace {

using namespace lpad::es9p;

void require(bool ok) {
    if (!ok) std::abort();
}

bool same(const InitiateAuthenticationRequest& a, const InitiateAuthenticationRequest& b) {
    return a.euicc_challenge == b.euicc_challenge && a.euicc_info1 == b.euicc_info1 && a.smdp_address == b.smdp_address;
}
bool same(const InitiateAuthenticationResponse& a, const InitiateAuthenticationResponse& b) {
    return a.transaction_id == b.transaction_id && a.server_signed1 == b.server_signed1 &&
           a.server_signature1 == b.server_signature1 && a.euicc_ci_pkid_to_be_used == b.euicc_ci_pkid_to_be_used &&
           a.server_certificate == b.server_certificate;
}
bool same(const AuthenticateClientRequest& a, const AuthenticateClientRequest& b) {
    return a.transaction_id == b.transaction_id && a.authenticate_server_response == b.authenticate_server_response;
}
bool same(const AuthenticateClientResponse& a, const AuthenticateClientResponse& b) {
    return a.transaction_id == b.transaction_id && a.profile_metadata == b.profile_metadata &&
           a.smdp_signed2 == b.smdp_signed2 && a.smdp_signature2 == b.smdp_signature2 &&
           a.smdp_certificate == b.smdp_certificate;
}
bool same(const GetBoundProfilePackageRequest& a, const GetBoundProfilePackageRequest& b) {
    return a.transaction_id == b.transaction_id && a.prepare_download_response == b.prepare_download_response;
}
bool same(const GetBoundProfilePackageResponse& a, const GetBoundProfilePackageResponse& b) {
    return a.transaction_id == b.transaction_id && a.bound_profile_package == b.bound_profile_package;
}
bool same(const HandleNotificationRequest& a, const HandleNotificationRequest& b) {
    return a.pending_notification == b.pending_notification;
}
bool same(const CancelSessionRequest& a, const CancelSessionRequest& b) {
    return a.transaction_id == b.transaction_id && a.cancel_session_response == b.cancel_session_response;
}
bool same(const Es11InitiateAuthenticationRequest& a, const Es11InitiateAuthenticationRequest& b) {
    return a.euicc_challenge == b.euicc_challenge && a.euicc_info1 == b.euicc_info1 && a.smds_address == b.smds_address;
}
bool same(const Es11AuthenticateClientResponse& a, const Es11AuthenticateClientResponse& b) {
    if (a.transaction_id != b.transaction_id || a.event_entries.size() != b.event_entries.size()) return false;
    for (std::size_t i = 0; i < a.event_entries.size(); ++i)
        if (a.event_entries[i].event_id != b.event_entries[i].event_id ||
            a.event_entries[i].rsp_server_address != b.event_entries[i].rsp_server_address)
            return false;
    return true;
}

template <typename Message>
void round_trip(std::string_view json) {
    try {
        Message m = Message::decode(json);
        require(same(m, Message::decode(m.encode())));
    } catch (const lpad::Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view json(reinterpret_cast<const char*>(data), size);
    round_trip<InitiateAuthenticationRequest>(json);
    round_trip<InitiateAuthenticationResponse>(json);
    round_trip<AuthenticateClientRequest>(json);
    round_trip<AuthenticateClientResponse>(json);
    round_trip<GetBoundProfilePackageRequest>(json);
    round_trip<GetBoundProfilePackageResponse>(json);
    round_trip<HandleNotificationRequest>(json);
    round_trip<CancelSessionRequest>(json);
    round_trip<Es11InitiateAuthenticationRequest>(json);
    round_trip<Es11AuthenticateClientResponse>(json);
    try {
        (void)decode_status_only(json, "fuzz");
    } catch (const lpad::Error&) {
    }
    return 0;
}
