// SPDX-License-Identifier: Apache-2.0
// Pending notifications (SGP.22 §3.5, ES10b RetrieveNotificationsList / NotificationSent, ES9+ handleNotification):
// sent to their notificationAddress after every install/enable/disable/delete, removed from the card only once the
// server accepted them (HTTP 204), kept with a retry schedule otherwise. Nothing unsent is removed unless forced.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libapdu/error.h"
#include "libapdu/notification.h"
#include "lpad/core/card.h"
#include "lpad/core/server_connector.h"

namespace lpad::core {

// Exponential backoff: initial, initial*factor, ... capped at max.
struct RetryPolicy {
    std::chrono::seconds initial{30};
    double factor = 2.0;
    std::chrono::seconds max{std::chrono::hours(6)};
    std::chrono::seconds delay_after(unsigned failures) const;  // failures >= 1
};

// One notification that could not be delivered yet.
struct RetryRecord {
    std::int64_t seq_number = 0;
    std::string address;
    unsigned failures = 0;
    std::time_t next_attempt = 0;  // not before this (seconds since the epoch)
    std::string last_error;
    bool operator==(const RetryRecord&) const = default;
};

// Persistence of the retry schedule (the daemon keeps it on disk). save() gets the whole schedule each time.
class RetryStore {
public:
    virtual ~RetryStore();
    virtual std::vector<RetryRecord> load() = 0;
    virtual void save(const std::vector<RetryRecord>& records) = 0;
};

class MemoryRetryStore final : public RetryStore {
public:
    std::vector<RetryRecord> load() override { return records; }
    void save(const std::vector<RetryRecord>& r) override { records = r; }
    std::vector<RetryRecord> records;
};

struct SendOutcome {
    std::int64_t seq_number = 0;
    es10::NotificationEvent operation = es10::NotificationEvent::notificationInstall;
    std::string address;
    std::optional<Bytes> iccid;
    bool sent = false;     // the server accepted it
    bool removed = false;  // NotificationSent done
    bool deferred = false; // not tried: its retry time has not come
    std::optional<Errc> error;
    std::string message;
};

struct ProcessOptions {
    std::optional<std::int64_t> seq_number;  // only this one
    bool ignore_backoff = false;             // try even when the retry time has not come (manual "process")
    // A client already connected to `client_address` (the download's TLS connection), used for that address.
    es9p::HttpClient* client = nullptr;
    std::string client_address;
};

class NotificationSender {
public:
    using Clock = std::function<std::time_t()>;
    // `store` (may be null) must outlive the sender; its records are loaded now.
    NotificationSender(ServerConnector& connector, RetryPolicy policy = {}, RetryStore* store = nullptr,
                       Clock clock = [] { return std::time(nullptr); });

    std::vector<es10::NotificationMetadata> list(CardSession& card) { return card.list_notifications(); }
    // Retrieves the pending notifications and delivers those that are due. Per-notification failures are in the
    // outcomes (and the retry schedule), not thrown; card failures are thrown.
    std::vector<SendOutcome> process(CardSession& card, const ProcessOptions& options = {});
    // Removes a notification from the card without delivering it: only with `force` (InvalidArgument otherwise).
    void remove(CardSession& card, std::int64_t seq_number, bool force);

    const std::vector<RetryRecord>& retries() const { return records_; }
    // The earliest retry time, if anything waits.
    std::optional<std::time_t> next_retry() const;

private:
    RetryRecord* record(std::int64_t seq, const std::string& address);
    void forget(std::int64_t seq);
    void save();

    ServerConnector& connector_;
    RetryPolicy policy_;
    RetryStore* store_;
    Clock clock_;
    std::vector<RetryRecord> records_;
};

}  // namespace lpad::core
