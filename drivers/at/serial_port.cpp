// SPDX-License-Identifier: Apache-2.0
#include "drivers/at/serial_port.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::at {

namespace {

constexpr std::string_view kLog = "at";

[[noreturn]] void sys_fail(Errc code, const std::string& what, int err) {
    fail(code, what + ": " + std::strerror(err));
}

speed_t speed_of(unsigned baud) {
    switch (baud) {
        case 9600: return B9600;
        case 19200: return B19200;
        case 38400: return B38400;
        case 57600: return B57600;
        case 115200: return B115200;
        case 230400: return B230400;
        case 460800: return B460800;
        case 921600: return B921600;
        case 1000000: return B1000000;
        case 2000000: return B2000000;
        case 3000000: return B3000000;
        case 4000000: return B4000000;
        default: return 0;
    }
}

int ms_until(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return 0;
    return left > 60'000 ? 60'000 : static_cast<int>(left);
}

// The PID in a lock file: ASCII decimal, possibly padded with spaces (HDB UUCP); binary (old UUCP) is not read.
long read_lock_pid(const std::string& path) {
    std::ifstream in(path);
    long pid = 0;
    if (!(in >> pid)) return 0;
    return pid;
}

bool process_alive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

}  // namespace

bool baud_supported(unsigned baud) { return speed_of(baud) != 0; }

std::string uucp_lock_name(std::string_view device_path) {
    std::string_view name = device_path;
    if (name.substr(0, 5) == "/dev/") name.remove_prefix(5);
    while (!name.empty() && name.front() == '/') name.remove_prefix(1);
    std::string out = "LCK..";
    for (char c : name) out += c == '/' ? '_' : c;
    return out;
}

UucpLock::UucpLock(std::string dir, const std::string& name) : path_(dir + "/" + name) {
    const std::string tmp = dir + "/LTMP." + std::to_string(::getpid());
    char content[16];
    std::snprintf(content, sizeof content, "%10d\n", static_cast<int>(::getpid()));
    for (int attempt = 0;; ++attempt) {
        int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) sys_fail(Errc::TransportError, "at: cannot write a lock file in " + dir, errno);
        const bool written = ::write(fd, content, 11) == 11;
        ::close(fd);
        if (!written) {
            ::unlink(tmp.c_str());
            fail(Errc::TransportError, "at: cannot write the lock file " + tmp);
        }
        // link() is atomic and fails on an existing name, also over NFS (the classic UUCP recipe).
        const int rc = ::link(tmp.c_str(), path_.c_str());
        const int err = errno;
        ::unlink(tmp.c_str());
        if (rc == 0) return;
        if (err != EEXIST) sys_fail(Errc::TransportError, "at: cannot create the lock file " + path_, err);
        const long pid = read_lock_pid(path_);
        if (process_alive(pid))
            fail(Errc::Busy, "at: port in use by PID " + std::to_string(pid) + " (lock file " + path_ + ")");
        if (attempt > 0) fail(Errc::Busy, "at: port in use (lock file " + path_ + " keeps coming back)");
        log::info(kLog, "removing stale lock file " + path_ + " (PID " + std::to_string(pid) + " is not running)");
        ::unlink(path_.c_str());
    }
}

UucpLock::~UucpLock() {
    if (read_lock_pid(path_) == ::getpid()) ::unlink(path_.c_str());
}

SerialPort::SerialPort(const std::string& path, unsigned baud, const std::string& lock_dir) : path_(path) {
    const speed_t speed = speed_of(baud);
    if (speed == 0) fail(Errc::InvalidArgument, "at: baud rate " + std::to_string(baud) + " is not supported");
    std::error_code ec;
    device_ = std::filesystem::canonical(path, ec).string();
    if (ec) fail(Errc::Unavailable, "at: no port " + path + " (" + ec.message() + ")");
    lock_ = std::make_unique<UucpLock>(lock_dir, uucp_lock_name(device_));

    fd_ = ::open(device_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) {
        const int err = errno;
        sys_fail(err == ENOENT || err == ENXIO || err == ENODEV ? Errc::Unavailable : Errc::TransportError,
                 "at: cannot open " + path, err);
    }
    struct Closer {
        SerialPort& p;
        bool armed = true;
        ~Closer() {
            if (armed) {
                ::close(p.fd_);
                p.fd_ = -1;
            }
        }
    } closer{*this};
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) fail(Errc::Busy, "at: port " + path + " in use (another program holds flock on it)");
        sys_fail(Errc::TransportError, "at: flock " + path, errno);
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISCHR(st.st_mode)) fail(Errc::InvalidArgument, "at: " + path + " is not a tty");
    rdev_ = st.st_rdev;

    termios tio{};
    if (::tcgetattr(fd_, &tio) != 0) sys_fail(Errc::InvalidArgument, "at: " + path + " is not a serial port", errno);
    ::cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;  // no modem-control hang-up, receiver on
    tio.c_cflag &= ~(CRTSCTS | HUPCL | CSTOPB | PARENB);
    tio.c_iflag &= ~(IXON | IXOFF | IXANY);
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    ::cfsetispeed(&tio, speed);
    ::cfsetospeed(&tio, speed);
    if (::tcsetattr(fd_, TCSANOW, &tio) != 0) sys_fail(Errc::TransportError, "at: tcsetattr " + path, errno);
    ::tcflush(fd_, TCIOFLUSH);
    closer.armed = false;
}

SerialPort::~SerialPort() {
    if (fd_ >= 0) ::close(fd_);  // drops the flock; the UUCP lock file goes with lock_ after this
}

void SerialPort::write_all(std::string_view data, Clock::time_point deadline) {
    while (!data.empty()) {
        ssize_t n = ::write(fd_, data.data(), data.size());
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN) sys_fail(Errc::TransportError, "at: write to " + path_, errno);
        pollfd p{fd_, POLLOUT, 0};
        int rc = ::poll(&p, 1, ms_until(deadline));
        if (rc < 0 && errno != EINTR) sys_fail(Errc::TransportError, "at: poll " + path_, errno);
        if (rc == 0 && Clock::now() >= deadline) fail(Errc::Timeout, "at: the modem does not take input on " + path_);
        if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) fail(Errc::TransportError, "at: " + path_ + " hung up");
    }
}

std::string SerialPort::read_some(Clock::time_point deadline) {
    char buf[1024];
    for (;;) {
        // Raw mode with VMIN = VTIME = 0: a read without input returns 0 (or EAGAIN), never blocks.
        ssize_t n = ::read(fd_, buf, sizeof buf);
        if (n > 0) return std::string(buf, static_cast<std::size_t>(n));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN) sys_fail(Errc::TransportError, "at: read from " + path_, errno);
        const int wait = ms_until(deadline);
        if (wait == 0) return {};
        pollfd p{fd_, POLLIN, 0};
        int rc = ::poll(&p, 1, wait);
        if (rc < 0 && errno != EINTR) sys_fail(Errc::TransportError, "at: poll " + path_, errno);
        if (rc > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
            n = ::read(fd_, buf, sizeof buf);  // what the modem said before it went
            if (n > 0) return std::string(buf, static_cast<std::size_t>(n));
            fail(Errc::TransportError, "at: " + path_ + (vanished() ? " went away" : " hung up"));
        }
    }
}

std::size_t SerialPort::discard_input() {
    ::tcflush(fd_, TCIFLUSH);
    std::size_t dropped = 0;
    char buf[512];
    for (;;) {
        ssize_t n = ::read(fd_, buf, sizeof buf);
        if (n > 0) {
            dropped += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return dropped;
    }
}

bool SerialPort::vanished() const {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) return true;
    return st.st_rdev != rdev_;
}

}  // namespace lpad::at
