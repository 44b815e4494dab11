// SPDX-License-Identifier: Apache-2.0
// SGP.22 cryptographic primitives over OpenSSL 3 (EVP APIs only).
//
// Used by the virtual eUICC, the test SM-DP+ and the LPA core. Conventions:
// - signatures are the SGP.22 format (BSI TR-03111 plain r||s, 64 bytes), never DER, at this API;
// - EC public keys travel as uncompressed points 04||X||Y (65 bytes), as in otPK.*.ECKA (tag 5F49);
// - failed verification/agreement throws Error(CryptoError), unparsable keys Error(MalformedData), wrong
//   sizes from the caller Error(InvalidArgument); messages carry the OpenSSL error string.
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "libapdu/bytes.h"
#include "libapdu/error.h"

// Declared in <openssl/ec.h>; repeated here so this header needs only <openssl/types.h>.
typedef struct ECDSA_SIG_st ECDSA_SIG;

namespace lpad::crypto {

// One deleter for every OpenSSL handle the project holds; use the aliases below.
struct OsslFree {
    void operator()(EVP_PKEY* p) const;
    void operator()(EVP_PKEY_CTX* p) const;
    void operator()(EVP_MD_CTX* p) const;
    void operator()(EVP_CIPHER_CTX* p) const;
    void operator()(EVP_MAC* p) const;
    void operator()(EVP_MAC_CTX* p) const;
    void operator()(BIO* p) const;
    void operator()(BIGNUM* p) const;
    void operator()(ECDSA_SIG* p) const;
    void operator()(OSSL_PARAM_BLD* p) const;
    void operator()(OSSL_PARAM* p) const;
    void operator()(X509* p) const;
    void operator()(X509_STORE* p) const;
    void operator()(X509_STORE_CTX* p) const;
    void operator()(OSSL_ENCODER_CTX* p) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslFree>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OsslFree>;
using MacPtr = std::unique_ptr<EVP_MAC, OsslFree>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, OsslFree>;
using BioPtr = std::unique_ptr<BIO, OsslFree>;
using BignumPtr = std::unique_ptr<BIGNUM, OsslFree>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OsslFree>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OsslFree>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, OsslFree>;
using X509Ptr = std::unique_ptr<X509, OsslFree>;
using X509StorePtr = std::unique_ptr<X509_STORE, OsslFree>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OsslFree>;

// Throws Error(code, "what: <OpenSSL error queue>") and clears the thread's OpenSSL error queue.
[[noreturn]] void fail_openssl(Errc code, const std::string& what);
// The OpenSSL error queue as text ("" if empty), clearing it.
std::string openssl_errors();
// A read-only memory BIO over `data` (which must outlive the BIO).
BioPtr memory_bio(ByteView data);

Bytes sha256(ByteView data);
// Cryptographically secure random bytes (RAND_bytes).
Bytes random_bytes(std::size_t n);

// The curves SGP.22 v2 allows for ECDSA and ECKA (SGP.22 §2.6.5).
enum class Curve { NistP256, BrainpoolP256r1 };
// OpenSSL group name: "prime256v1", "brainpoolP256r1".
std::string_view curve_name(Curve curve);

class PublicKey {
public:
    // SubjectPublicKeyInfo, DER or PEM ("PUBLIC KEY").
    static PublicKey from_der(ByteView spki);
    static PublicKey from_pem(std::string_view pem);
    // An uncompressed point 04||X||Y on `curve` (65 bytes); rejects points not on the curve (MalformedData).
    static PublicKey from_point(Curve curve, ByteView point);
    // Takes ownership of an EC key of a supported curve (MalformedData otherwise).
    static PublicKey adopt(PkeyPtr key);

    Curve curve() const { return curve_; }
    // Uncompressed point 04||X||Y, 65 bytes.
    Bytes point() const;
    Bytes to_der() const;
    EVP_PKEY* native() const { return key_.get(); }

private:
    PublicKey(std::shared_ptr<EVP_PKEY> key, Curve curve) : key_(std::move(key)), curve_(curve) {}
    std::shared_ptr<EVP_PKEY> key_;  // immutable once built, so copies may share it
    Curve curve_;
};

class PrivateKey {
public:
    static PrivateKey generate(Curve curve);
    // PKCS#8 (PrivateKeyInfo) or SEC1/RFC 5915 ECPrivateKey, DER.
    static PrivateKey from_der(ByteView der);
    // "PRIVATE KEY" or "EC PRIVATE KEY" PEM; other blocks (e.g. SGP.26's leading "EC PARAMETERS") are skipped.
    static PrivateKey from_pem(std::string_view pem);
    // The content of a key file holding either of the above: PEM if it contains "-----BEGIN", else DER.
    // (libapdu reads no files: lpad_file's file::private_key() reads and calls this.)
    static PrivateKey from_pem_or_der(ByteView data);

    Curve curve() const { return curve_; }
    PublicKey public_key() const;
    Bytes public_point() const { return public_key().point(); }
    // PKCS#8 DER / PEM, for persisting a key (e.g. the virtual eUICC's state).
    Bytes to_der() const;
    std::string to_pem() const;
    EVP_PKEY* native() const { return key_.get(); }

private:
    static PrivateKey adopt(PkeyPtr key);
    PrivateKey(std::shared_ptr<EVP_PKEY> key, Curve curve) : key_(std::move(key)), curve_(curve) {}
    std::shared_ptr<EVP_PKEY> key_;
    Curve curve_;
};

// ECDSA with SHA-256; the signature is r||s, each left-padded to 32 bytes (SGP.22 §2.6.5, BSI TR-03111).
Bytes sign(const PrivateKey& key, ByteView message);
// False for a wrong signature, including one that is not 64 bytes long.
bool verify(const PublicKey& key, ByteView message, ByteView rs);
// r||s (64 bytes) <-> DER ECDSA-Sig-Value. Strict: wrong length, non-DER or out-of-range values -> MalformedData.
Bytes rs_to_der(ByteView rs);
Bytes der_to_rs(ByteView der);

// ECKA-ECDH (BSI TR-03111 §4.3.1): the shared secret Z, the x-coordinate of d*Q (32 bytes). The curves must match
// and the peer point must be valid, else CryptoError.
Bytes ecdh(const PrivateKey& own, const PublicKey& peer);

// ANSI X9.63 KDF with SHA-256 (BSI TR-03111 §4.3.3): SHA-256(Z || counter || shared_info) for a 32-bit big-endian
// counter from 1, concatenated and truncated to out_len.
Bytes kdf_x963(ByteView z, ByteView shared_info, std::size_t out_len);

// AES-128 (16-byte keys, else InvalidArgument). CBC without padding: data must be a multiple of 16 bytes.
Bytes aes_cbc_encrypt(ByteView key, ByteView iv, ByteView data);
Bytes aes_cbc_decrypt(ByteView key, ByteView iv, ByteView data);
Bytes aes_ecb_encrypt_block(ByteView key, ByteView block);
// AES-CMAC (NIST SP 800-38B, RFC 4493): 16 bytes.
Bytes aes_cmac(ByteView key, ByteView data);

// SGP.22 §3.1.3.1: hashCc = SHA-256(SHA-256(confirmationCode) || transactionId).
Bytes hash_cc(std::string_view confirmation_code, ByteView transaction_id);

}  // namespace lpad::crypto
