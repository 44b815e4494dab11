// SPDX-License-Identifier: Apache-2.0
// Fuzz target: driver URIs (drivers/registry.h DriverUri), from lpad.conf and the command line. parse gives a URI
// or InvalidArgument; to_string of a parsed URI parses back to the same URI; the typed getters stay typed.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "drivers/registry.h"
#include "libapdu/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using lpad::drivers::DriverUri;
    try {
        DriverUri u = DriverUri::parse(std::string_view(reinterpret_cast<const char*>(data), size));
        DriverUri again = DriverUri::parse(u.to_string());
        if (again.scheme != u.scheme || again.path != u.path || again.params != u.params) std::abort();
        for (const auto& [key, value] : u.params) {
            (void)u.get(key);
            try {
                (void)u.get_int(key, 0, -1000, 1000);
            } catch (const lpad::Error&) {
            }
            try {
                (void)u.get_bool(key, false);
            } catch (const lpad::Error&) {
            }
        }
        try {
            u.expect_only({"reader", "slot", "mode", "pki"});
        } catch (const lpad::Error&) {
        }
    } catch (const lpad::Error& e) {
        if (e.code() != lpad::Errc::InvalidArgument) std::abort();
    }
    return 0;
}
