// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the vpcd link (drivers/virtual/vpcd.h): the 2-byte-length framing as pcscd's vpcd sends it, control
// codes and APDUs, served by the virtual card with its real eUICC. The fuzzer's bytes are the stream from vpcd, split
// into the socket at arbitrary points; serve() must end (peer closed, link dropped) or throw TransportError, never
// crash, hang or answer with an empty message.
//
// Input: byte 0 = write chunk size - 1 (how the stream is split), then the stream. Seeds: the vpcd stream of a real
// session (power on, ATR, the APDUs of a download) recorded by tests/fuzz/record_seeds.cpp.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <thread>

#include "drivers/virtual/card.h"
#include "drivers/virtual/vpcd.h"
#include "libapdu/error.h"
#include "tests/fuzz/virtual_euicc_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lpad;
    if (size < 1) return 0;
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) std::abort();
    vpcd::Socket ours(fds[0]), theirs(fds[1]);
    const std::size_t chunk = std::size_t(data[0]) + 1;
    // vpcd's side: send the stream in chunks, then close its sending half; meanwhile read every answer.
    std::thread writer([&] {
        for (std::size_t pos = 1; pos < size; pos += chunk) {
            std::size_t n = std::min(chunk, size - pos);
            if (::send(theirs.fd(), data + pos, n, MSG_NOSIGNAL) != static_cast<ssize_t>(n)) break;
        }
        ::shutdown(theirs.fd(), SHUT_WR);
    });
    std::thread reader([&] {
        std::uint8_t buf[4096];
        std::size_t pending = 0;  // bytes of the current answer still to come
        std::uint8_t len_hi = 0;
        int len_bytes = 0;
        for (;;) {
            ssize_t n = ::recv(theirs.fd(), buf, sizeof buf, 0);
            if (n <= 0) break;
            for (ssize_t i = 0; i < n; ++i) {
                if (pending > 0) {
                    --pending;
                    continue;
                }
                if (len_bytes == 0) {
                    len_hi = buf[i];
                    len_bytes = 1;
                } else {
                    pending = (std::size_t(len_hi) << 8) | buf[i];
                    len_bytes = 0;
                    if (pending == 0) std::abort();  // vpcd would read an empty answer as the card removed
                }
            }
        }
    });
    virtual_euicc::VirtualCard card(fuzz::fresh_euicc());
    try {
        (void)vpcd::serve(ours.fd(), card);
    } catch (const Error& e) {
        if (e.code() != Errc::TransportError) std::abort();
    }
    ::shutdown(ours.fd(), SHUT_RDWR);  // the writer's sends fail now, and the reader sees the end
    writer.join();
    reader.join();
    return 0;
}
