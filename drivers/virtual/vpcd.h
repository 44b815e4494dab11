// SPDX-License-Identifier: Apache-2.0
// The card side of vsmartcard's virtual reader `vpcd` (the pcsc-lite driver libifdvpcd), so that pcscd and every
// PC/SC program see the virtual eUICC in a reader.
//
// Protocol (vsmartcard virtualsmartcard/src/vpcd/vpcd.c, ifd-vpcd.c):
//  - vpcd listens on TCP port 35963 + slot (reader.conf CHANNELID 0x8C7B); the card side connects, one connection
//    per reader slot.
//  - Every message either way is a 2-byte big-endian length, then that many bytes.
//  - A 1-byte message from vpcd is a control code: 00 power off, 01 power on, 02 reset, 04 get ATR. Only 04 gets an
//    answer (the ATR). pcscd polls card presence with 04 about every 0.4 s.
//  - Any longer message is a command APDU and gets exactly one answer: response data || SW1 SW2.
//  - The card never sends an empty message: vpcd reads a zero-length answer as the card being removed.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "drivers/virtual/card.h"
#include "libapdu/bytes.h"

namespace lpad::vpcd {

constexpr std::uint16_t kDefaultPort = 35963;
constexpr std::uint8_t kPowerOff = 0x00;
constexpr std::uint8_t kPowerOn = 0x01;
constexpr std::uint8_t kReset = 0x02;
constexpr std::uint8_t kGetAtr = 0x04;

// A socket descriptor, closed on destruction.
class Socket {
public:
    Socket() = default;
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket();
    Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Socket& operator=(Socket&& other) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    int fd() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset();

private:
    int fd_ = -1;
};

// Connect to vpcd at host:port (IPv4/IPv6 via getaddrinfo). Throws Error(TransportError) naming the address.
Socket connect_tcp(const std::string& host, std::uint16_t port);

// One framed message. Throws InvalidArgument for an empty message or one above 65535 bytes, TransportError when the
// peer is gone.
void write_message(int fd, ByteView message);

// The next framed message, however the stream splits it. nullopt when the peer closed the connection between
// messages, or when `stop` became true while waiting (checked every 100 ms); TransportError when the connection
// fails or ends inside a message.
std::optional<Bytes> read_message(int fd, const std::atomic<bool>* stop = nullptr);

enum class SessionEnd {
    PeerClosed,   // vpcd closed the connection
    LinkDropped,  // the card dropped the link (fault injection) or was used while powered off: we disconnected
    Stopped,      // `stop` was set
};

// Serve one vpcd connection: control codes and APDUs until it ends. The card is powered off when it ends.
// Throws TransportError when writing fails.
SessionEnd serve(int fd, virtual_euicc::VirtualCard& card, const std::atomic<bool>* stop = nullptr);

struct BridgeOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = kDefaultPort;
    bool once = false;                  // return after the first connection ends
    unsigned backoff_min_ms = 100;      // reconnect delay, doubled after each failed attempt...
    unsigned backoff_max_ms = 5000;     // ...up to this
};

// Connect to vpcd (retrying with backoff while it is not there) and serve the card, reconnecting after each
// connection ends, until `stop` is set (or the first connection ends, with `once`). Each new connection finds the
// card powered (reset if the last one powered it off), like a card just inserted. Logs through lpad::log.
void run_bridge(virtual_euicc::VirtualCard& card, const BridgeOptions& options, const std::atomic<bool>& stop);

}  // namespace lpad::vpcd
