// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by the unit tests.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "libapdu/bytes.h"
#include "libapdu/error.h"

namespace lpad::test {

// Hex with optional spaces between bytes, as test vectors are written.
inline Bytes hex(std::string s) {
    std::erase(s, ' ');
    return from_hex(s);
}

// The code of the lpad::Error that `f` throws; fails the test if it throws none.
Errc code_of(auto&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    FAIL("no lpad::Error thrown");
    return Errc::Internal;
}

// The message of the lpad::Error that `f` throws, or "" if none.
std::string message_of(auto&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

// The message of the Errc::MalformedData error that `f` throws; fails the test on any other outcome.
std::string malformed_message_of(auto&& f) {
    try {
        f();
    } catch (const Error& e) {
        CHECK(e.code() == Errc::MalformedData);
        return e.what();
    }
    FAIL("no error thrown");
    return {};
}

inline Bytes read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    REQUIRE(in.good());
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace lpad::test
