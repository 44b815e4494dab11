// SPDX-License-Identifier: Apache-2.0
// Profile download, SGP.22 §3.1.3, every LPA step of RSP-NOTES "Download":
//   activation code (empty: the card's default SM-DP+) -> mutual authentication (authentication.h, with the LPA
//   checks) -> authenticateClient (transactionId checked in the JSON and in smdpSigned2) -> the profile's Policy
//   Rules against the eUICC's RAT (ES10b GetRAT, only for a profile with PPRs) -> consent hook with the profile
//   metadata -> confirmation code (hashCc) -> PrepareDownload -> getBoundProfilePackage ->
//   LoadBoundProfilePackage with progress -> ProfileInstallationResult delivered (handleNotification) and removed
//   -> optional enable (and its notification).
//
// Failures before loading: the card's session is cancelled (ES10b CancelSession) with
//   endUserRejection  only when the user refused (consent hook said no),
//   pprNotAllowed     for a PPR the RAT does not allow for the profile owner (Errc::Rejected naming the PPR: the
//                     device's policy refuses the profile; nobody misbehaved, so the server gets the signed cancel),
//   postponed         for transient failures (network, HTTP 5xx, a missing or wrong confirmation code, 8.2/3.7
//                     "BPP not available for a new binding" on a retry whose one-time key the eUICC lost), and for
//                     a RAT rule requiring End User consent when there is no consent hook to ask (Errc::Rejected),
//   timeout           for timeouts (a server too slow, the download deadline, a consent that never came),
//   metadataMismatch  for profile metadata that does not parse,
//   undefinedReason   otherwise,
// and the signed CancelSessionResponse goes to the server (ES9+ cancelSession), so the order stays usable where the
// reason allows. A ProtocolViolation (a server failing the LPA checks) is not answered with anything the card signs:
// the card's session is dropped by closing its channel. Failures after loading began (a link or modem error
// mid-load): first, on the still-open channel, CancelSession with reason postponed (SGP.22 v2 has no reason for a
// failed load; postponed keeps the order usable) and its signed answer to the server; then the profile list is
// read again, the pending notifications (the ProfileInstallationResult) are sent, and the true outcome is
// reported. When the card cannot answer (link dead), the error says so: the server keeps the order until its
// session expires.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libapdu/es10b.h"
#include "lpad/core/card.h"
#include "lpad/core/device_info.h"
#include "lpad/core/notifications.h"
#include "lpad/core/server_connector.h"

namespace lpad::core {

enum class DownloadStage { Authenticating, Consent, Preparing, Downloading, Installing, Notifying, Enabling, Done };
std::string_view name(DownloadStage stage);

// What the user is asked to accept (SGP.22 §3.1.3.1 step "Profile Metadata").
struct ProfilePreview {
    std::string smdp_address;  // the SM-DP+ offering it (normalized, as connected to)
    std::string iccid;
    std::string name;
    std::string service_provider;
    es10::ProfileClass profile_class = es10::ProfileClass::operational;
    std::optional<es10::IconType> icon_type;
    std::optional<Bytes> icon;
    std::vector<std::string> policy_rules;  // "ppr1", "ppr2", ...
    bool consent_required = false;          // the eUICC's RAT requires End User consent for one of them
    bool confirmation_code_required = false;
    es10::StoreMetadataRequest metadata;
};

struct ConsentDecision {
    bool accept = true;
    std::optional<std::string> confirmation_code;  // overrides DownloadOptions::confirmation_code
    // Nobody decided (the wait ran out, or the asker went away): not a refusal of the profile. The session is
    // cancelled with reason timeout, so the order stays usable, and download() throws Timeout.
    bool timed_out = false;
    // Not now (e.g. a resumed download that offers another profile than the one consented to): the session is
    // cancelled with reason postponed, so the order stays usable, and download() throws Rejected with `why`.
    bool postpone = false;
    std::string why{};
};

// A download between getBoundProfilePackage and its end, as the daemon remembers it across a crash (issue #18):
// the SM-DP+ then holds the order as "downloaded", bound to the eUICC's one-time key (SGP.22 §3.1.3, bppEuiccOtpk),
// and a new download with the same activation code can finish it. No secret here but the matching ID.
struct InFlightDownload {
    std::string smdp_address;                // normalized, as connected to
    std::string transaction_id;
    std::optional<std::string> matching_id;  // the activation code's (absent: the default SM-DP+ / an SM-DS event)
    std::optional<std::string> smdp_oid;
    std::string iccid;                       // of the profile the user accepted (profileMetadata)
    bool confirmation_code_used = false;     // the code itself is not kept
};

struct DownloadOptions {
    DeviceConfig device;
    std::optional<std::string> confirmation_code;
    // Called once with the metadata before PrepareDownload; absent: accept, unless the RAT requires consent
    // (ProfilePreview::consent_required): then the download stops (Rejected, session cancelled as postponed).
    std::function<ConsentDecision(const ProfilePreview&)> consent;
    std::function<void(DownloadStage, int percent)> progress;
    bool enable_after_download = false;
    bool refresh_flag = false;  // for that enable
    // Called right before getBoundProfilePackage is sent (the point from which a crash can strand the order);
    // an exception from it stops the download (session cancelled as postponed).
    std::function<void(const InFlightDownload&)> before_bpp_request;
    // Called (once) when a download that called before_bpp_request is settled on the card: the profile installed,
    // a ProfileInstallationResult came back, or the card answered CancelSession. Not called when the card could
    // not be reached after getBoundProfilePackage: it may still hold the one-time key, and the order can be
    // finished later. Exceptions from it are ignored.
    std::function<void()> after_bpp_settled;
    bool send_notifications = true;
    NotificationSender* notifications = nullptr;  // used when set (retry schedule); else a local one
    // The whole download, from the first request to the installed profile, not counting the time the consent hook
    // takes: past it the download stops with Timeout ("download deadline") and, before loading, the session is
    // cancelled with reason timeout. Each HTTP request gets at most the time left. Absent: no overall limit.
    std::optional<std::chrono::milliseconds> deadline;
};

// Where to download from: an activation code's content, or an SM-DS event.
struct DownloadTarget {
    std::string smdp_address;
    std::optional<std::string> matching_id;
    std::optional<std::string> smdp_oid;
    bool confirmation_code_required = false;  // the activation code says so (the server decides, smdpSigned2)
};

struct DownloadResult {
    std::string smdp_address;
    std::string transaction_id;
    std::string iccid;
    Bytes isdp_aid;
    ProfilePreview profile;
    bool enabled = false;
    bool recovered = false;  // loading failed on the way but the profile is on the card (re-read list)
    std::vector<SendOutcome> notifications;
};

// Throws lpad::Error: InvalidArgument (activation code), NotFound (empty code, no default SM-DP+), Rejected (user
// refusal, missing confirmation code), ProtocolViolation, ServerError, EuiccError, HttpError/TlsError/Timeout, ...
DownloadResult download(CardSession& card, ServerConnector& connector, std::string_view activation_code,
                        const DownloadOptions& options = {});
DownloadResult download(CardSession& card, ServerConnector& connector, DownloadTarget target,
                        const DownloadOptions& options = {});

// The reason a failure before loading is reported to the card and the server with (table above).
es10::CancelSessionReason cancel_reason_for(const Error& error);

}  // namespace lpad::core
