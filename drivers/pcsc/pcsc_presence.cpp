// SPDX-License-Identifier: Apache-2.0
#include "drivers/pcsc/pcsc_presence.h"

#include <utility>

#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::pcsc {

namespace {
constexpr std::string_view kLog = "pcsc";
}

PresenceView evaluate_presence(const ReaderSelector& selector, const std::vector<ReaderState>& readers) {
    PresenceView view;
    std::vector<std::string> names;
    for (const auto& r : readers) names.push_back(r.name);
    std::vector<std::size_t> candidates;
    try {
        candidates = selector.candidates(names);
    } catch (const Error& e) {
        view.detail = e.what();  // no reader qualifies (none plugged in, no name match)
        return view;
    }
    std::string mute;
    for (std::size_t i : candidates) {
        const ReaderState& r = readers[i];
        if (!r.card_present) continue;
        if (r.mute) {
            mute += (mute.empty() ? "" : ", ") + ("'" + r.name + "'");
            continue;
        }
        view.presence = drivers::Presence::Present;
        // pcsc-lite counts card insertions and removals in the high 16 bits of dwEventState.
        view.signature += r.name + "#" + std::to_string(r.event_state >> 16) + ";";
        view.detail += (view.detail.empty() ? "card in '" : ", '") + r.name + "'";
    }
    if (view.presence == drivers::Presence::Absent)
        view.detail = mute.empty() ? "no card (" + selector.describe() + ", " + std::to_string(candidates.size()) +
                                         " reader(s) checked)"
                                   : "the card in " + mute + " does not answer reset (mute)";
    return view;
}

PcscPresenceWatch::PcscPresenceWatch(ReaderSelector selector, Callback callback, std::chrono::milliseconds retry)
    : selector_(std::move(selector)), callback_(std::move(callback)), retry_(retry), thread_([this] { run(); }) {}

PcscPresenceWatch::~PcscPresenceWatch() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
        if (monitor_) monitor_->cancel();
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool PcscPresenceWatch::sleep_unless_stopped(std::chrono::milliseconds period) {
    std::unique_lock lock(mutex_);
    return !cv_.wait_for(lock, period, [this] { return stop_; });
}

void PcscPresenceWatch::report(const PresenceView& view) {
    const bool changed_card = view.presence == drivers::Presence::Present && reported_ &&
                              !last_present_signature_.empty() && view.signature != last_present_signature_;
    if (reported_ && view.presence == last_.presence && !changed_card) return;
    if (view.presence == drivers::Presence::Present) last_present_signature_ = view.signature;
    reported_ = true;
    last_ = view;
    log::debug(kLog, "presence: " + std::string(drivers::presence_name(view.presence)) + ": " + view.detail);
    callback_(drivers::PresenceEvent{view.presence, changed_card, view.detail});
}

void PcscPresenceWatch::watch_other_programs(const std::vector<ReaderState>& readers) {
    std::vector<std::string> names;
    for (const auto& r : readers) names.push_back(r.name);
    std::vector<std::size_t> candidates;
    try {
        candidates = selector_.candidates(names);
    } catch (const Error&) {
        return;
    }
    for (std::size_t i : candidates) {
        const ReaderState& r = readers[i];
        const OwnUse own = own_use(r.name);
        OtherUse& other = other_use_[r.name];
        const bool busy = r.card_present && (r.in_use || r.exclusive);
        if (busy && own.active == 0 && own.connects == other.own_connects) {
            other.seen = true;
        } else if (!busy && other.seen) {
            other.seen = false;
            if (reported_ && last_.presence == drivers::Presence::Present && r.card_present) {
                const std::string detail = "the card in '" + r.name + "' was used by another program";
                log::debug(kLog, "presence: " + detail);
                callback_(drivers::PresenceEvent{drivers::Presence::Present, false, detail, true});
            }
        }
        other.own_connects = own.connects;
    }
}

void PcscPresenceWatch::run() {
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stop_) return;
        }
        std::unique_ptr<ReaderMonitor> monitor;
        try {
            monitor = std::make_unique<ReaderMonitor>();  // SCardEstablishContext: throws without pcscd
            {
                std::lock_guard lock(mutex_);
                if (stop_) return;
                monitor_ = monitor.get();
            }
            report(evaluate_presence(selector_, monitor->list_readers()));
            watch_other_programs(monitor->readers());
            for (;;) {
                // A bounded wait: a cancel() that lands just before SCardGetStatusChange delays the stop ≤ 1 s.
                const bool changed = monitor->wait_for_change(std::chrono::seconds(1));
                {
                    std::lock_guard lock(mutex_);
                    if (stop_) {
                        monitor_ = nullptr;
                        return;
                    }
                }
                // No event: look anyway. pcscd announces a connection's end, not always its start.
                if (!changed) monitor->list_readers();
                report(evaluate_presence(selector_, monitor->readers()));
                watch_other_programs(monitor->readers());
            }
        } catch (const Error& e) {
            {
                std::lock_guard lock(mutex_);
                monitor_ = nullptr;
                if (stop_) return;
            }
            monitor.reset();
            report(PresenceView{drivers::Presence::NoService, "", e.what()});
        }
        if (!sleep_unless_stopped(retry_)) return;
    }
}

std::vector<std::string> expand_readers(const drivers::DriverUri& uri, const PcscOptions& options) {
    std::vector<std::string> names;
    try {
        names = PcscContext().reader_names();
    } catch (const Error& e) {
        log::warning(kLog, std::string("cannot list the readers for ") + uri.to_string() + ": " + e.what());
        return {};
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        drivers::DriverUri one = uri;
        const bool plain = names[i].find_first_of("&?") == std::string::npos;
        if (plain) {
            one.params["reader"] = names[i];
        } else {
            one.params.erase("reader");
            one.params["index"] = std::to_string(i);
        }
        PcscOptions o = options;
        o.selector = ReaderSelector::from_uri(one);
        try {
            PcscTransport t(o);
            t.open();  // an exact reader: connected without probing, so probe here
            t.close_logical_channel(t.open_logical_channel(o.probe_aid));
        } catch (const Error& e) {
            log::info(kLog, "skipping reader '" + names[i] + "': no eUICC (" + e.what() + ")");
            continue;
        }
        log::info(kLog, "reader '" + names[i] + "' holds an eUICC: " + one.to_string());
        out.push_back(one.to_string());
    }
    return out;
}

}  // namespace lpad::pcsc
