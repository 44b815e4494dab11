// SPDX-License-Identifier: Apache-2.0
// The virtual eUICC the fuzz targets drive: the real ISD-R application (drivers/virtual/euicc.h) on a fixed state,
// tests/fuzz/data/euicc_state.json (the card tests/fuzz/record_seeds.cpp recorded its seeds with: SGP.26-style test
// eUICC certificates, one installed profile, pending notifications). Nothing is persisted: each input starts from
// the same card.
#pragma once

#include <memory>
#include <string>

#include "drivers/virtual/euicc.h"
#include "libfile/file.h"

namespace lpad::fuzz {

inline const virtual_euicc::EuiccState& recorded_state() {
    static const virtual_euicc::EuiccState s =
        virtual_euicc::EuiccState::from_json(file::read_text(std::string(LPAD_FUZZ_DATA) + "/euicc_state.json"));
    return s;
}

inline std::unique_ptr<virtual_euicc::Euicc> fresh_euicc() {
    return std::make_unique<virtual_euicc::Euicc>(recorded_state(), std::string());
}

}  // namespace lpad::fuzz
