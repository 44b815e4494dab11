// SPDX-License-Identifier: Apache-2.0
// Fuzz target: what the mbim: driver decodes itself (drivers/mbim/mbim_codec.h) and the fake modem's MBIM wire codec
// (tests/fakes/mbim_proxy/mbim_wire.h). Properties: only lpad::Error escapes; an APDU prepared for the modem decodes
// and carries Le whenever it carries data; a response APDU ends with the status it was built from.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "drivers/mbim/mbim_codec.h"
#include "libapdu/apdu.h"
#include "libapdu/error.h"
#include "tests/fakes/mbim_proxy/mbim_wire.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lpad;
    const ByteView raw(data, size);
    if (size > 0) (void)mbim::cla_channel(data[0]);
    try {
        Bytes c = mbim::command_for_modem(raw);
        auto d = apdu::Command::decode(c);
        if (!d.data.empty() && !d.le) std::abort();
    } catch (const Error&) {
    }
    if (size >= 4) {
        const std::uint32_t status = data[0] | data[1] << 8 | data[2] << 16 | static_cast<std::uint32_t>(data[3]) << 24;
        try {
            Bytes r = mbim::response_apdu(status, raw.subspan(4));
            if (r.size() != size - 4 + 2 || r[r.size() - 2] != (status >> 8 & 0xFF)) std::abort();
        } catch (const Error&) {
        }
        (void)mbim::status_info(status);
    }
    (void)mbim::imei_from_device_id(std::string_view(reinterpret_cast<const char*>(data), size));
    try {
        if (auto length = fake_mbim::message_length(raw); length && *length <= size) {
            auto m = fake_mbim::decode(raw.subspan(0, *length));
            for (std::size_t at = 0; at < 24; at += 4) {
                try { (void)fake_mbim::ref_bytes(m.info, at, at % 8 == 0); } catch (const Error&) {}
                try { (void)fake_mbim::ref_string(m.info, at); } catch (const Error&) {}
                try { (void)fake_mbim::u32_at(m.info, at); } catch (const Error&) {}
            }
        }
    } catch (const Error&) {
    }
    return 0;
}
