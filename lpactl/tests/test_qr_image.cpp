// SPDX-License-Identifier: Apache-2.0
// download --qr: the PNG/JPEG decoders, the QR scan and the activation-code check.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>

#include "libapdu/error.h"
#include "lpactl/qr_image.h"
#include "lpactl/tests/image_writers.h"

using namespace lpad;
using namespace lpad::qr;

namespace {

// A picture whose every pixel differs from its neighbours, so a decoder that mixes up rows or columns shows.
GreyImage gradient(unsigned w, unsigned h) {
    GreyImage g{w, h, {}};
    for (unsigned y = 0; y < h; ++y)
        for (unsigned x = 0; x < w; ++x) g.pixels.push_back(static_cast<std::uint8_t>((x * 7 + y * 13) & 0xFF));
    return g;
}

Bytes read(const std::string& name) {
    std::ifstream in(std::string(LPAD_QR_CORPUS) + "/" + name, std::ios::binary);
    REQUIRE(in);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Errc code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    return Errc::Internal;  // "did not throw": no test below expects Internal
}

}  // namespace

TEST_CASE("qr_image: sniff by magic bytes") {
    struct Row { Bytes data; ImageKind kind; };
    const Row rows[] = {
        {{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0}, ImageKind::Png},
        {{0xFF, 0xD8, 0xFF, 0xE0}, ImageKind::Jpeg},
        {{0xFF, 0xD8}, ImageKind::Unknown},
        {{'G', 'I', 'F', '8', '9', 'a'}, ImageKind::Unknown},
        {{}, ImageKind::Unknown},
    };
    for (const auto& r : rows) CHECK(sniff(r.data) == r.kind);
}

TEST_CASE("qr_image: PNG round trip is exact, JPEG close") {
    auto g = gradient(37, 23);
    auto png = decode_image(test::write_png(g));
    CHECK(png.width == 37);
    CHECK(png.height == 23);
    CHECK(png.pixels == g.pixels);
    auto jpeg = decode_image(test::write_jpeg(g, 100));
    REQUIRE(jpeg.width == 37);
    REQUIRE(jpeg.height == 23);
    int worst = 0;
    for (std::size_t i = 0; i < g.pixels.size(); ++i) worst = std::max(worst, std::abs(int(g.pixels[i]) - jpeg.pixels[i]));
    CHECK(worst < 24);
}

TEST_CASE("qr_image: damaged, unknown and oversized files are refused with the right error") {
    auto png = test::write_png(gradient(16, 16));
    auto jpeg = test::write_jpeg(gradient(16, 16));
    struct Row { const char* what; Bytes data; Errc code; };
    const Row rows[] = {
        {"empty", {}, Errc::MalformedData},
        {"text", Bytes{'h', 'e', 'l', 'l', 'o'}, Errc::MalformedData},
        {"PNG cut after the header", Bytes(png.begin(), png.begin() + 40), Errc::MalformedData},
        {"JPEG cut after the header", Bytes(jpeg.begin(), jpeg.begin() + 30), Errc::MalformedData},
        {"JPEG magic only", Bytes{0xFF, 0xD8, 0xFF}, Errc::MalformedData},
    };
    for (const auto& r : rows) {
        CAPTURE(r.what);
        CHECK(code_of([&] { (void)decode_image(r.data); }) == r.code);
    }
    // Within the pixel budget or not: 16x16 = 256 pixels.
    CHECK(decode_png(png, 256).pixels.size() == 256);
    CHECK(code_of([&] { (void)decode_png(png, 255); }) == Errc::InvalidArgument);
    CHECK(code_of([&] { (void)decode_jpeg(jpeg, 255); }) == Errc::InvalidArgument);
}

TEST_CASE("qr_image: activation code check") {
    struct Row { const char* text; bool ok; };
    const Row rows[] = {
        {"LPA:1$smdp.example.com$MATCH-1", true},
        {"lpa:1$smdp.example.com$MATCH-1", true},
        {"LPA:1$smdp.example.com$MATCH-1\n", true},
        {"1$smdp.example.com$MATCH-1", false},     // typed form: a QR code carries the prefix
        {"LPA:2$smdp.example.com$MATCH-1", false},
        {"LPA:1$smdp.example.com", false},
        {"https://example.com/", false},
        {"", false},
    };
    for (const auto& r : rows) {
        std::string text = r.text;
        CAPTURE(text);
        if (r.ok) CHECK(activation_code_from_text(r.text).rfind("LPA:1$", 0) == 0);
        else CHECK(code_of([&] { (void)activation_code_from_text(r.text); }) == Errc::InvalidArgument);
    }
}

TEST_CASE("qr_image: QR codes from qrencode, as PNG and re-encoded as JPEG") {
    auto image = decode_image(read("lpa_code.png"));
    auto texts = scan_qr_codes(image);
    REQUIRE(texts.size() == 1);
    CHECK(texts[0] == "LPA:1$smdp.example.com$MATCH-QR-SEED");
    auto from_jpeg = scan_qr_codes(decode_image(test::write_jpeg(image, 75)));
    CHECK(from_jpeg == texts);
    CHECK(activation_code_from_image(std::string(LPAD_QR_CORPUS) + "/lpa_code.png") == texts[0]);

    CHECK(scan_qr_codes(gradient(64, 64)).empty());
    GreyImage white{50, 50, Bytes(2500, 0xFF)};
    CHECK(scan_qr_codes(white).empty());
    CHECK(code_of([&] { (void)activation_code_from_image(std::string(LPAD_QR_CORPUS) + "/not_lpa.png"); }) ==
          Errc::InvalidArgument);
    CHECK(code_of([&] { (void)activation_code_from_image(std::string(LPAD_QR_CORPUS) + "/truncated.png"); }) ==
          Errc::MalformedData);
    CHECK(code_of([&] { (void)activation_code_from_image("/nonexistent/qr.png"); }) == Errc::NotFound);
}
