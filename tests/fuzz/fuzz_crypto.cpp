// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the crypto parsers (libapdu/crypto.h) that take bytes from the other side: public keys
// (SubjectPublicKeyInfo DER/PEM, raw points on both SGP.22 curves), ECDSA signatures (DER <-> r||s) and their
// verification, ECKA with a peer point, and private keys (files on disk that may be damaged).
//
// Input: byte 0 selects the parser, the rest is its input. For verification the input is
// [key source: SPKI DER or point][64-byte r||s][message], split by byte 1.
#include <cstdint>
#include <cstdlib>

#include "libapdu/crypto.h"
#include "libapdu/error.h"

namespace {

using namespace lpad;
using namespace lpad::crypto;

const PrivateKey& own(Curve c) {
    static const PrivateKey p256 = PrivateKey::generate(Curve::NistP256);
    static const PrivateKey brp = PrivateKey::generate(Curve::BrainpoolP256r1);
    return c == Curve::NistP256 ? p256 : brp;
}

void use(const PublicKey& key) {
    Bytes point = key.point();
    // A key that parses round-trips through its point and its DER.
    if (PublicKey::from_point(key.curve(), point).point() != point) std::abort();
    if (PublicKey::from_der(key.to_der()).point() != point) std::abort();
    (void)ecdh(own(key.curve()), key);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    ByteView in(data + 1, size - 1);
    const Curve curve = (data[0] & 0x80) ? Curve::BrainpoolP256r1 : Curve::NistP256;
    try {
        switch (data[0] % 8) {
        case 0: use(PublicKey::from_der(in)); break;
        case 1: use(PublicKey::from_pem(to_string(in))); break;
        case 2: use(PublicKey::from_point(curve, in)); break;
        case 3: {
            Bytes rs = der_to_rs(in);
            if (rs.size() != 64) std::abort();
            if (der_to_rs(rs_to_der(rs)) != rs) std::abort();
            break;
        }
        case 4: {
            Bytes der = rs_to_der(in);
            if (der_to_rs(der) != Bytes(in.begin(), in.end())) std::abort();
            break;
        }
        case 5: {  // verify: [key length][key][r||s][message]
            std::size_t klen = in[0];
            if (in.size() < 1 + klen + 64) break;
            ByteView key_bytes = in.subspan(1, klen);
            PublicKey key = (klen == 65) ? PublicKey::from_point(curve, key_bytes) : PublicKey::from_der(key_bytes);
            (void)verify(key, in.subspan(1 + klen + 64), in.subspan(1 + klen, 64));
            break;
        }
        case 6: {
            PrivateKey k = PrivateKey::from_pem_or_der(in);
            if (PrivateKey::from_der(k.to_der()).public_point() != k.public_point()) std::abort();
            break;
        }
        case 7: (void)PrivateKey::from_pem(to_string(in)); break;
        }
    } catch (const Error&) {
    }
    return 0;
}
