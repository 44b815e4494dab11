// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the PNG and JPEG decoders of `lpactl download --qr` and the QR scan of what they produce.
// Links lpad_qr_image (lpactl/CMakeLists.txt), which the fuzz preset builds too.
#include <cstddef>
#include <cstdint>

#include "libapdu/error.h"
#include "lpactl/qr_image.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    lpad::ByteView file(data, size);
    try {
        // A small pixel budget keeps each input fast; the limit itself is part of what is tested.
        auto image = lpad::qr::decode_image(file, std::size_t{1} << 20);
        for (const auto& text : lpad::qr::scan_qr_codes(image)) {
            try {
                (void)lpad::qr::activation_code_from_text(text);
            } catch (const lpad::Error&) {
            }
        }
    } catch (const lpad::Error&) {
    }
    return 0;
}
