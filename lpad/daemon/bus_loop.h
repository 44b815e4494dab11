// SPDX-License-Identifier: Apache-2.0
// The D-Bus thread: one poll loop over the bus connection, a wake-up eventfd for tasks posted from the workers,
// and a signalfd for SIGTERM/SIGINT. Every sdbus-c++ call of the daemon (replies, signals, object registration)
// runs on this thread; workers hand their results over with post().
#pragma once

#include <deque>
#include <functional>
#include <future>
#include <mutex>

#include <sdbus-c++/IConnection.h>

namespace lpad::daemon {

class BusLoop {
public:
    using Task = std::packaged_task<void()>;  // move-only: holds sdbus::Result objects

    // Blocks SIGTERM and SIGINT in the calling thread (call before any other thread starts).
    explicit BusLoop(sdbus::IConnection& connection);
    ~BusLoop();
    BusLoop(const BusLoop&) = delete;
    BusLoop& operator=(const BusLoop&) = delete;

    // Thread-safe: run `task` on the bus thread soon.
    void post(Task task);
    template <class F>
    void post_fn(F&& f) {
        post(Task(std::forward<F>(f)));
    }
    // Runs until SIGTERM/SIGINT or stop(); returns the signal number (0 for stop()).
    int run();
    void stop();

private:
    void run_posted();

    sdbus::IConnection& connection_;
    int wake_fd_ = -1;
    int signal_fd_ = -1;
    std::mutex mutex_;
    std::deque<Task> tasks_;
    bool stopping_ = false;
};

}  // namespace lpad::daemon
