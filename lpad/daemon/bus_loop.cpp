// SPDX-License-Identifier: Apache-2.0
#include "lpad/daemon/bus_loop.h"

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <ctime>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::daemon {

BusLoop::BusLoop(sdbus::IConnection& connection) : connection_(connection) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (signal_fd_ < 0 || wake_fd_ < 0) fail(Errc::Internal, "cannot create the event loop's descriptors");
}

BusLoop::~BusLoop() {
    if (wake_fd_ >= 0) ::close(wake_fd_);
    if (signal_fd_ >= 0) ::close(signal_fd_);
}

void BusLoop::post(Task task) {
    {
        std::lock_guard lock(mutex_);
        tasks_.push_back(std::move(task));
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void BusLoop::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void BusLoop::run_posted() {
    std::uint64_t count;
    [[maybe_unused]] auto n = ::read(wake_fd_, &count, sizeof count);
    for (;;) {
        Task task;
        {
            std::lock_guard lock(mutex_);
            if (tasks_.empty()) return;
            task = std::move(tasks_.front());
            tasks_.pop_front();
        }
        try {
            task();
        } catch (const std::exception& e) {
            log::error("bus", std::string("posted task failed: ") + e.what());
        }
    }
}

int BusLoop::run() {
    for (;;) {
        while (connection_.processPendingRequest()) {
        }
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return 0;
        }
        auto pd = connection_.getEventLoopPollData();
        int timeout = -1;
        if (pd.timeout_usec != UINT64_MAX) {
            timespec now{};
            clock_gettime(CLOCK_MONOTONIC, &now);
            std::uint64_t now_us = static_cast<std::uint64_t>(now.tv_sec) * 1000000u +
                                   static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
            timeout = pd.timeout_usec <= now_us ? 0 : static_cast<int>((pd.timeout_usec - now_us + 999) / 1000);
        }
        pollfd fds[3] = {{pd.fd, pd.events, 0}, {wake_fd_, POLLIN, 0}, {signal_fd_, POLLIN, 0}};
        int r = ::poll(fds, 3, timeout);
        if (r < 0 && errno != EINTR) fail(Errc::Internal, "poll failed");
        if (fds[2].revents & POLLIN) {
            signalfd_siginfo info{};
            if (::read(signal_fd_, &info, sizeof info) == sizeof info) return static_cast<int>(info.ssi_signo);
        }
        if (fds[1].revents & POLLIN) run_posted();
    }
}

}  // namespace lpad::daemon
