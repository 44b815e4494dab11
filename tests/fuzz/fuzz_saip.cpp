// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the test SM-DP+'s SAIP reader and personaliser (tests/smdpp/saip.h) over any bytes: no crash, only
// lpad::Error; and for a package read_saip accepts, personalise_saip writes the new ICCID into exactly the two
// 10-byte fields (same size, at most 20 bytes changed) and read_saip then reports it.
//
// Input: byte 0 selects the ICCID (its length 17..21 digits: 17 and 21 are refused), the rest is the package.
//
// The fuzz CMake links only lpad_apdu, so the SAIP source (which needs nothing else) is compiled in directly.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "libapdu/error.h"
#include "tests/smdpp/saip.cpp"  // NOLINT(bugprone-suspicious-include)

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lpad;
    if (size < 1) return 0;
    const std::size_t digits = 17 + data[0] % 5;
    std::string iccid = "89";
    for (std::size_t i = 2; i < digits; ++i) iccid.push_back(static_cast<char>('0' + (data[0] + i * 7) % 10));
    ByteView package(data + 1, size - 1);

    smdpp::SaipSummary before;
    try {
        before = smdpp::read_saip(package);
    } catch (const Error&) {
        return 0;
    }
    if (before.iccid.empty() || before.elements == 0) std::abort();
    Bytes out;
    try {
        out = smdpp::personalise_saip(package, iccid);
    } catch (const Error& e) {
        // Only the ICCID itself may be refused once the package was readable.
        if (e.code() != Errc::InvalidArgument || (digits >= 18 && digits <= 20)) std::abort();
        return 0;
    }
    if (digits < 18 || digits > 20 || out.size() != package.size()) std::abort();
    std::size_t changed = 0;
    for (std::size_t i = 0; i < out.size(); ++i) changed += out[i] != package[i];
    if (changed > 20) std::abort();
    smdpp::SaipSummary after = smdpp::read_saip(out);
    if (after.iccid != iccid || after.elements != before.elements || after.profile_type != before.profile_type)
        std::abort();
    return 0;
}
