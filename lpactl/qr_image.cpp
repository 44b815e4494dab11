// SPDX-License-Identifier: Apache-2.0
#include "lpactl/qr_image.h"

#include <csetjmp>
#include <cstdio>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

#include <jpeglib.h>
#include <png.h>
#include <zbar.h>

#include "libapdu/activation_code.h"
#include "libapdu/error.h"

namespace lpad::qr {
using namespace zbar;  // zbar.h declares its C API in namespace zbar when compiled as C++
namespace {

void check_size(const char* format, std::size_t width, std::size_t height, std::size_t max_pixels) {
    if (width == 0 || height == 0) fail(Errc::MalformedData, std::string(format) + ": the picture has no pixels");
    if (width > max_pixels / height)
        fail(Errc::InvalidArgument, std::string(format) + ": the picture is too large (" + std::to_string(width) + "x" +
                                        std::to_string(height) + " pixels)");
}

// libpng's simplified API: png_image_free releases whatever a begin/finish call left behind.
struct PngImage {
    png_image image;
    PngImage() {
        std::memset(&image, 0, sizeof image);
        image.version = PNG_IMAGE_VERSION;
    }
    ~PngImage() { png_image_free(&image); }
    PngImage(const PngImage&) = delete;
    PngImage& operator=(const PngImage&) = delete;
    std::string message() const { return image.message[0] ? image.message : "unknown error"; }
};

// libjpeg reports fatal errors through error_exit, which must not return: it jumps back to the setjmp in
// JpegDecoder::run. run() keeps no object with a destructor between setjmp and the jump.
struct JpegErrors {
    jpeg_error_mgr mgr;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

void jpeg_fail(j_common_ptr cinfo) {
    auto* e = reinterpret_cast<JpegErrors*>(cinfo->err);  // mgr is the first member
    (*cinfo->err->format_message)(cinfo, e->message);
    std::longjmp(e->jump, 1);
}
void jpeg_quiet(j_common_ptr) {}  // warnings (corrupt data recovered from) are not printed

class JpegDecoder {
public:
    JpegDecoder() {
        std::memset(&cinfo_, 0, sizeof cinfo_);
        std::memset(&errors_, 0, sizeof errors_);
        cinfo_.err = jpeg_std_error(&errors_.mgr);
        errors_.mgr.error_exit = jpeg_fail;
        errors_.mgr.output_message = jpeg_quiet;
    }
    ~JpegDecoder() {
        if (created_) jpeg_destroy_decompress(&cinfo_);
    }
    JpegDecoder(const JpegDecoder&) = delete;
    JpegDecoder& operator=(const JpegDecoder&) = delete;

    // Fills `out`; false with message() set when libjpeg gave up. `out` is owned by the caller, so the jump
    // skips no destructor; a too-large picture is reported through `too_large` (no allocation happens then).
    bool run(ByteView file, std::size_t max_pixels, GreyImage& out, bool& too_large) {
        if (setjmp(errors_.jump)) return false;
        jpeg_create_decompress(&cinfo_);
        created_ = true;
        jpeg_mem_src(&cinfo_, file.data(), static_cast<unsigned long>(file.size()));
        jpeg_read_header(&cinfo_, TRUE);
        if (cinfo_.image_width == 0 || cinfo_.image_height == 0 ||
            cinfo_.image_width > max_pixels / cinfo_.image_height) {
            too_large = true;
            out.width = cinfo_.image_width;
            out.height = cinfo_.image_height;
            return true;
        }
        cinfo_.out_color_space = JCS_GRAYSCALE;
        jpeg_start_decompress(&cinfo_);
        if (cinfo_.output_components != 1) {
            std::snprintf(errors_.message, sizeof errors_.message, "%d colour components after conversion to grey",
                          cinfo_.output_components);
            return false;
        }
        out.width = cinfo_.output_width;
        out.height = cinfo_.output_height;
        out.pixels.resize(std::size_t{out.width} * out.height);
        while (cinfo_.output_scanline < cinfo_.output_height) {
            JSAMPROW row = out.pixels.data() + std::size_t{cinfo_.output_scanline} * out.width;
            if (jpeg_read_scanlines(&cinfo_, &row, 1) != 1) {
                std::snprintf(errors_.message, sizeof errors_.message, "the picture data ends early");
                return false;
            }
        }
        jpeg_finish_decompress(&cinfo_);
        return true;
    }
    const char* message() const { return errors_.message; }

private:
    jpeg_decompress_struct cinfo_;
    JpegErrors errors_;
    bool created_ = false;
};

// zbar's scanner and image, released in every case.
struct ZbarScanner {
    zbar_image_scanner_t* p = zbar_image_scanner_create();
    ~ZbarScanner() { if (p) zbar_image_scanner_destroy(p); }
};
struct ZbarImage {
    zbar_image_t* p = zbar_image_create();
    ~ZbarImage() { if (p) zbar_image_destroy(p); }
};

bool starts_with_lpa(const std::string& text) {
    if (text.size() < 4) return false;
    for (std::size_t i = 0; i < 4; ++i)
        if (std::toupper(static_cast<unsigned char>(text[i])) != "LPA:"[i]) return false;
    return true;
}

}  // namespace

ImageKind sniff(ByteView file) {
    static constexpr std::uint8_t kPng[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    if (file.size() >= sizeof kPng && std::memcmp(file.data(), kPng, sizeof kPng) == 0) return ImageKind::Png;
    if (file.size() >= 3 && file[0] == 0xFF && file[1] == 0xD8 && file[2] == 0xFF) return ImageKind::Jpeg;
    return ImageKind::Unknown;
}

GreyImage decode_png(ByteView file, std::size_t max_pixels) {
    PngImage png;
    if (!png_image_begin_read_from_memory(&png.image, file.data(), file.size()))
        fail(Errc::MalformedData, "PNG: " + png.message());
    check_size("PNG", png.image.width, png.image.height, max_pixels);
    png.image.format = PNG_FORMAT_GRAY;  // alpha composited onto white by libpng's background handling
    GreyImage out;
    out.width = png.image.width;
    out.height = png.image.height;
    out.pixels.resize(PNG_IMAGE_SIZE(png.image));
    png_color white{255, 255, 255};
    if (!png_image_finish_read(&png.image, &white, out.pixels.data(), 0, nullptr))
        fail(Errc::MalformedData, "PNG: " + png.message());
    if (out.pixels.size() != std::size_t{out.width} * out.height)
        fail(Errc::Internal, "PNG: unexpected row layout");
    return out;
}

GreyImage decode_jpeg(ByteView file, std::size_t max_pixels) {
    if (file.empty()) fail(Errc::MalformedData, "JPEG: empty file");
    GreyImage out;
    bool too_large = false;
    JpegDecoder decoder;
    if (!decoder.run(file, max_pixels, out, too_large)) fail(Errc::MalformedData, std::string("JPEG: ") + decoder.message());
    if (too_large) check_size("JPEG", out.width, out.height, max_pixels);
    return out;
}

GreyImage decode_image(ByteView file, std::size_t max_pixels) {
    switch (sniff(file)) {
    case ImageKind::Png: return decode_png(file, max_pixels);
    case ImageKind::Jpeg: return decode_jpeg(file, max_pixels);
    case ImageKind::Unknown: break;
    }
    fail(Errc::MalformedData, "not a PNG or JPEG file");
}

std::vector<std::string> scan_qr_codes(const GreyImage& image) {
    if (image.pixels.size() != std::size_t{image.width} * image.height || image.pixels.empty())
        fail(Errc::InvalidArgument, "QR scan: the picture's size does not match its pixels");
    ZbarScanner scanner;
    ZbarImage zimage;
    if (!scanner.p || !zimage.p) fail(Errc::Internal, "QR scan: out of memory");
    zbar_image_scanner_set_config(scanner.p, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(scanner.p, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_set_format(zimage.p, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(zimage.p, image.width, image.height);
    // zbar only reads the pixels; no cleanup handler, `image` outlives `zimage`.
    zbar_image_set_data(zimage.p, image.pixels.data(), image.pixels.size(), nullptr);
    std::vector<std::string> texts;
    if (zbar_scan_image(scanner.p, zimage.p) < 0) fail(Errc::Internal, "QR scan: zbar failed");
    for (const zbar_symbol_t* s = zbar_image_first_symbol(zimage.p); s; s = zbar_symbol_next(s)) {
        if (zbar_symbol_get_type(s) != ZBAR_QRCODE) continue;
        const char* data = zbar_symbol_get_data(s);
        texts.emplace_back(data ? data : "", data ? zbar_symbol_get_data_length(s) : 0);
    }
    return texts;
}

std::string activation_code_from_text(const std::string& text) {
    std::string code = text;
    while (!code.empty() && (code.back() == '\n' || code.back() == '\r' || code.back() == ' ')) code.pop_back();
    if (!starts_with_lpa(code))
        fail(Errc::InvalidArgument, "the QR code is not an eSIM activation code (no \"LPA:\" prefix)");
    try {
        (void)ActivationCode::parse(code);
    } catch (const Error& e) {
        fail(Errc::InvalidArgument, std::string("the QR code holds no valid activation code: ") + e.what());
    }
    return "LPA:" + code.substr(4);  // the prefix in its canonical case
}

std::string activation_code_from_image(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(Errc::NotFound, path + ": cannot open the file (" + std::strerror(errno) + ")");
    Bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail(Errc::NotFound, path + ": read error");
    GreyImage image;
    try {
        image = decode_image(file);
    } catch (const Error& e) {
        fail(e.code(), path + ": " + e.what());
    }
    auto texts = scan_qr_codes(image);
    if (texts.empty()) fail(Errc::InvalidArgument, path + ": no QR code found in the picture");
    std::string first_problem;
    for (const auto& t : texts) {
        try {
            return activation_code_from_text(t);
        } catch (const Error& e) {
            if (first_problem.empty()) first_problem = e.what();
        }
    }
    fail(Errc::InvalidArgument, path + ": " + first_problem);
}

}  // namespace lpad::qr
