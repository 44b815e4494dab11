// SPDX-License-Identifier: Apache-2.0
#include "libfile/file.h"

#include <fstream>
#include <iterator>

#include "libapdu/error.h"

namespace lpad::file {

Bytes read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(Errc::NotFound, "cannot read " + path);
    Bytes out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail(Errc::NotFound, "cannot read " + path);
    return out;
}

std::string read_text(const std::string& path) { return to_string(read(path)); }

x509::Certificate certificate(const std::string& path) { return x509::Certificate::from_pem_or_der(read(path)); }

crypto::PrivateKey private_key(const std::string& path) { return crypto::PrivateKey::from_pem_or_der(read(path)); }

std::vector<x509::Certificate> pem_bundle(const std::string& path) { return x509::parse_pem_bundle(read_text(path)); }

}  // namespace lpad::file
