// SPDX-License-Identifier: Apache-2.0
// Fuzz target: APDU sequences into the virtual card (drivers/virtual/card.h) with its real eUICC application
// (drivers/virtual/euicc.h, tests/fuzz/virtual_euicc_fixture.h) must never crash, and every answer must be a response
// APDU (at least SW1 SW2). Seeds: the APDUs of real sessions recorded by tests/fuzz/record_seeds.cpp.
//
// Input: byte 0 = chunk size - 1, byte 1 = STORE DATA block limit, byte 2 = channel count and a fault selector, then
// APDUs as [length byte][that many bytes]...
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "drivers/virtual/card.h"
#include "tests/fuzz/virtual_euicc_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lpad::virtual_euicc;
    if (size < 3) return 0;
    Knobs knobs;
    knobs.chunk = std::size_t(data[0]) + 1;
    knobs.max_block = data[1] == 0 ? 255 : data[1];
    CardConfig config;
    config.channels = 1 + (data[2] & 0x0F) % 20;
    switch (data[2] >> 4) {
    case 1: knobs.faults = {Fault::parse("drop@5")}; break;
    case 2: knobs.faults = {Fault::parse("6A88@BF7E#2+")}; break;
    case 3: knobs.faults = {Fault::parse("drop@LoadBoundProfilePackage#2")}; break;
    default: break;
    }
    VirtualCard card(lpad::fuzz::fresh_euicc(), config, knobs);
    std::size_t pos = 3;
    while (pos < size) {
        const std::size_t n = std::min<std::size_t>(data[pos], size - pos - 1);
        lpad::ByteView apdu(data + pos + 1, n);
        pos += 1 + n;
        try {
            lpad::Bytes r = card.process(apdu);
            if (r.size() < 2) std::abort();
        } catch (const lpad::Error&) {
            card.reset();  // the link was dropped: a reader would reset the card
        }
    }
    return 0;
}
