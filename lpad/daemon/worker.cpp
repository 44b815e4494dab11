// SPDX-License-Identifier: Apache-2.0
#include "lpad/daemon/worker.h"

#include "libapdu/log.h"

namespace lpad::daemon {

Worker::Worker(std::function<void()> idle, std::chrono::seconds idle_period)
    : idle_(std::move(idle)), idle_period_(idle_period), thread_([this] { run(); }) {}

Worker::~Worker() { stop(); }

void Worker::submit(Job job) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
}

std::size_t Worker::queued() const {
    std::lock_guard lock(mutex_);
    return jobs_.size();
}

void Worker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        jobs_.clear();
    }
    cv_.notify_all();
    if (thread_.joinable() && !on_worker_thread()) thread_.join();
}

void Worker::run() {
    for (;;) {
        Job job;
        bool idle = false;
        {
            std::unique_lock lock(mutex_);
            if (!cv_.wait_for(lock, idle_period_, [this] { return stopping_ || !jobs_.empty(); })) idle = true;
            if (stopping_) return;
            if (!idle) {
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
        }
        try {
            if (idle) {
                if (idle_) idle_();
            } else {
                job();
            }
        } catch (const std::exception& e) {
            log::error("worker", std::string("job failed: ") + e.what());
        }
    }
}

}  // namespace lpad::daemon
