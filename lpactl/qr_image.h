// SPDX-License-Identifier: Apache-2.0
// `lpactl download --qr IMAGE`: the activation code from a QR code in a PNG or JPEG file. libpng / libjpeg turn
// the file into 8-bit grey pixels, libzbar finds the QR code. Every failure is an lpad::Error whose message says
// what went wrong in plain words (unreadable file, not an image, no QR code, not an activation code); a QR code's
// text is never quoted in a message, since it carries the matching ID (a secret).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "libapdu/bytes.h"

namespace lpad::qr {

struct GreyImage {
    unsigned width = 0;
    unsigned height = 0;
    std::vector<std::uint8_t> pixels;  // width * height bytes, row by row, 0 = black
};

// Pictures larger than this are refused before any pixel memory is allocated (a phone photo has ~12 Mpixel).
inline constexpr std::size_t kMaxPixels = std::size_t{64} << 20;

enum class ImageKind { Png, Jpeg, Unknown };
ImageKind sniff(ByteView file);  // by the magic bytes

// Decoders. Throw Error(MalformedData) for a damaged or unsupported file, Error(InvalidArgument) for one larger
// than `max_pixels`.
GreyImage decode_png(ByteView file, std::size_t max_pixels = kMaxPixels);
GreyImage decode_jpeg(ByteView file, std::size_t max_pixels = kMaxPixels);
GreyImage decode_image(ByteView file, std::size_t max_pixels = kMaxPixels);  // PNG or JPEG, else MalformedData

// The texts of every QR code zbar finds in the image (empty when none).
std::vector<std::string> scan_qr_codes(const GreyImage& image);

// The activation code in `text`, checked: it must start with "LPA:" (SGP.22 §4.1, case-insensitive) and parse as
// an activation code. Throws Error(InvalidArgument) otherwise.
std::string activation_code_from_text(const std::string& text);

// The whole of --qr: read `path`, decode, scan, check. Throws Error(NotFound) for a file that cannot be read,
// MalformedData for one that is not a readable PNG/JPEG, InvalidArgument when no QR code or no activation code is
// found (the first QR code carrying one wins).
std::string activation_code_from_image(const std::string& path);

}  // namespace lpad::qr
