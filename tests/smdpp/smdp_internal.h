// SPDX-License-Identifier: Apache-2.0
// Internal to the test SM-DP+: the RSP session record and the ES9+/ES11 function failure.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "libapdu/bytes.h"
#include "libapdu/x509.h"
#include "lpad/es9p/status.h"
#include "tests/smdpp/smdp_server.h"

namespace lpad::smdpp {

// One RSP session (SGP.22 §3.1.3 / §3.6.2): created by initiateAuthentication, keyed by its transactionId.
struct SmdpServer::Session {
    enum Stage { Initiated = 0, Authenticated = 1, Downloaded = 2 };
    bool es11 = false;
    Stage stage = Initiated;
    std::string transaction_id;  // upper-case hex, as sent
    Bytes transaction_id_bytes;
    Bytes euicc_challenge;
    Bytes server_challenge;
    Bytes ci_pkid;  // euiccCiPKIdToBeUsed
    std::chrono::steady_clock::time_point last_used;  // for expiry (ServerOptions::session_timeout)
    // after authenticateClient
    std::optional<x509::Certificate> euicc_certificate;
    std::string eid;
    std::string matching_id;
    Bytes euicc_signature1;     // 5F37 content
    Bytes smdp_signature2_tlv;  // 5F37 TLV, as signed over by the eUICC (euiccSignature2)
    bool cc_required = false;
    Bytes metadata;             // StoreMetadataRequest DER sent as profileMetadata
    std::optional<Bytes> bpp_euicc_otpk;  // sent in smdpSigned2: a retry of the order's bound package

    // The state file's form of a session (state_file.cpp); `idle` is how long it has not been used.
    nlohmann::json to_json(std::chrono::steady_clock::duration idle) const;
    static std::unique_ptr<Session> from_json(const nlohmann::json& j, std::chrono::steady_clock::duration& idle);
};

// What the state file holds (state_file.cpp).
struct SmdpServer::Snapshot {
    std::vector<Order> orders;
    std::vector<Event> events;
    std::vector<ReceivedNotification> notifications;
    std::map<std::string, std::unique_ptr<Session>> sessions;
    std::map<std::string, BoundPackage> bound;
};

// A function failure: answered as header.functionExecutionStatus Failed with these codes (SGP.22 §6.5.1.4).
struct Es9Failure {
    std::string subject;
    std::string reason;
    std::string message;
};
[[noreturn]] inline void refuse(std::string_view subject, std::string_view reason, std::string message) {
    throw Es9Failure{std::string(subject), std::string(reason), std::move(message)};
}

// Flips the last byte of `data` (fault injection).
void flip_last_byte(Bytes& data);
// A transactionId that differs from `tid` (same length).
Bytes other_transaction_id(ByteView tid);

}  // namespace lpad::smdpp
