// SPDX-License-Identifier: Apache-2.0
// PC/SC (pcsc-lite, winscard) return codes: their names, what they mean for lpad (an Errc) and a hint for the
// person reading the error. One table (pcsc_errors.cpp); every PC/SC failure in the driver goes through it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "libapdu/error.h"

namespace lpad::pcsc {

struct PcscErrorInfo {
    std::uint32_t code;     // e.g. 0x8010002E
    std::string_view name;  // the winscard macro name, e.g. "SCARD_E_NO_READERS_AVAILABLE"
    Errc errc;              // Unavailable: card/reader/pcscd not there; TransportError: the link failed; ...
    std::string_view hint;  // what to check, for people ("" when the name says it all)
};

// The table entry for `code`, or nullptr for a code the table does not know (also for SCARD_S_SUCCESS).
const PcscErrorInfo* find_pcsc_error(std::uint32_t code);

// "SCARD_E_NO_SERVICE (0x8010001D)"; unknown codes read "PC/SC error 0x12345678".
std::string pcsc_error_name(std::uint32_t code);

// The Errc for a code; unknown codes are TransportError.
Errc pcsc_errc(std::uint32_t code);

// "<what>: SCARD_E_NO_SERVICE (0x8010001D): the PC/SC daemon is not running (start pcscd ...)".
std::string describe_pcsc_error(std::uint32_t code, std::string_view what);

// Throws Error(pcsc_errc(code), describe_pcsc_error(code, what)).
[[noreturn]] void throw_pcsc_error(std::uint32_t code, std::string_view what);

// The whole table, for tests and documentation.
struct PcscErrorTable {
    const PcscErrorInfo* begin_;
    const PcscErrorInfo* end_;
    const PcscErrorInfo* begin() const { return begin_; }
    const PcscErrorInfo* end() const { return end_; }
};
PcscErrorTable pcsc_error_table();

}  // namespace lpad::pcsc
