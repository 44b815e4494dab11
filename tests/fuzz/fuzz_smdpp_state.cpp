// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the test SM-DP+'s state file (tests/smdpp/state_file.cpp), JSON on disk that a killed or foreign
// writer may have left corrupt. It parses to a state or fails with MalformedData; a state that parses is written
// and parsed back to the same JSON.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "libapdu/error.h"
#include "tests/smdpp/smdp_server.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using lpad::smdpp::SmdpServer;
    try {
        const std::string once =
            SmdpServer::normalise_state(std::string_view(reinterpret_cast<const char*>(data), size));
        if (SmdpServer::normalise_state(once) != once) std::abort();
    } catch (const lpad::Error& e) {
        if (e.code() != lpad::Errc::MalformedData) std::abort();
    }
    return 0;
}
