// SPDX-License-Identifier: Apache-2.0
// Fuzz target: command and response APDU decoding (the virtual eUICC decodes whatever a PC/SC client sends).
// A decoded command must re-encode to bytes that decode to the same command.
#include <cstdint>
#include <cstdlib>

#include "libapdu/apdu.h"
#include "libapdu/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const lpad::ByteView raw(data, size);
    try {
        const auto c = lpad::apdu::Command::decode(raw);
        if (!(lpad::apdu::Command::decode(c.encode()) == c)) std::abort();
        (void)lpad::apdu::channel_of(c.cla);
    } catch (const lpad::Error&) {
    }
    try {
        const auto r = lpad::apdu::Response::decode(raw);
        if (!lpad::equal(r.encode(), raw)) std::abort();
        (void)lpad::apdu::sw_text(r.sw);
    } catch (const lpad::Error&) {
    }
    return 0;
}
