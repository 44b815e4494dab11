// SPDX-License-Identifier: Apache-2.0
#include "libapdu/crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <climits>

namespace lpad::crypto {

void OsslFree::operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
void OsslFree::operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
void OsslFree::operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
void OsslFree::operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
void OsslFree::operator()(EVP_MAC* p) const { EVP_MAC_free(p); }
void OsslFree::operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
void OsslFree::operator()(BIO* p) const { BIO_free(p); }
void OsslFree::operator()(BIGNUM* p) const { BN_free(p); }
void OsslFree::operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
void OsslFree::operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
void OsslFree::operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
void OsslFree::operator()(X509* p) const { X509_free(p); }
void OsslFree::operator()(X509_STORE* p) const { X509_STORE_free(p); }
void OsslFree::operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
void OsslFree::operator()(OSSL_ENCODER_CTX* p) const { OSSL_ENCODER_CTX_free(p); }

std::string openssl_errors() {
    std::string out;
    char buf[256];
    while (unsigned long e = ERR_get_error()) {
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out;
}

void fail_openssl(Errc code, const std::string& what) {
    std::string detail = openssl_errors();
    fail(code, detail.empty() ? what : what + ": " + detail);
}

BioPtr memory_bio(ByteView data) {
    if (data.size() > static_cast<std::size_t>(INT_MAX)) fail(Errc::InvalidArgument, "buffer too large for a BIO");
    BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    if (!bio) fail_openssl(Errc::Internal, "BIO_new_mem_buf");
    return bio;
}

Bytes sha256(ByteView data) {
    Bytes out(32);
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != 32)
        fail_openssl(Errc::Internal, "SHA-256");
    return out;
}

Bytes random_bytes(std::size_t n) {
    Bytes out(n);
    if (n > static_cast<std::size_t>(INT_MAX)) fail(Errc::InvalidArgument, "random_bytes: too many bytes");
    if (n && RAND_bytes(out.data(), static_cast<int>(n)) != 1) fail_openssl(Errc::Internal, "RAND_bytes");
    return out;
}

std::string_view curve_name(Curve curve) {
    return curve == Curve::NistP256 ? "prime256v1" : "brainpoolP256r1";
}

namespace {

constexpr std::size_t kCoordSize = 32;
constexpr std::size_t kPointSize = 1 + 2 * kCoordSize;

// The curve of an EC key, or MalformedData for other key types and curves.
Curve curve_of(EVP_PKEY* key) {
    if (!EVP_PKEY_is_a(key, "EC")) fail(Errc::MalformedData, "not an EC key");
    char name[80] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(key, name, sizeof name, &len) != 1)
        fail_openssl(Errc::MalformedData, "EC key without a named curve");
    int nid = OBJ_sn2nid(name);
    if (nid == NID_undef) nid = EC_curve_nist2nid(name);
    if (nid == NID_X9_62_prime256v1) return Curve::NistP256;
    if (nid == NID_brainpoolP256r1) return Curve::BrainpoolP256r1;
    fail(Errc::MalformedData, std::string("unsupported EC curve ") + name);
}

void append_coordinate(Bytes& out, EVP_PKEY* key, const char* param) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(key, param, &raw) != 1) fail_openssl(Errc::Internal, "EC public key coordinate");
    BignumPtr bn(raw);
    std::size_t at = out.size();
    out.resize(at + kCoordSize);
    if (BN_bn2binpad(bn.get(), out.data() + at, kCoordSize) != static_cast<int>(kCoordSize))
        fail_openssl(Errc::Internal, "EC coordinate too large");
}

// Serialises a key with an OSSL_ENCODER ("DER"/"PEM", structure e.g. "PrivateKeyInfo").
Bytes encode_key(EVP_PKEY* key, int selection, const char* format, const char* structure) {
    std::unique_ptr<OSSL_ENCODER_CTX, OsslFree> ctx(
        OSSL_ENCODER_CTX_new_for_pkey(key, selection, format, structure, nullptr));
    unsigned char* data = nullptr;
    std::size_t len = 0;
    if (!ctx || OSSL_ENCODER_to_data(ctx.get(), &data, &len) != 1) fail_openssl(Errc::Internal, "encoding key");
    Bytes out(data, data + len);
    OPENSSL_free(data);
    return out;
}

// Never prompt for a PEM pass phrase: encrypted keys are refused.
int no_password(char*, int, int, void*) { return -1; }

}  // namespace

// --- PublicKey ---

PublicKey PublicKey::adopt(PkeyPtr key) {
    if (!key) fail(Errc::InvalidArgument, "null public key");
    Curve c = curve_of(key.get());
    return PublicKey(std::shared_ptr<EVP_PKEY>(key.release(), OsslFree{}), c);
}

PublicKey PublicKey::from_der(ByteView spki) {
    const unsigned char* p = spki.data();
    PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
    if (!key) fail_openssl(Errc::MalformedData, "SubjectPublicKeyInfo does not parse");
    if (p != spki.data() + spki.size()) fail(Errc::MalformedData, "trailing bytes after SubjectPublicKeyInfo");
    return adopt(std::move(key));
}

PublicKey PublicKey::from_pem(std::string_view pem) {
    BioPtr bio = memory_bio(as_bytes(pem));
    PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_password, nullptr));
    if (!key) fail_openssl(Errc::MalformedData, "PEM public key does not parse");
    return adopt(std::move(key));
}

PublicKey PublicKey::from_point(Curve curve, ByteView point) {
    if (point.size() != kPointSize || point[0] != 0x04)
        fail(Errc::MalformedData, "EC public key must be an uncompressed point of 65 bytes, got " +
                                      std::to_string(point.size()));
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    std::string group(curve_name(curve));
    if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group.c_str(), 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
        fail_openssl(Errc::Internal, "building EC key parameters");
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1)
        fail_openssl(Errc::Internal, "EVP_PKEY_fromdata_init");
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        fail_openssl(Errc::MalformedData, "EC point is not on " + group);
    PkeyPtr key(raw);
    PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1)
        fail_openssl(Errc::MalformedData, "EC point is not a valid public key on " + group);
    return adopt(std::move(key));
}

Bytes PublicKey::point() const {
    Bytes out{0x04};
    append_coordinate(out, key_.get(), OSSL_PKEY_PARAM_EC_PUB_X);
    append_coordinate(out, key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y);
    return out;
}

Bytes PublicKey::to_der() const {
    int len = i2d_PUBKEY(key_.get(), nullptr);
    if (len <= 0) fail_openssl(Errc::Internal, "i2d_PUBKEY");
    Bytes out(static_cast<std::size_t>(len));
    unsigned char* p = out.data();
    i2d_PUBKEY(key_.get(), &p);
    return out;
}

// --- PrivateKey ---

PrivateKey PrivateKey::adopt(PkeyPtr key) {
    Curve c = curve_of(key.get());
    return PrivateKey(std::shared_ptr<EVP_PKEY>(key.release(), OsslFree{}), c);
}

PrivateKey PrivateKey::generate(Curve curve) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    std::string group(curve_name(curve));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_group_name(ctx.get(), group.c_str()) != 1 || EVP_PKEY_generate(ctx.get(), &raw) != 1)
        fail_openssl(Errc::Internal, "generating an EC key on " + group);
    return adopt(PkeyPtr(raw));
}

PrivateKey PrivateKey::from_der(ByteView der) {
    const unsigned char* p = der.data();
    PkeyPtr key(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
    if (!key) fail_openssl(Errc::MalformedData, "private key DER does not parse");
    if (p != der.data() + der.size()) fail(Errc::MalformedData, "trailing bytes after private key");
    return adopt(std::move(key));
}

PrivateKey PrivateKey::from_pem(std::string_view pem) {
    BioPtr bio = memory_bio(as_bytes(pem));
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
    if (!key) fail_openssl(Errc::MalformedData, "PEM private key does not parse");
    return adopt(std::move(key));
}

PrivateKey PrivateKey::from_pem_or_der(ByteView data) {
    std::string text = to_string(data);
    if (text.find("-----BEGIN") != std::string::npos) return from_pem(text);
    return from_der(data);
}

PublicKey PrivateKey::public_key() const {
    Bytes point{0x04};
    append_coordinate(point, key_.get(), OSSL_PKEY_PARAM_EC_PUB_X);
    append_coordinate(point, key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y);
    return PublicKey::from_point(curve_, point);
}

Bytes PrivateKey::to_der() const { return encode_key(key_.get(), EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo"); }

std::string PrivateKey::to_pem() const {
    return to_string(encode_key(key_.get(), EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo"));
}

// --- ECDSA ---

Bytes rs_to_der(ByteView rs) {
    if (rs.size() != 2 * kCoordSize)
        fail(Errc::MalformedData, "ECDSA signature r||s must be 64 bytes, got " + std::to_string(rs.size()));
    BignumPtr r(BN_bin2bn(rs.data(), kCoordSize, nullptr));
    BignumPtr s(BN_bin2bn(rs.data() + kCoordSize, kCoordSize, nullptr));
    EcdsaSigPtr sig(ECDSA_SIG_new());
    if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
        fail_openssl(Errc::Internal, "building ECDSA_SIG");
    r.release();  // now owned by sig
    s.release();
    int len = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (len <= 0) fail_openssl(Errc::Internal, "i2d_ECDSA_SIG");
    Bytes out(static_cast<std::size_t>(len));
    unsigned char* p = out.data();
    i2d_ECDSA_SIG(sig.get(), &p);
    return out;
}

Bytes der_to_rs(ByteView der) {
    const unsigned char* p = der.data();
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig) fail_openssl(Errc::MalformedData, "ECDSA signature DER does not parse");
    if (p != der.data() + der.size()) fail(Errc::MalformedData, "trailing bytes after ECDSA signature");
    // Strict DER: re-encoding must give the same bytes (rejects non-minimal integers and long-form lengths).
    int len = i2d_ECDSA_SIG(sig.get(), nullptr);
    Bytes again(static_cast<std::size_t>(len > 0 ? len : 0));
    unsigned char* q = again.data();
    if (len <= 0 || i2d_ECDSA_SIG(sig.get(), &q) != len || !equal(again, der))
        fail(Errc::MalformedData, "ECDSA signature is not DER");
    Bytes out(2 * kCoordSize);
    const BIGNUM* parts[2] = {ECDSA_SIG_get0_r(sig.get()), ECDSA_SIG_get0_s(sig.get())};
    for (int i = 0; i < 2; ++i) {
        if (BN_is_negative(parts[i]) ||
            BN_bn2binpad(parts[i], out.data() + i * kCoordSize, kCoordSize) != static_cast<int>(kCoordSize))
            fail(Errc::MalformedData, "ECDSA signature value out of range for a 256-bit curve");
    }
    return out;
}

Bytes sign(const PrivateKey& key, ByteView message) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.native()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1)
        fail_openssl(Errc::CryptoError, "ECDSA sign");
    Bytes der(len);
    if (EVP_DigestSign(ctx.get(), der.data(), &len, message.data(), message.size()) != 1)
        fail_openssl(Errc::CryptoError, "ECDSA sign");
    der.resize(len);
    return der_to_rs(der);
}

bool verify(const PublicKey& key, ByteView message, ByteView rs) {
    if (rs.size() != 2 * kCoordSize) return false;
    Bytes der = rs_to_der(rs);
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.native()) != 1)
        fail_openssl(Errc::Internal, "EVP_DigestVerifyInit");
    int rc = EVP_DigestVerify(ctx.get(), der.data(), der.size(), message.data(), message.size());
    ERR_clear_error();  // a bad signature leaves entries in the queue
    return rc == 1;
}

// --- ECKA ---

Bytes ecdh(const PrivateKey& own, const PublicKey& peer) {
    if (own.curve() != peer.curve())
        fail(Errc::CryptoError, "ECDH: keys on different curves (" + std::string(curve_name(own.curve())) + ", " +
                                    std::string(curve_name(peer.curve())) + ")");
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own.native(), nullptr));
    std::size_t len = 0;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.native(), 1) != 1 ||
        EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1)
        fail_openssl(Errc::CryptoError, "ECDH key agreement");
    Bytes z(len);
    if (EVP_PKEY_derive(ctx.get(), z.data(), &len) != 1) fail_openssl(Errc::CryptoError, "ECDH key agreement");
    z.resize(len);
    if (z.size() != kCoordSize) fail(Errc::CryptoError, "ECDH: unexpected shared secret size");
    return z;
}

Bytes kdf_x963(ByteView z, ByteView shared_info, std::size_t out_len) {
    Bytes out;
    out.reserve(out_len + 32);
    for (std::uint32_t counter = 1; out.size() < out_len; ++counter) {
        const std::uint8_t ctr[4] = {static_cast<std::uint8_t>(counter >> 24), static_cast<std::uint8_t>(counter >> 16),
                                     static_cast<std::uint8_t>(counter >> 8), static_cast<std::uint8_t>(counter)};
        append(out, sha256(concat(z, ByteView(ctr), shared_info)));
    }
    out.resize(out_len);
    return out;
}

// --- AES-128 ---

namespace {

void check_aes_key(ByteView key) {
    if (key.size() != 16) fail(Errc::InvalidArgument, "AES-128 key must be 16 bytes, got " + std::to_string(key.size()));
}

Bytes aes_run(const EVP_CIPHER* cipher, ByteView key, ByteView iv, ByteView data, bool encrypt) {
    check_aes_key(key);
    if (data.size() % 16 != 0)
        fail(Errc::InvalidArgument, "AES input must be a multiple of 16 bytes, got " + std::to_string(data.size()));
    if (data.size() > static_cast<std::size_t>(INT_MAX - 16)) fail(Errc::InvalidArgument, "AES input too large");
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), iv.empty() ? nullptr : iv.data(), encrypt ? 1 : 0,
                                   nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1)
        fail_openssl(Errc::Internal, "AES init");
    Bytes out(data.size() + 16);
    int len = 0, fin = 0;
    if (EVP_CipherUpdate(ctx.get(), out.data(), &len, data.data(), static_cast<int>(data.size())) != 1 ||
        EVP_CipherFinal_ex(ctx.get(), out.data() + len, &fin) != 1)
        fail_openssl(Errc::Internal, "AES");
    out.resize(static_cast<std::size_t>(len + fin));
    return out;
}

void check_iv(ByteView iv) {
    if (iv.size() != 16) fail(Errc::InvalidArgument, "AES-CBC IV must be 16 bytes, got " + std::to_string(iv.size()));
}

}  // namespace

Bytes aes_cbc_encrypt(ByteView key, ByteView iv, ByteView data) {
    check_iv(iv);
    return aes_run(EVP_aes_128_cbc(), key, iv, data, true);
}

Bytes aes_cbc_decrypt(ByteView key, ByteView iv, ByteView data) {
    check_iv(iv);
    return aes_run(EVP_aes_128_cbc(), key, iv, data, false);
}

Bytes aes_ecb_encrypt_block(ByteView key, ByteView block) {
    if (block.size() != 16) fail(Errc::InvalidArgument, "AES block must be 16 bytes");
    return aes_run(EVP_aes_128_ecb(), key, {}, block, true);
}

Bytes aes_cmac(ByteView key, ByteView data) {
    check_aes_key(key);
    // Fetched once: EVP_MAC objects are reference counted and safe to share between threads.
    static const MacPtr mac(EVP_MAC_fetch(nullptr, "CMAC", nullptr));
    if (!mac) fail_openssl(Errc::Internal, "EVP_MAC_fetch(CMAC)");
    MacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
    char cipher[] = "AES-128-CBC";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher, 0),
                                 OSSL_PARAM_construct_end()};
    Bytes out(16);
    std::size_t len = 0;
    if (!ctx || EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1 ||
        EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1 ||
        EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != 16)
        fail_openssl(Errc::Internal, "AES-CMAC");
    return out;
}

Bytes hash_cc(std::string_view confirmation_code, ByteView transaction_id) {
    return sha256(concat(sha256(as_bytes(confirmation_code)), transaction_id));
}

}  // namespace lpad::crypto
