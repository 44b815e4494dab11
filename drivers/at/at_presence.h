// SPDX-License-Identifier: Apache-2.0
// The `at:` driver's presence watch: whether the AT port's device node is there (a USB modem unplugged or reset
// takes its ttyUSB nodes away; a pty goes with its master). Polls the path once a second; no I/O on the port, so it
// never competes with the transport for the modem. A node that comes back as another device (its st_rdev changed,
// e.g. a udev symlink now pointing to a new ttyUSB) is reported as a changed card, so the daemon re-reads the EID.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "drivers/registry.h"

namespace lpad::at {

class PortPresenceWatch final : public drivers::PresenceWatch {
public:
    PortPresenceWatch(std::string path, Callback callback,
                      std::chrono::milliseconds period = std::chrono::milliseconds(1000));
    ~PortPresenceWatch() override;

private:
    void run();

    std::string path_;
    Callback callback_;
    std::chrono::milliseconds period_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;  // under mutex_
    std::thread thread_;  // last
};

}  // namespace lpad::at
