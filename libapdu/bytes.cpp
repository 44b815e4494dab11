// SPDX-License-Identifier: Apache-2.0
#include "bytes.h"

#include <openssl/evp.h>

#include "error.h"

namespace lpad {

std::string to_hex(ByteView data, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string out;
    out.reserve(data.size() * 2);
    for (auto b : data) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0F]);
    }
    return out;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Bytes from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) fail(Errc::MalformedData, "hex string has odd length " + std::to_string(hex.size()));
    Bytes out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = hex_value(hex[i]);
        int lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0)
            fail(Errc::MalformedData, "hex string has a non-hex character at offset " + std::to_string(hi < 0 ? i : i + 1));
        out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    return out;
}

std::string base64_encode(ByteView data) {
    std::string out(4 * ((data.size() + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(), static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

static bool is_b64(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

Bytes base64_decode(std::string_view text) {
    std::string clean;
    clean.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\r' || c == '\n' || c == ' ' || c == '\t') continue;
        if (!is_b64(c) && c != '=')
            fail(Errc::MalformedData, "base64 has an illegal character at offset " + std::to_string(i));
        clean.push_back(c);
    }
    if (clean.size() % 4 != 0) fail(Errc::MalformedData, "base64 length is not a multiple of 4");
    std::size_t pad = 0;
    while (pad < 2 && pad < clean.size() && clean[clean.size() - 1 - pad] == '=') ++pad;
    if (clean.find('=') != std::string::npos && clean.find('=') < clean.size() - pad)
        fail(Errc::MalformedData, "base64 has '=' before the end");
    if (clean.empty()) return {};
    Bytes out(clean.size() / 4 * 3);
    int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(clean.data()),
                            static_cast<int>(clean.size()));
    if (n < 0) fail(Errc::MalformedData, "base64 does not decode");
    out.resize(static_cast<std::size_t>(n) - pad);
    // Canonical form: the bits dropped by the padding must be zero.
    if (pad > 0) {
        const char c = clean[clean.size() - pad - 1];
        static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        auto v = alphabet.find(c);
        unsigned mask = pad == 1 ? 0x03 : 0x0F;
        if ((v & mask) != 0) fail(Errc::MalformedData, "base64 has non-zero bits in its padding");
    }
    return out;
}

}  // namespace lpad
