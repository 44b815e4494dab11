// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the Bound Profile Package decoder, split_for_loading and the card-side BppAssembler. Whatever
// splits must reassemble piece by piece and end complete.
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "libapdu/bpp.h"
#include "libapdu/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lpad::es10;
    lpad::ByteView in(data, size);
    try {
        auto bpp = BoundProfilePackage::decode(in);
        (void)bpp.encode();
        (void)split_for_loading(bpp);
    } catch (const lpad::Error&) {
    }
    try {
        auto pieces = split_for_loading(in);
        BppAssembler a;
        for (const auto& p : pieces) a.feed(p);
        if (!a.complete()) std::abort();  // split output must always reassemble
    } catch (const lpad::Error&) {
    }
    // The input as a stream of pieces: the first byte of each chunk gives the chunk length.
    try {
        BppAssembler a;
        std::size_t pos = 0;
        while (pos < size && !a.complete()) {
            std::size_t n = std::min<std::size_t>(data[pos], size - pos - 1);
            a.feed(in.subspan(pos + 1, n));
            pos += 1 + n;
        }
    } catch (const lpad::Error&) {
    }
    return 0;
}
