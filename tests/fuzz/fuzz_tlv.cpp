// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the BER-TLV reader, recursively, in both modes.
#include <cstdint>

#include "libapdu/error.h"
#include "libapdu/tlv.h"

static void walk(const lpad::tlv::Element& e, int depth) {
    if (depth > 64 || !e.constructed()) return;
    for (auto& c : e.children()) walk(c, depth + 1);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    for (auto mode : {lpad::tlv::Mode::Der, lpad::tlv::Mode::Ber}) {
        try {
            for (auto& e : lpad::tlv::parse_all(lpad::ByteView(data, size), mode)) {
                walk(e, 0);
                (void)lpad::tlv::decode_int(e);
            }
        } catch (const lpad::Error&) {
        }
    }
    return 0;
}
