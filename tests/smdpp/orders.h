// SPDX-License-Identifier: Apache-2.0
// Download orders of the test SM-DP+ (what ES2+ DownloadOrder/ConfirmOrder would create on a real one) and the
// SM-DS event registrations. JSON forms (the --orders file, POST /admin/orders, the state file):
//
//   {"matchingId": "ABC-123", "profile": "path/to/upp.der", "iccid": "8949...",
//    "confirmationCode": "1234"?, "maxConfirmationAttempts": 3?, "eid": "8904..."?,
//    "name": "..."?, "provider": "..."?, "class": "test|provisioning|operational"?, "nickname"?: ignored by SGP.22 v2,
//    "ppr": ["ppr1", "ppr2"]?, "notifications": ["install", "enable", "disable", "delete"]?}
//
// "profile" is resolved against the directory of the orders file when relative. State (read back by
// GET /admin/orders and the state file): "state", "confirmationAttemptsLeft" and, once a cancelSession of the
// order's session was verified, "lastCancelReason": its CancelSessionReason (SGP.22 §5.6.5, euiccCancelSessionSigned)
// by its ASN.1 name (endUserRejection, postponed, timeout, pprNotAllowed, metadataMismatch, loadBppExecutionError,
// undefinedReason), or the number in decimal for a value SGP.22 does not name.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "libapdu/bytes.h"
#include "libapdu/es10_types.h"

namespace lpad::smdpp {

// released: downloadable; downloaded: the Bound Profile Package was delivered; installed / failed: the
// ProfileInstallationResult said so; cancelled: cancelSession with a final reason, or too many wrong codes.
enum class OrderState { Released, Downloaded, Installed, Failed, Cancelled };
std::string_view name(OrderState state);

struct Order {
    std::string matching_id;
    std::string profile_path;
    std::string iccid;  // 18..20 digits
    std::optional<std::string> confirmation_code;
    int max_confirmation_attempts = 3;
    std::optional<std::string> eid;  // bound to one eUICC when set
    std::optional<std::string> name;
    std::optional<std::string> provider;
    std::optional<es10::ProfileClass> profile_class;
    std::optional<std::string> nickname;
    asn1::BitString ppr;
    std::vector<std::string> notifications{"install", "enable", "disable", "delete"};

    OrderState state = OrderState::Released;
    int confirmation_attempts_left = 3;
    std::string session;  // transactionId of the session that holds the order, empty if none
    std::optional<std::string> last_cancel_reason;  // of the last verified cancelSession (see above)

    // Throws Error(InvalidArgument) naming the field. `base_dir` resolves a relative "profile".
    static Order from_json(const nlohmann::json& j, const std::string& base_dir);
    nlohmann::json to_json() const;
};

// An SM-DS event registration (SGP.22 §3.6.1), returned by ES11 authenticateClient to the eUICC with that EID.
struct Event {
    std::string eid;
    std::string event_id;
    std::string rsp_server_address;
    static Event from_json(const nlohmann::json& j);
    nlohmann::json to_json() const;
};

// A notification the server received (handleNotification), kept for tests and the admin interface.
struct ReceivedNotification {
    std::string kind;  // "ProfileInstallationResult" or "OtherSignedNotification"
    std::string transaction_id;  // PIR only
    std::int64_t seq_number = 0;
    std::string operation;  // install / enable / disable / delete
    std::string iccid;
    bool verified = false;  // the eUICC signature (and for other notifications the certificate chain) checked out
    bool success = false;   // PIR: successResult
    std::string detail;     // why verification failed, or the errorResult
    nlohmann::json to_json() const;
};

// Reads an orders file: a JSON array of orders. Throws Error(NotFound / InvalidArgument).
std::vector<Order> load_orders(const std::string& path);

}  // namespace lpad::smdpp
