// SPDX-License-Identifier: Apache-2.0
// Test helpers: write a grey picture as PNG (libpng) or JPEG (libjpeg), for the decoder tests and for turning
// qrencode's PNG into a JPEG in the daemon tests.
#pragma once

#include "libapdu/bytes.h"
#include "lpactl/qr_image.h"

namespace lpad::qr::test {

Bytes write_png(const GreyImage& image);
Bytes write_jpeg(const GreyImage& image, int quality = 90);

}  // namespace lpad::qr::test
