// SPDX-License-Identifier: Apache-2.0
// Fuzz target: every ES10b and notification decoder (requests and responses); what decodes must re-encode.
#include <cstdint>

#include "libapdu/error.h"
#include "libapdu/es10b.h"

namespace {

template <class... Messages>
void feed_all(lpad::ByteView data) {
    (
        [&] {
            try {
                auto m = Messages::decode(data);
                (void)m.encode();
            } catch (const lpad::Error&) {
            }
        }(),
        ...);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lpad::es10;
    lpad::ByteView in(data, size);
    feed_all<GetEuiccChallengeRequest, GetEuiccChallengeResponse, CtxParams1, ServerSigned1, AuthenticateServerRequest,
             EuiccSigned1, AuthenticateServerResponse, CancelSessionRequest, EuiccCancelSessionSigned, CancelSessionResponse,
             SmdpSigned2, PrepareDownloadRequest, EuiccSigned2, PrepareDownloadResponse, StoreMetadataRequest,
             ConfigureISDPRequest, ReplaceSessionKeysRequest, GetRatRequest, GetRatResponse, LoadCRLRequest, LoadCRLResponse,
             NotificationMetadata, ProfileInstallationResultData, ProfileInstallationResult, OtherSignedNotification,
             PendingNotification, ListNotificationRequest, ListNotificationResponse, RetrieveNotificationsListRequest,
             RetrieveNotificationsListResponse, NotificationSentRequest, NotificationSentResponse,
             InitialiseSecureChannelRequest>(in);
    return 0;
}
