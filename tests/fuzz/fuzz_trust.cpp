// SPDX-License-Identifier: Apache-2.0
// Fuzz target: CI trust-anchor bundles (lpad/es9p/trust.h), PEM text read from lpad.conf's [trust] files, which may
// be damaged or not what they claim. What parses must round-trip through to_pem.
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <string>

#include "libapdu/error.h"
#include "lpad/es9p/trust.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::time_t now = 1767225600;  // 2026-01-01: fixed, so expiry decisions are reproducible
    try {
        auto anchors = lpad::es9p::parse_trust_anchors(text, "fuzz", now);
        auto again = lpad::es9p::parse_trust_anchors(lpad::es9p::to_pem(anchors), "fuzz", now);
        if (again.size() != anchors.size()) std::abort();
        for (std::size_t i = 0; i < anchors.size(); ++i)
            if (again[i].der != anchors[i].der) std::abort();
    } catch (const lpad::Error&) {
    }
    return 0;
}
