// SPDX-License-Identifier: Apache-2.0
// Fuzz target: lpactl's escaping of text for the terminal (lpactl/output.h printable(), find_control()). Any input:
// no crash, and the output holds no control character, no bidi override or isolate, nothing that is not UTF-8, and
// find_control() finds nothing in it.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lpactl/output.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const std::string out = lpactl::printable(in);
    for (char c : out) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) std::abort();
    }
    if (lpactl::find_control(out) != std::string_view::npos) std::abort();
    // Text without anything to escape (and without a backslash) comes out unchanged.
    if (lpactl::find_control(in) == std::string_view::npos && in.find('\\') == std::string_view::npos && out != in)
        std::abort();
    return 0;
}
