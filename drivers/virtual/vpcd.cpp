// SPDX-License-Identifier: Apache-2.0
#include "drivers/virtual/vpcd.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::vpcd {

namespace {

constexpr std::string_view kLog = "vpcd";

[[noreturn]] void sys_fail(const std::string& what) {
    fail(Errc::TransportError, "vpcd: " + what + ": " + std::strerror(errno));
}

bool stopping(const std::atomic<bool>* stop) { return stop && stop->load(); }

// Wait until fd is readable; false when `stop` is set first.
bool wait_readable(int fd, const std::atomic<bool>* stop) {
    for (;;) {
        if (stopping(stop)) return false;
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, stop ? 100 : -1);
        if (r > 0) return true;
        if (r < 0 && errno != EINTR) sys_fail("poll");
    }
}

// vpcd (ifd-vpcd's sendToVICC) writes every message in two send() calls, length then payload, with Nagle's
// algorithm on: the payload waits until the length is acknowledged, and a delayed ACK holds that back ~40 ms, on every
// APDU. Acknowledging at once avoids the stall. Linux clears TCP_QUICKACK again by itself, so it is set after every
// read. Best effort: harmless where it does not apply (not TCP, e.g. a socketpair in tests).
void quick_ack(int fd) {
    int one = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

// Read exactly n bytes. Returns the number read before EOF (n on success); nullopt when stopped.
std::optional<std::size_t> read_exact(int fd, std::uint8_t* out, std::size_t n, const std::atomic<bool>* stop) {
    std::size_t got = 0;
    while (got < n) {
        if (!wait_readable(fd, stop)) return std::nullopt;
        ssize_t r = ::recv(fd, out + got, n - got, 0);
        quick_ack(fd);
        if (r == 0) return got;
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            sys_fail("receive");
        }
        got += static_cast<std::size_t>(r);
    }
    return got;
}

void sleep_unless_stopped(unsigned ms, const std::atomic<bool>& stop) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!stop.load() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

Socket::~Socket() { reset(); }

Socket& Socket::operator=(Socket&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

void Socket::reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

Socket connect_tcp(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* list = nullptr;
    const std::string where = host + ":" + std::to_string(port);
    if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list); rc != 0)
        fail(Errc::TransportError, "vpcd: cannot resolve " + where + ": " + ::gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(list, &::freeaddrinfo);
    int last_errno = 0;
    for (addrinfo* a = list; a; a = a->ai_next) {
        Socket s(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
        if (!s) {
            last_errno = errno;
            continue;
        }
        if (::connect(s.fd(), a->ai_addr, a->ai_addrlen) == 0) {
            // Our side sends each answer in one send(); without Nagle it leaves at once, whatever is unacknowledged.
            int one = 1;
            if (::setsockopt(s.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
                log::warning(kLog, "TCP_NODELAY on the link to " + where + ": " + std::strerror(errno));
            quick_ack(s.fd());
            return s;
        }
        last_errno = errno;
    }
    fail(Errc::TransportError, "vpcd: cannot connect to " + where + ": " + std::strerror(last_errno));
}

void write_message(int fd, ByteView message) {
    if (message.empty() || message.size() > 0xFFFF)
        fail(Errc::InvalidArgument, "vpcd: message of " + std::to_string(message.size()) +
                                        " bytes cannot be framed (1..65535)");
    Bytes frame{static_cast<std::uint8_t>(message.size() >> 8), static_cast<std::uint8_t>(message.size())};
    append(frame, message);
    std::size_t sent = 0;
    while (sent < frame.size()) {
        ssize_t r = ::send(fd, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EINTR) continue;
            sys_fail("send");
        }
        sent += static_cast<std::size_t>(r);
    }
}

std::optional<Bytes> read_message(int fd, const std::atomic<bool>* stop) {
    std::uint8_t header[2];
    auto got = read_exact(fd, header, 2, stop);
    if (!got || *got == 0) return std::nullopt;
    if (*got < 2) fail(Errc::TransportError, "vpcd: connection closed inside a length header");
    Bytes message((std::size_t(header[0]) << 8) | header[1]);
    got = read_exact(fd, message.data(), message.size(), stop);
    if (!got) return std::nullopt;
    if (*got < message.size())
        fail(Errc::TransportError, "vpcd: connection closed after " + std::to_string(*got) + " of " +
                                       std::to_string(message.size()) + " message bytes");
    return message;
}

SessionEnd serve(int fd, virtual_euicc::VirtualCard& card, const std::atomic<bool>* stop) {
    struct PowerOffAtEnd {
        virtual_euicc::VirtualCard& card;
        ~PowerOffAtEnd() { card.power_off(); }
    } power_off_at_end{card};

    for (;;) {
        auto message = read_message(fd, stop);
        if (!message) return stopping(stop) ? SessionEnd::Stopped : SessionEnd::PeerClosed;
        if (message->size() == 1) {
            switch ((*message)[0]) {
            case kPowerOff: card.power_off(); break;
            case kPowerOn:
            case kReset: card.reset(); break;
            case kGetAtr: write_message(fd, card.atr()); break;
            default: log::warning(kLog, "ignoring unknown control code " + to_hex(*message)); break;
            }
            continue;
        }
        if (message->empty()) continue;  // vpcd never sends one; nothing to answer
        Bytes response;
        try {
            response = card.process(*message);
        } catch (const Error& e) {
            if (e.code() != Errc::TransportError) throw;
            log::info(kLog, std::string("disconnecting: ") + e.what());
            return SessionEnd::LinkDropped;
        }
        write_message(fd, response);
    }
}

void run_bridge(virtual_euicc::VirtualCard& card, const BridgeOptions& options, const std::atomic<bool>& stop) {
    const std::string where = options.host + ":" + std::to_string(options.port);
    unsigned backoff = options.backoff_min_ms;
    bool reported = false;
    while (!stop.load()) {
        Socket s;
        try {
            s = connect_tcp(options.host, options.port);
        } catch (const Error& e) {
            if (!reported) log::info(kLog, std::string(e.what()) + "; retrying until vpcd is there");
            reported = true;
            sleep_unless_stopped(backoff, stop);
            backoff = std::min(backoff * 2, options.backoff_max_ms);
            continue;
        }
        backoff = options.backoff_min_ms;
        reported = false;
        log::info(kLog, "connected to vpcd at " + where);
        // Reinserted after a drop (serve() powers the card off at the end): powered as a reader powers an inserted
        // card. pcscd sends no power-on when it never saw the card leave (a reconnect within its 0.4 s poll).
        if (!card.powered()) card.reset();
        SessionEnd end = SessionEnd::PeerClosed;
        try {
            end = serve(s.fd(), card, &stop);
        } catch (const Error& e) {
            log::warning(kLog, std::string("connection failed: ") + e.what());
        }
        s.reset();
        if (end == SessionEnd::Stopped || options.once) return;
        log::info(kLog, end == SessionEnd::LinkDropped ? "link dropped; reconnecting" : "vpcd closed; reconnecting");
        sleep_unless_stopped(options.backoff_min_ms, stop);
    }
}

}  // namespace lpad::vpcd
