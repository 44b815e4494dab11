// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the eUICC side of BSP (libapdu/bsp.h, SGP.22 §2.6.4): segment MAC check and decryption.
//
// Two uses, chosen by byte 0:
//  - raw: the rest is a stream of segments fed to SegmentVerifier::unprotect as they come (what a hostile or broken
//    SM-DP+ sends). Each must be refused with a typed error or give plaintext.
//  - protected: the rest is [tag selector][flip position (2 bytes)][plaintext]: SegmentProtector protects the
//    plaintext, one byte may be flipped, and the verifier must give back exactly the plaintext when nothing was
//    flipped and refuse it when something was (so the MAC and padding checks run on real segments, not only on
//    noise that fails the first comparison).
#include <cstdint>
#include <cstdlib>

#include "libapdu/bsp.h"
#include "libapdu/error.h"
#include "libapdu/tlv.h"

namespace {

using namespace lpad;

bsp::SessionKeys keys() {
    Bytes z(32, 0x5A);
    return bsp::derive_session_keys(z, 0x88, 16, Bytes{'f', 'u', 'z', 'z'}, Bytes(16, 0x89));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    ByteView in(data + 1, size - 1);
    if ((data[0] & 1) == 0) {
        bsp::SegmentVerifier v(keys());
        const bool expect_encrypted = (data[0] & 2) != 0;
        while (!in.empty()) {
            std::size_t n = in.size();
            try {
                tlv::Header h = tlv::parse_header(in, tlv::Mode::Ber);
                n = std::min(in.size(), h.header_size + h.length);
            } catch (const Error&) {
            }
            try {
                (void)v.unprotect(in.subspan(0, n), expect_encrypted);
            } catch (const Error&) {
            }
            in = in.subspan(n);
        }
        return 0;
    }
    if (in.size() < 3) return 0;
    static constexpr std::uint8_t kTags[] = {bsp::kTagProfileElement, bsp::kTagEncrypted, bsp::kTagMacOnly};
    const std::uint8_t tag = kTags[in[0] % 3];
    const bool encrypt = tag != bsp::kTagMacOnly;
    const std::size_t flip = (std::size_t(in[1]) << 8) | in[2];
    ByteView plain = in.subspan(3);
    bsp::SegmentProtector p(keys());
    bsp::SegmentVerifier v(keys());
    Bytes segment;
    try {
        segment = p.protect(tag, plain, encrypt);
    } catch (const Error&) {
        return 0;  // e.g. too long for one segment
    }
    const bool flipped = flip < segment.size();
    if (flipped) segment[flip] ^= 0x01;
    try {
        Bytes out = v.unprotect(segment, encrypt);
        if (flipped || out != Bytes(plain.begin(), plain.end())) std::abort();
    } catch (const Error&) {
        if (!flipped) std::abort();
    }
    return 0;
}
