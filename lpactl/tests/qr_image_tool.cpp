// SPDX-License-Identifier: Apache-2.0
// lpad-test-qr-image: test helper for the --qr tests.
//   lpad-test-qr-image jpeg IN.png OUT.jpg   re-encode a PNG (e.g. from qrencode) as a grey JPEG
//   lpad-test-qr-image blank W H OUT.png     a white PNG without any code
//   lpad-test-qr-image decode IMAGE          print the activation code lpactl would read (exit 1 with the reason)
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "libapdu/error.h"
#include "lpactl/qr_image.h"
#include "lpactl/tests/image_writers.h"

int main(int argc, char** argv) {
    using namespace lpad;
    std::string cmd = argc > 1 ? argv[1] : "";
    try {
        if (cmd == "jpeg" && argc == 4) {
            std::ifstream in(argv[2], std::ios::binary);
            Bytes png((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            Bytes jpeg = qr::test::write_jpeg(qr::decode_png(png));
            std::ofstream out(argv[3], std::ios::binary);
            out.write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
            return out ? 0 : 1;
        }
        if (cmd == "blank" && argc == 5) {
            unsigned w = static_cast<unsigned>(std::stoul(argv[2])), h = static_cast<unsigned>(std::stoul(argv[3]));
            Bytes png = qr::test::write_png(qr::GreyImage{w, h, Bytes(std::size_t{w} * h, 0xFF)});
            std::ofstream out(argv[4], std::ios::binary);
            out.write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
            return out ? 0 : 1;
        }
        if (cmd == "decode" && argc == 3) {
            std::cout << qr::activation_code_from_image(argv[2]) << "\n";
            return 0;
        }
    } catch (const Error& e) {
        std::cerr << "lpad-test-qr-image: " << e.what() << "\n";
        return 1;
    }
    std::cerr << "usage: lpad-test-qr-image jpeg IN.png OUT.jpg | blank W H OUT.png | decode IMAGE\n";
    return 2;
}
