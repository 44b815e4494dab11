// SPDX-License-Identifier: Apache-2.0
#include "tests/fakes/qmi_proxy/fake_qmi_proxy.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::fake_qmi {

FakeQmiProxy::FakeQmiProxy(FakeModem& modem, std::string socket_name) : modem_(modem) {
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) fail(Errc::Unavailable, std::string("socket: ") + std::strerror(errno));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    // Abstract namespace: sun_path[0] = 0, then the name, no terminator (GLib's G_UNIX_SOCKET_ADDRESS_ABSTRACT).
    if (socket_name.size() + 1 > sizeof addr.sun_path) fail(Errc::InvalidArgument, "socket name too long");
    std::memcpy(addr.sun_path + 1, socket_name.data(), socket_name.size());
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + socket_name.size());
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(listen_fd_, 16) != 0) {
        const std::string why = std::strerror(errno);
        ::close(listen_fd_);
        fail(Errc::Unavailable, "cannot listen on @" + socket_name + ": " + why);
    }
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
        ::close(listen_fd_);
        fail(Errc::Unavailable, "pipe2 failed");
    }
    thread_ = std::thread([this] { serve(); });
}

FakeQmiProxy::~FakeQmiProxy() {
    stop_ = true;
    char c = 0;
    (void)!::write(wake_[1], &c, 1);
    thread_.join();
    ::close(listen_fd_);
    ::close(wake_[0]);
    ::close(wake_[1]);
}

void FakeQmiProxy::drop_connections() {
    drop_ = true;
    char c = 0;
    (void)!::write(wake_[1], &c, 1);
}

void FakeQmiProxy::serve() {
    std::map<int, Bytes> clients;  // fd -> bytes received, not yet a whole frame
    // The books first, then the socket: a client that sees the hangup finds its client ids already released.
    auto drop = [&](int fd) {
        modem_.disconnected(fd);
        clients.erase(fd);
        ::close(fd);
    };
    while (!stop_) {
        if (drop_.exchange(false)) {
            std::vector<int> fds;
            for (auto& [fd, _] : clients) fds.push_back(fd);
            for (int fd : fds) drop(fd);
        }
        std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
        for (auto& [fd, _] : clients) fds.push_back({fd, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
        if (fds[1].revents) {
            char buf[16];
            while (::read(wake_[0], buf, sizeof buf) > 0) {
            }
        }
        if (fds[0].revents & POLLIN) {
            int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd >= 0) {
                clients[fd];
                modem_.connected(fd);
            }
        }
        for (std::size_t i = 2; i < fds.size(); ++i) {
            if (!fds[i].revents) continue;
            const int fd = fds[i].fd;
            std::uint8_t buf[4096];
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0) {
                drop(fd);
                continue;
            }
            Bytes& pending = clients[fd];
            pending.insert(pending.end(), buf, buf + n);
            bool closed = false;
            while (!closed) {
                std::size_t length = 0;
                try {
                    length = qmux_frame_length(pending);
                } catch (const Error& e) {
                    log::warning("fake-qmi", e.what());
                    closed = true;
                    break;
                }
                if (length == 0) break;
                Bytes frame(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(length));
                pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(length));
                Reply reply;
                try {
                    reply = modem_.handle(fd, frame);
                } catch (const Error& e) {
                    log::warning("fake-qmi", std::string("bad request: ") + e.what());
                    continue;  // as qmi-proxy: an invalid message is ignored
                }
                if (reply.drop) {
                    closed = true;
                    break;
                }
                if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
                std::size_t off = 0;
                while (off < reply.frame.size()) {
                    const ssize_t w = ::send(fd, reply.frame.data() + off, reply.frame.size() - off, MSG_NOSIGNAL);
                    if (w <= 0) {
                        closed = true;
                        break;
                    }
                    off += static_cast<std::size_t>(w);
                }
            }
            if (closed) drop(fd);
        }
    }
    std::vector<int> fds;
    for (auto& [fd, _] : clients) fds.push_back(fd);
    for (int fd : fds) drop(fd);
}

FakeQmiPort::FakeQmiPort(FakeModem& modem, std::string link) : modem_(modem), link_(std::move(link)) {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0)
        fail(Errc::Unavailable, std::string("pty: ") + std::strerror(errno));
    const char* name = ::ptsname(master_);
    slave_ = name ? ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
    termios t{};
    if (slave_ < 0 || ::tcgetattr(slave_, &t) != 0) fail(Errc::Unavailable, "pty slave");
    ::cfmakeraw(&t);
    ::tcsetattr(slave_, TCSANOW, &t);
    ::unlink(link_.c_str());
    if (::symlink(name, link_.c_str()) != 0) fail(Errc::Unavailable, "symlink " + link_ + ": " + std::strerror(errno));
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) fail(Errc::Unavailable, "pipe2 failed");
    modem_.connected(master_);
    thread_ = std::thread([this] { serve(); });
}

FakeQmiPort::~FakeQmiPort() {
    stop_ = true;
    char c = 0;
    (void)!::write(wake_[1], &c, 1);
    thread_.join();
    modem_.disconnected(master_);
    ::unlink(link_.c_str());
    ::close(slave_);
    ::close(master_);
    ::close(wake_[0]);
    ::close(wake_[1]);
}

void FakeQmiPort::serve() {
    Bytes pending;
    while (!stop_) {
        pollfd fds[2] = {{master_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 && errno != EINTR) break;
        if (!(fds[0].revents & POLLIN)) continue;
        std::uint8_t buf[4096];
        const ssize_t n = ::read(master_, buf, sizeof buf);
        if (n <= 0) continue;
        pending.insert(pending.end(), buf, buf + n);
        for (;;) {
            std::size_t length = 0;
            try {
                length = qmux_frame_length(pending);
            } catch (const Error& e) {
                log::warning("fake-qmi", e.what());
                pending.clear();  // resynchronise on the next frame, as a modem would
                break;
            }
            if (length == 0) break;
            Bytes frame(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(length));
            pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(length));
            Reply reply;
            try {
                reply = modem_.handle(master_, frame);
            } catch (const Error& e) {
                log::warning("fake-qmi", std::string("bad request: ") + e.what());
                continue;
            }
            if (reply.drop) continue;  // a port cannot be dropped: no answer
            if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
            std::size_t off = 0;
            while (off < reply.frame.size()) {
                const ssize_t w = ::write(master_, reply.frame.data() + off, reply.frame.size() - off);
                if (w <= 0) break;
                off += static_cast<std::size_t>(w);
            }
        }
    }
}

}  // namespace lpad::fake_qmi
