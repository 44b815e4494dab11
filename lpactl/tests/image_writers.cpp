// SPDX-License-Identifier: Apache-2.0
#include "lpactl/tests/image_writers.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <jpeglib.h>
#include <png.h>

#include "libapdu/error.h"

namespace lpad::qr::test {
namespace {

// Test code: libjpeg's default error_exit (print and exit) is good enough for a writer fed valid pixels.
struct JpegWriter {
    jpeg_compress_struct cinfo{};
    jpeg_error_mgr errors{};
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    JpegWriter() {
        cinfo.err = jpeg_std_error(&errors);
        jpeg_create_compress(&cinfo);
        jpeg_mem_dest(&cinfo, &buffer, &size);
    }
    ~JpegWriter() {
        jpeg_destroy_compress(&cinfo);
        std::free(buffer);
    }
    JpegWriter(const JpegWriter&) = delete;
    JpegWriter& operator=(const JpegWriter&) = delete;
};

}  // namespace

Bytes write_png(const GreyImage& image) {
    png_image png;
    std::memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    png.width = image.width;
    png.height = image.height;
    png.format = PNG_FORMAT_GRAY;
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&png, nullptr, &size, 0, image.pixels.data(), 0, nullptr))
        fail(Errc::Internal, std::string("png write: ") + png.message);
    Bytes out(size);
    if (!png_image_write_to_memory(&png, out.data(), &size, 0, image.pixels.data(), 0, nullptr))
        fail(Errc::Internal, std::string("png write: ") + png.message);
    out.resize(size);
    return out;
}

Bytes write_jpeg(const GreyImage& image, int quality) {
    JpegWriter w;
    w.cinfo.image_width = image.width;
    w.cinfo.image_height = image.height;
    w.cinfo.input_components = 1;
    w.cinfo.in_color_space = JCS_GRAYSCALE;
    jpeg_set_defaults(&w.cinfo);
    jpeg_set_quality(&w.cinfo, quality, TRUE);
    jpeg_start_compress(&w.cinfo, TRUE);
    while (w.cinfo.next_scanline < w.cinfo.image_height) {
        auto* row = const_cast<JSAMPLE*>(image.pixels.data() + std::size_t{w.cinfo.next_scanline} * image.width);
        jpeg_write_scanlines(&w.cinfo, &row, 1);
    }
    jpeg_finish_compress(&w.cinfo);
    return Bytes(w.buffer, w.buffer + w.size);
}

}  // namespace lpad::qr::test
