// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the daemon's downloads-in-flight file (lpad/daemon/in_flight_store.h, issue #18), read at start-up
// after a crash, a full disk or a person may have damaged it. parse_in_flight must give records or MalformedData
// without quoting the text; what parses must format and parse back the same.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "libapdu/error.h"
#include "lpad/daemon/in_flight_store.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<lpad::daemon::InFlightRecord> records;
    try {
        records = lpad::daemon::parse_in_flight(text, "downloads.json");
    } catch (const lpad::Error& e) {
        if (e.code() != lpad::Errc::MalformedData) std::abort();
        return 0;
    }
    // Parsed strings are valid UTF-8 (the JSON reader checks), so formatting cannot fail.
    if (lpad::daemon::parse_in_flight(lpad::daemon::format_in_flight(records), "again") != records) std::abort();
    return 0;
}
