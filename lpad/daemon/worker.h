// SPDX-License-Identifier: Apache-2.0
// One worker thread per eUICC: it owns the card's Transport (through EuiccService) and runs jobs in order, one card
// operation at a time (ARCHITECTURE "lpad process model"). Jobs are move-only (they carry sdbus::Result objects).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

namespace lpad::daemon {

class Worker {
public:
    using Job = std::packaged_task<void()>;

    // `idle` runs on the worker when no job came for `idle_period` (automatic notification retries).
    explicit Worker(std::function<void()> idle = {}, std::chrono::seconds idle_period = std::chrono::seconds(30));
    ~Worker();  // stop(): finishes the running job, drops the queued ones, joins
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void submit(Job job);
    template <class F>
    void submit_fn(F&& f) {
        submit(Job(std::forward<F>(f)));
    }
    std::size_t queued() const;
    void stop();
    bool on_worker_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

private:
    void run();

    std::function<void()> idle_;
    std::chrono::seconds idle_period_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Job> jobs_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace lpad::daemon
