// SPDX-License-Identifier: Apache-2.0
#include "drivers/at/at_presence.h"

#include <sys/stat.h>

#include <optional>

#include "drivers/at/at_transport.h"

namespace lpad::at {

PortPresenceWatch::PortPresenceWatch(std::string path, Callback callback, std::chrono::milliseconds period)
    : path_(std::move(path)), callback_(std::move(callback)), period_(period), thread_([this] { run(); }) {}

PortPresenceWatch::~PortPresenceWatch() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void PortPresenceWatch::run() {
    std::optional<drivers::Presence> last;
    dev_t last_rdev = 0;
    bool seen_present = false;
    for (;;) {
        struct stat st {};
        const bool present = ::stat(path_.c_str(), &st) == 0 && S_ISCHR(st.st_mode);
        const auto now = present ? drivers::Presence::Present : drivers::Presence::Absent;
        const bool changed = present && seen_present && st.st_rdev != last_rdev;
        if (!last || *last != now || changed) {
            callback_(drivers::PresenceEvent{now, changed,
                                             present ? "port " + path_ + " is there" : "port " + path_ + " is gone"});
            last = now;
        }
        if (present) {
            seen_present = true;
            last_rdev = st.st_rdev;
        }
        std::unique_lock lock(mutex_);
        if (cv_.wait_for(lock, period_, [this] { return stop_; })) return;
    }
}

}  // namespace lpad::at

namespace lpad::drivers {

DriverInfo at_driver_info() {
    return DriverInfo{
        "at",
        "eUICC of a modem on its AT port (at:/dev/ttyUSB2?baud=115200&mode=auto|csim|ccho&block=240(csim)/230(ccho)"
        "&timeout=10&load-timeout=300; seconds)",
        [](const DriverUri& uri) -> std::unique_ptr<Transport> {
            return std::make_unique<at::AtTransport>(at::AtOptions::from_uri(uri));
        },
        [](const DriverUri& uri, PresenceWatch::Callback callback) -> std::unique_ptr<PresenceWatch> {
            return std::make_unique<at::PortPresenceWatch>(at::AtOptions::from_uri(uri).path, std::move(callback));
        }};
}

}  // namespace lpad::drivers
