// SPDX-License-Identifier: Apache-2.0
// Reading key, certificate and PEM bundle files for libapdu's parsers. libapdu itself does no I/O
// (docs/ARCHITECTURE.md); its users read through these helpers and keep the from-bytes parsers in libapdu.
#pragma once

#include <string>
#include <vector>

#include "libapdu/bytes.h"
#include "libapdu/crypto.h"
#include "libapdu/x509.h"

namespace lpad::file {

// The whole content of a regular file. Error(NotFound) naming the path if it cannot be opened or read.
Bytes read(const std::string& path);
// The same as text (no decoding; bytes as they are).
std::string read_text(const std::string& path);

// One certificate, PEM ("-----BEGIN") or DER: x509::Certificate::from_pem_or_der of the file's content.
x509::Certificate certificate(const std::string& path);
// A private key, PEM or DER: crypto::PrivateKey::from_pem_or_der of the file's content.
crypto::PrivateKey private_key(const std::string& path);
// Every certificate of a PEM bundle file, in order: x509::parse_pem_bundle of the file's content.
std::vector<x509::Certificate> pem_bundle(const std::string& path);

}  // namespace lpad::file
