// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the virtual eUICC's SGP.22 logic (drivers/virtual/euicc*.cpp) behind its APDU layer: whole ES10
// commands of any size, as the APDU layer hands them over after STORE DATA reassembly. Bad input must get the status
// word or SGP.22 error response a real eUICC gives, never an exception or a crash.
//
// Input: byte 0 = channel selector, then commands as [2-byte big-endian length][command]. A command of length 0
// ends the RSP session on its channel (the channel closed). Seeds: the ES10 commands of real sessions
// (download, list, enable, notifications) recorded by tests/fuzz/record_seeds.cpp.
#include <cstdint>
#include <cstdlib>

#include "tests/fuzz/virtual_euicc_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    auto card = lpad::fuzz::fresh_euicc();
    const std::uint8_t channels = 1 + data[0] % 3;
    std::size_t pos = 1;
    unsigned n = 0;
    while (pos + 2 <= size) {
        std::size_t len = (std::size_t(data[pos]) << 8) | data[pos + 1];
        pos += 2;
        len = std::min(len, size - pos);
        const std::uint8_t channel = static_cast<std::uint8_t>(1 + (n++ % channels));
        if (len == 0) {
            card->session_reset(channel);
            continue;
        }
        auto reply = card->handle(channel, lpad::ByteView(data + pos, len));
        if ((reply.sw >> 8) != 0x90 && (reply.sw >> 8) != 0x91 && !reply.data.empty()) std::abort();
        pos += len;
    }
    return 0;
}
