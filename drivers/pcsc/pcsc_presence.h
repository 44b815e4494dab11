// SPDX-License-Identifier: Apache-2.0
// The pcsc: driver's daemon seams (drivers/registry.h): a presence watch over pcscd's reader states, and the
// expansion of pcsc:?reader=* into one URI per reader holding an eUICC.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "drivers/pcsc/pcsc_context.h"
#include "drivers/pcsc/pcsc_transport.h"
#include "drivers/registry.h"

namespace lpad::pcsc {

// What a set of reader states means for `selector`: Present when a qualifying reader holds a card that answered
// reset (not mute), Absent otherwise; `signature` names the cards seen (reader + pcsc-lite's card event counter),
// so a card pulled and reinserted between two looks still reads as a different card. Pure: unit-testable.
struct PresenceView {
    drivers::Presence presence = drivers::Presence::Absent;
    std::string signature;
    std::string detail;
};
PresenceView evaluate_presence(const ReaderSelector& selector, const std::vector<ReaderState>& readers);

// A thread over ReaderMonitor (SCardGetStatusChange), which also looks every second (pcscd does not announce every
// start of a connection). pcscd not running, or going away: NoService is reported and a new connection is tried
// every `retry` (no busy loop) until it works.
//
// Another program's use of the card: when a selected reader was in use (shared or exclusive) while this process had
// no connection to it and made none since the last look, and is then free again, a Present event with
// `used_elsewhere` is reported, so the daemon reads the card again (its cache may be stale). Use by another program
// that overlaps lpad's own connection is not told apart; lpad's next job reads the card anyway.
class PcscPresenceWatch final : public drivers::PresenceWatch {
public:
    PcscPresenceWatch(ReaderSelector selector, Callback callback,
                      std::chrono::milliseconds retry = std::chrono::seconds(2));
    ~PcscPresenceWatch() override;  // SCardCancel + join

private:
    void run();
    void report(const PresenceView& view);  // watch thread: call back when the view differs from the last report
    void watch_other_programs(const std::vector<ReaderState>& readers);  // watch thread
    bool sleep_unless_stopped(std::chrono::milliseconds period);

    ReaderSelector selector_;
    Callback callback_;
    std::chrono::milliseconds retry_;
    bool reported_ = false;  // watch thread only
    PresenceView last_;      // watch thread only
    std::string last_present_signature_;
    struct OtherUse {
        std::uint64_t own_connects = 0;  // OwnUse::connects at the last look
        bool seen = false;               // in use by another program since then
    };
    std::map<std::string, OtherUse> other_use_;  // watch thread only, by reader
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;              // under mutex_
    ReaderMonitor* monitor_ = nullptr;  // under mutex_: the monitor to cancel
    std::thread thread_;             // last: started once the members above exist
};

// pcsc:?reader=*: one URI per reader whose card answers SELECT ISD-R (the probe AID), in reader order, each naming
// its reader exactly (pcsc:?reader=NAME, or index=N for a name the URI syntax cannot carry). Readers without a card
// or an eUICC are skipped with an Info line naming the reader. pcscd not running: an empty list and a warning.
std::vector<std::string> expand_readers(const drivers::DriverUri& uri, const PcscOptions& options);

}  // namespace lpad::pcsc
