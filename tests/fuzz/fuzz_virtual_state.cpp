// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the virtual eUICC's state file (drivers/virtual/euicc_state.h), JSON on disk that may be corrupt.
// from_json gives a state or MalformedData; a state that loads must serialise and load back to the same JSON.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "drivers/virtual/euicc_state.h"
#include "libapdu/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using lpad::virtual_euicc::EuiccState;
    try {
        EuiccState s = EuiccState::from_json(std::string_view(reinterpret_cast<const char*>(data), size));
        const std::string once = s.to_json();
        if (EuiccState::from_json(once).to_json() != once) std::abort();
    } catch (const lpad::Error& e) {
        if (e.code() != lpad::Errc::MalformedData) std::abort();
    }
    return 0;
}
