// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the SGP.22 activation code parser. Whatever parses must format to a code that parses back equal.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "libapdu/activation_code.h"
#include "libapdu/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto ac = lpad::ActivationCode::parse(text);
        if (!(lpad::ActivationCode::parse(ac.format()) == ac)) std::abort();
    } catch (const lpad::Error&) {
    }
    return 0;
}
