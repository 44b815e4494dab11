// SPDX-License-Identifier: Apache-2.0
#include "tests/fakes/at_modem/pty_modem.h"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace lpad::fake_at {

PtyModem::PtyModem(FakeModem& modem, std::string link) : modem_(modem), link_(std::move(link)) {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0)
        throw std::runtime_error(std::string("posix_openpt: ") + std::strerror(errno));
    char name[128];
    if (::ptsname_r(master_, name, sizeof name) != 0) throw std::runtime_error("ptsname_r failed");
    slave_ = name;
    slave_fd_ = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave_fd_ < 0) throw std::runtime_error("cannot open " + slave_ + ": " + std::strerror(errno));
    termios tio{};
    ::tcgetattr(slave_fd_, &tio);
    ::cfmakeraw(&tio);
    ::tcsetattr(slave_fd_, TCSANOW, &tio);
    ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
    if (!link_.empty()) {
        ::unlink(link_.c_str());
        if (::symlink(slave_.c_str(), link_.c_str()) != 0)
            throw std::runtime_error("symlink " + link_ + ": " + std::strerror(errno));
    }
}

PtyModem::~PtyModem() {
    if (!link_.empty()) ::unlink(link_.c_str());
    if (slave_fd_ >= 0) ::close(slave_fd_);
    if (master_ >= 0) ::close(master_);
}

void PtyModem::send(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(master_, bytes.data() + done, bytes.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) return;
        pollfd p{master_, POLLOUT, 0};
        ::poll(&p, 1, 100);
    }
    bytes_out_ += bytes.size();
}

void PtyModem::run(const std::atomic<bool>& stop, const std::function<void()>& after_command) {
    std::string buffer;
    auto last_activity = std::chrono::steady_clock::now();
    while (!stop) {
        pollfd p{master_, POLLIN, 0};
        int rc = ::poll(&p, 1, 100);
        if (rc < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
        if (rc > 0 && (p.revents & POLLIN)) {
            char buf[4096];
            ssize_t n = ::read(master_, buf, sizeof buf);
            if (n > 0) {
                bytes_in_ += static_cast<std::size_t>(n);
                buffer.append(buf, static_cast<std::size_t>(n));
            }
        }
        // V.250: a command line ends with S3 (CR); LF is ignored.
        for (auto cr = buffer.find('\r'); cr != std::string::npos; cr = buffer.find('\r')) {
            std::string line = buffer.substr(0, cr);
            buffer.erase(0, cr + 1);
            line.erase(std::remove(line.begin(), line.end(), '\n'), line.end());
            unsigned delay = 0;
            std::string answer = modem_.handle(line, delay);
            if (delay) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
            if (!answer.empty()) send(answer);
            if (after_command) after_command();
            last_activity = std::chrono::steady_clock::now();
        }
        if (buffer.size() > 65536) buffer.clear();
        // Unsolicited codes also arrive while nobody asked anything (and so just before or after a command).
        if (std::chrono::steady_clock::now() - last_activity > std::chrono::milliseconds(300)) {
            std::string urc = modem_.idle_urc();
            if (!urc.empty()) send(urc);
            last_activity = std::chrono::steady_clock::now();
        }
    }
}

}  // namespace lpad::fake_at
