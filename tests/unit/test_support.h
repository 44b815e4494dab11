// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by the unit tests.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "libapdu/bytes.h"
#include "libapdu/error.h"

namespace lpad::test {

// A fresh private temporary directory (mkdtemp, named PREFIX-XXXXXX), removed with everything in it.
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& prefix = "lpad-test") {
        std::string templ = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
        REQUIRE(::mkdtemp(templ.data()) != nullptr);
        path = templ;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path / name).string(); }
    std::vector<std::string> entries() const {  // file names in the directory
        std::vector<std::string> out;
        for (const auto& e : std::filesystem::directory_iterator(path)) out.push_back(e.path().filename().string());
        return out;
    }
};

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
