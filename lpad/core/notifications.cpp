// SPDX-License-Identifier: Apache-2.0
#include "lpad/core/notifications.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "libapdu/identifiers.h"
#include "libapdu/log.h"
#include "lpad/es9p/es9p_client.h"

namespace lpad::core {
namespace {

constexpr std::string_view kLog = "core.notify";

std::string describe(const es10::NotificationMetadata& m) {
    std::string s = "notification " + std::to_string(m.seq_number) + " (" + std::string(es10::name(m.profile_management_operation));
    if (m.iccid) {
        try {
            s += " " + iccid_from_bcd(*m.iccid);
        } catch (const Error&) {
        }
    }
    return s + ") to " + m.notification_address;
}

}  // namespace

std::chrono::seconds RetryPolicy::delay_after(unsigned failures) const {
    double d = static_cast<double>(initial.count()) * std::pow(factor, failures > 0 ? failures - 1 : 0);
    d = std::min(d, static_cast<double>(max.count()));
    return std::chrono::seconds(static_cast<std::int64_t>(d));
}

RetryStore::~RetryStore() = default;

NotificationSender::NotificationSender(ServerConnector& connector, RetryPolicy policy, RetryStore* store, Clock clock)
    : connector_(connector), policy_(policy), store_(store), clock_(std::move(clock)) {
    if (store_) records_ = store_->load();
}

RetryRecord* NotificationSender::record(std::int64_t seq, const std::string& address) {
    for (auto& r : records_)
        if (r.seq_number == seq && r.address == address) return &r;
    return nullptr;
}

void NotificationSender::forget(std::int64_t seq) {
    std::erase_if(records_, [&](const RetryRecord& r) { return r.seq_number == seq; });
}

void NotificationSender::save() {
    if (store_) store_->save(records_);
}

std::optional<std::time_t> NotificationSender::next_retry() const {
    std::optional<std::time_t> next;
    for (const auto& r : records_)
        if (!next || r.next_attempt < *next) next = r.next_attempt;
    return next;
}

std::vector<SendOutcome> NotificationSender::process(CardSession& card, const ProcessOptions& options) {
    auto pending = card.retrieve_notifications(options.seq_number);
    if (!options.seq_number) {
        // Records of notifications the card no longer has are obsolete.
        std::erase_if(records_, [&](const RetryRecord& r) {
            return std::none_of(pending.begin(), pending.end(),
                                [&](const auto& p) { return p.metadata().seq_number == r.seq_number; });
        });
    }
    std::map<std::string, std::unique_ptr<es9p::HttpClient>> clients;  // one connection per address and run
    std::vector<SendOutcome> out;
    const std::time_t now = clock_();
    for (const auto& p : pending) {
        const auto& m = p.metadata();
        SendOutcome o;
        o.seq_number = m.seq_number;
        o.operation = m.profile_management_operation;
        o.address = m.notification_address;
        o.iccid = m.iccid;
        RetryRecord* rec = record(m.seq_number, m.notification_address);
        if (rec && !options.ignore_backoff && rec->next_attempt > now) {
            o.deferred = true;
            out.push_back(std::move(o));
            continue;
        }
        try {
            const std::string address = es9p::normalize_server_address(m.notification_address);
            es9p::HttpClient* http = nullptr;
            if (options.client && address == options.client_address) {
                http = options.client;
            } else {
                auto& c = clients[address];
                if (!c) c = connector_.connect(address);
                http = c.get();
            }
            es9p::Es9pClient es9p(*http, address);
            es9p.handle_notification({p.der()});
            o.sent = true;
            // SGP.22 §3.5: only now may the card forget it.
            card.notification_sent(m.seq_number);
            o.removed = true;
            forget(m.seq_number);
            log::info(kLog, "delivered " + describe(m));
        } catch (const Error& e) {
            o.error = e.code();
            o.message = e.what();
            if (o.sent) throw;  // the card failed: not a delivery problem
            if (!rec) {
                RetryRecord fresh;
                fresh.seq_number = m.seq_number;
                fresh.address = m.notification_address;
                records_.push_back(std::move(fresh));
                rec = &records_.back();
            }
            ++rec->failures;
            rec->next_attempt = now + policy_.delay_after(rec->failures).count();
            rec->last_error = e.what();
            log::warning(kLog, "could not deliver " + describe(m) + ": " + e.what() + "; retry in " +
                                   std::to_string(policy_.delay_after(rec->failures).count()) + " s");
        }
        out.push_back(std::move(o));
    }
    save();
    return out;
}

void NotificationSender::remove(CardSession& card, std::int64_t seq, bool force) {
    if (!force)
        fail(Errc::InvalidArgument, "notification " + std::to_string(seq) +
                                        " was not delivered; removing it needs force (the server would never learn of it)");
    card.notification_sent(seq);
    forget(seq);
    save();
    log::warning(kLog, "notification " + std::to_string(seq) + " removed without delivery (forced)");
}

}  // namespace lpad::core
