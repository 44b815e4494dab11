// SPDX-License-Identifier: Apache-2.0
// Fuzz target: lpad.conf (lpad/daemon/config.h, TOML). Every input is a Config or an InvalidArgument naming the
// key and line; nothing else may escape (toml++ exceptions, out-of-range numbers, ...).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "libapdu/error.h"
#include "lpad/daemon/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        auto c = lpad::daemon::parse_config(text, "fuzz.conf");
        for (const auto& card : c.cards)
            if (card.store_data_block < 6 || card.store_data_block > 255) std::abort();  // the documented range
    } catch (const lpad::Error& e) {
        if (e.code() != lpad::Errc::InvalidArgument) std::abort();
    }
    return 0;
}
