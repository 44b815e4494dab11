// SPDX-License-Identifier: Apache-2.0
// Fuzz target: x509 (libapdu/x509.h) on what servers and cards send: certificates DER and PEM, PEM bundles, and
// chain checks of the SGP.22 kinds (eUICC <- EUM <- CI, DPauth/DPpb/DPtls <- CI) against the SGP.26 test CIs and
// the CI of the PKI the seeds were recorded with (tests/fuzz/data/recorded_ci.der).
//
// Input: byte 0 selects the use; the rest is either one certificate / PEM text, or concatenated DER certificates
// (leaf first, then intermediates) for verify_chain. Seeds: real chains recorded by tests/fuzz/record_seeds.cpp.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <openssl/obj_mac.h>

#include "libapdu/error.h"
#include "libapdu/tlv.h"
#include "libapdu/x509.h"
#include "libfile/file.h"

namespace {

using namespace lpad;

const std::vector<x509::Certificate>& roots() {
    static const std::vector<x509::Certificate> r = [] {
        std::vector<x509::Certificate> out;
        for (const char* c : {"NIST", "BRP"})
            out.push_back(file::certificate(std::string(LPAD_TEST_DATA) + "/sgp26/CertificateIssuer/CERT_CI_ECDSA_" + c +
                                            ".der"));
        out.push_back(file::certificate(std::string(LPAD_FUZZ_DATA) + "/recorded_ci.der"));
        return out;
    }();
    return r;
}

void inspect(const x509::Certificate& c) {
    (void)c.subject_key_id();
    (void)c.authority_key_id();
    (void)c.serial();
    (void)c.subject();
    (void)c.issuer();
    (void)c.subject_field(NID_serialNumber);
    (void)c.policy_oids();
    for (int r = 0; r < 8; ++r) (void)c.has_role(static_cast<x509::Role>(r));
    (void)c.dns_names();
    (void)c.ip_addresses();
    (void)c.registered_ids();
    (void)c.extended_key_usages();
    (void)c.not_before();
    (void)c.not_after();
    (void)c.is_ca();
    (void)c.curve();
    try {
        (void)c.public_key().point();
    } catch (const Error&) {
    }
    // What parses re-parses from its own DER to the same certificate.
    if (x509::Certificate::from_der(c.der()).der() != c.der()) std::abort();
}

// Concatenated DER certificates; stops at the first element that is not one.
std::vector<x509::Certificate> split(ByteView data) {
    std::vector<x509::Certificate> out;
    while (!data.empty() && out.size() < 8) {
        tlv::Header h = tlv::parse_header(data);
        if (h.header_size + h.length > data.size()) break;
        out.push_back(x509::Certificate::from_der(data.subspan(0, h.header_size + h.length)));
        data = data.subspan(h.header_size + h.length);
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t mode = data[0];
    ByteView in(data + 1, size - 1);
    try {
        switch (mode % 4) {
        case 0: inspect(x509::Certificate::from_der(in)); break;
        case 1: inspect(x509::Certificate::from_pem(to_string(in))); break;
        case 2:
            for (const auto& c : x509::parse_pem_bundle(to_string(in))) inspect(c);
            break;
        case 3: {
            auto certs = split(in);
            if (certs.empty()) break;
            for (const auto& c : certs) inspect(c);
            x509::VerifyOptions o;
            o.check_time = (mode & 0x04) != 0;
            if (mode & 0x08) o.leaf_role = static_cast<x509::Role>((mode >> 4) % 8);
            std::vector<x509::Certificate> intermediates(certs.begin() + 1, certs.end());
            x509::verify_chain(certs.front(), intermediates, roots(), o);
            break;
        }
        }
    } catch (const Error&) {
    }
    return 0;
}
