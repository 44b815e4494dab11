// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "libapdu/crypto.h"
#include "libapdu/error.h"
#include "libapdu/tlv.h"
#include "libfile/file.h"
#include "unit/test_support.h"

using namespace lpad;
using namespace lpad::test;
using namespace lpad::crypto;

namespace {

const std::filesystem::path kSgp26 = std::filesystem::path(LPAD_TEST_DATA) / "sgp26";

Bytes read_bytes(const std::filesystem::path& p) { return file::read(p.string()); }
std::string read_text(const std::filesystem::path& p) { return to_string(read_bytes(p)); }

}  // namespace

TEST_CASE("crypto: SHA-256 known answers (FIPS 180-2 examples)") {
    struct Case {
        const char* message;
        const char* digest;
    };
    const Case cases[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.message);
        CHECK(to_hex(sha256(as_bytes(c.message))) == c.digest);
    }
}

TEST_CASE("crypto: random_bytes gives the requested length and differs between calls") {
    CHECK(random_bytes(0).empty());
    Bytes a = random_bytes(32), b = random_bytes(32);
    CHECK(a.size() == 32);
    CHECK_FALSE(equal(a, b));
}

TEST_CASE("crypto: AES-CMAC known answers (RFC 4493 §4)") {
    const Bytes key = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
    const std::string msg =
        "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52ef"
        "f69f2445df4f9b17ad2b417be66c3710";
    struct Case {
        std::size_t length;
        const char* mac;
    };
    const Case cases[] = {
        {0, "bb1d6929e95937287fa37d129b756746"},
        {16, "070a16b46b4d4144f79bdd9dd04a287c"},
        {40, "dfa66747de9ae63030ca32611497c827"},
        {64, "51f0bebf7e3b9d92fc49741779363cfe"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.length);
        CHECK(to_hex(aes_cmac(key, from_hex(msg.substr(0, 2 * c.length)))) == c.mac);
    }
    CHECK(code_of([&] { aes_cmac(Bytes(15), {}); }) == Errc::InvalidArgument);
}

TEST_CASE("crypto: AES-128 CBC and ECB known answers (NIST SP 800-38A F.1.1, F.2.1, F.2.2)") {
    const Bytes key = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
    const Bytes iv = from_hex("000102030405060708090a0b0c0d0e0f");
    const Bytes plain = from_hex(
        "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52ef"
        "f69f2445df4f9b17ad2b417be66c3710");
    const Bytes cipher = from_hex(
        "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e22229516"
        "3ff1caa1681fac09120eca307586e1a7");
    CHECK(aes_cbc_encrypt(key, iv, plain) == cipher);
    CHECK(aes_cbc_decrypt(key, iv, cipher) == plain);
    CHECK(aes_cbc_encrypt(key, iv, {}).empty());
    CHECK(to_hex(aes_ecb_encrypt_block(key, ByteView(plain).first(16))) == "3ad77bb40d7a3660a89ecaf32466ef97");

    CHECK(code_of([&] { aes_cbc_encrypt(key, iv, ByteView(plain).first(17)); }) == Errc::InvalidArgument);
    CHECK(code_of([&] { aes_cbc_decrypt(key, iv, ByteView(plain).first(15)); }) == Errc::InvalidArgument);
    CHECK(code_of([&] { aes_cbc_encrypt(ByteView(key).first(8), iv, plain); }) == Errc::InvalidArgument);
    CHECK(code_of([&] { aes_cbc_encrypt(key, ByteView(iv).first(8), plain); }) == Errc::InvalidArgument);
}

TEST_CASE("crypto: X9.63 KDF with SHA-256 (NIST CAVS ansx963_2001 vectors)") {
    // Also reproducible with: openssl kdf -keylen N -kdfopt digest:SHA256 -kdfopt hexsecret:Z -kdfopt hexinfo:I X963KDF
    struct Case {
        const char* z;
        const char* info;
        const char* key_data;
    };
    const Case cases[] = {
        {"96c05619d56c328ab95fe84b18264b08725b85e33fd34f08", "", "443024c3dae66b95e6f5670601558f71"},
        {"22518b10e70f2a3f243810ae3254139efbee04aa57c7af7d", "75eef81aa3041e33b80971203d2c0c52",
         "c498af77161cc59f2962b9a713e2b215152d139766ce34a776df11866a69bf2e52a13d9c7c6fc878c50c5ea0bc7b00e0"
         "da2447cfd874f6cf92f30d0097111485500c90c3af8b487872d04685d14c8d1dc8d7fa08beb0ce0ababc11f0bd496269"
         "142d43525a78e5bc79a17f59676a5706dc54d54d4d1f0bd7e386128ec26afc21"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.z);
        std::string expected = c.key_data;
        CHECK(to_hex(kdf_x963(from_hex(c.z), from_hex(c.info), expected.size() / 2)) == expected);
    }
}

TEST_CASE("crypto: hashCc = SHA-256(SHA-256(code) || transactionId)") {
    const Bytes tid = from_hex("0123456789abcdef0123456789abcdef");
    Bytes expected = sha256(concat(from_hex("8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92"), tid));
    CHECK(equal(sha256(as_bytes("123456")), from_hex("8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92")));
    CHECK(hash_cc("123456", tid) == expected);
    CHECK(hash_cc("123457", tid) != expected);
}

TEST_CASE("crypto: SGP.26 keys load from PEM (SEC1 with EC PARAMETERS, SPKI) and match") {
    for (const char* curve : {"NIST", "BRP"}) {
        CAPTURE(curve);
        auto sk = file::private_key((kSgp26 / "DPauth" / (std::string("SK_S_SM_DPauth_ECDSA_") + curve + ".pem")).string());
        auto pk = PublicKey::from_pem(read_text(kSgp26 / "DPauth" / (std::string("PK_S_SM_DPauth_ECDSA_") + curve + ".pem")));
        Curve expected = std::string(curve) == "NIST" ? Curve::NistP256 : Curve::BrainpoolP256r1;
        CHECK(sk.curve() == expected);
        CHECK(pk.curve() == expected);
        CHECK(sk.public_point() == pk.point());
        CHECK(pk.point().size() == 65);
        // PKCS#8 export round-trips, and SPKI DER round-trips.
        CHECK(PrivateKey::from_der(sk.to_der()).public_point() == pk.point());
        CHECK(PrivateKey::from_pem(sk.to_pem()).public_point() == pk.point());
        CHECK(PublicKey::from_der(pk.to_der()).point() == pk.point());
    }
    CHECK(code_of([] { PrivateKey::from_pem("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"); }) ==
          Errc::MalformedData);
    CHECK(code_of([] { PrivateKey::from_der(from_hex("3003020101")); }) == Errc::MalformedData);
    CHECK(code_of([] { PublicKey::from_der(from_hex("300100")); }) == Errc::MalformedData);
}

TEST_CASE("crypto: public points import strictly") {
    for (Curve c : {Curve::NistP256, Curve::BrainpoolP256r1}) {
        PrivateKey k = PrivateKey::generate(c);
        Bytes pt = k.public_point();
        REQUIRE(pt.size() == 65);
        CHECK(pt[0] == 0x04);
        CHECK(PublicKey::from_point(c, pt).point() == pt);

        Bytes off_curve = pt;
        off_curve[64] ^= 0x01;
        CHECK(code_of([&] { PublicKey::from_point(c, off_curve); }) == Errc::MalformedData);
        CHECK(code_of([&] { PublicKey::from_point(c, ByteView(pt).first(64)); }) == Errc::MalformedData);
        Bytes compressed(pt.begin(), pt.begin() + 33);
        compressed[0] = 0x02 | (pt[64] & 1);
        CHECK(code_of([&] { PublicKey::from_point(c, compressed); }) == Errc::MalformedData);
    }
    // A P-256 point is (almost surely) not on brainpoolP256r1.
    Bytes p256 = PrivateKey::generate(Curve::NistP256).public_point();
    CHECK(code_of([&] { PublicKey::from_point(Curve::BrainpoolP256r1, p256); }) == Errc::MalformedData);
}

TEST_CASE("crypto: ECDSA sign -> verify on both curves, r||s format") {
    const Bytes msg = from_hex("bf2e1180105a0a89");
    for (Curve c : {Curve::NistP256, Curve::BrainpoolP256r1}) {
        PrivateKey k = PrivateKey::generate(c);
        Bytes sig = sign(k, msg);
        CHECK(sig.size() == 64);
        CHECK(verify(k.public_key(), msg, sig));
        CHECK(der_to_rs(rs_to_der(sig)) == sig);

        Bytes other_msg = msg;
        other_msg[0] ^= 1;
        CHECK_FALSE(verify(k.public_key(), other_msg, sig));
        Bytes bad = sig;
        bad[10] ^= 0x40;
        CHECK_FALSE(verify(k.public_key(), msg, bad));
        CHECK_FALSE(verify(PrivateKey::generate(c).public_key(), msg, sig));
        CHECK_FALSE(verify(k.public_key(), msg, ByteView(sig).first(63)));
    }
}

TEST_CASE("crypto: ECDSA verifies signatures made by the openssl CLI with the SGP.26 DPauth keys") {
    // printf 'lpad fixed ECDSA vector' | openssl dgst -sha256 -sign SK_S_SM_DPauth_ECDSA_<curve>.pem
    struct Case {
        const char* curve;
        const char* der;
    };
    const Case cases[] = {
        {"NIST",
         "30450220197a14a6e1b44d53befec5cd3cbd6fb96b09d733e991a65a22e1b39101acdc1e022100fac5e570b1d8e1d79496b0cb"
         "6947ea35459759a9cea4d70739591bd58d287d6b"},
        {"BRP",
         "3045022100a289d1a4e6423e14a4050d4c93f906dfaab879f4f318b7fbedc7e8eb90edda86022018ece041dbd31f675fa11580"
         "d5ac9a6651e1e9c4af3f391ae9d3e9a8bf748e1b"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.curve);
        auto pk = PublicKey::from_pem(read_text(kSgp26 / "DPauth" / (std::string("PK_S_SM_DPauth_ECDSA_") + c.curve + ".pem")));
        Bytes rs = der_to_rs(from_hex(c.der));
        REQUIRE(rs.size() == 64);
        CHECK(rs_to_der(rs) == from_hex(c.der));
        CHECK(verify(pk, as_bytes("lpad fixed ECDSA vector"), rs));
        CHECK_FALSE(verify(pk, as_bytes("lpad fixed ECDSA vectoR"), rs));
    }
}

TEST_CASE("crypto: ECDSA verifies the GSMA CI signature on the SGP.26 DPauth certificates") {
    for (const char* curve : {"NIST", "BRP"}) {
        CAPTURE(curve);
        Bytes cert = read_bytes(kSgp26 / "DPauth" / (std::string("CERT_S_SM_DPauth_ECDSA_") + curve + ".der"));
        Bytes ci = read_bytes(kSgp26 / "CertificateIssuer" / (std::string("CERT_CI_ECDSA_") + curve + ".der"));
        // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
        auto parts = tlv::parse_one(cert).children();
        REQUIRE(parts.size() == 3);
        Bytes tbs(parts[0].raw.begin(), parts[0].raw.end());
        Bytes sig_der(parts[2].value.begin() + 1, parts[2].value.end());  // skip the unused-bits octet
        // The CI public key: tbsCertificate field 7 (after [0] version) is subjectPublicKeyInfo.
        auto ci_tbs = tlv::parse_one(ci).children()[0].children();
        PublicKey ci_key = PublicKey::from_der(ci_tbs[6].raw);
        Bytes rs = der_to_rs(sig_der);
        CHECK(verify(ci_key, tbs, rs));
        tbs[tbs.size() / 2] ^= 1;
        CHECK_FALSE(verify(ci_key, tbs, rs));
    }
}

TEST_CASE("crypto: rs/DER converters are strict") {
    CHECK(code_of([] { rs_to_der(Bytes(63, 1)); }) == Errc::MalformedData);
    CHECK(code_of([] { rs_to_der(Bytes(65, 1)); }) == Errc::MalformedData);
    CHECK(code_of([] { der_to_rs(from_hex("3006020101020101ff")); }) == Errc::MalformedData);   // trailing byte
    CHECK(code_of([] { der_to_rs(from_hex("300702020001020101")); }) == Errc::MalformedData);   // non-minimal r
    CHECK(code_of([] { der_to_rs(from_hex("30820006020101020101")); }) == Errc::MalformedData); // long-form length
    // r of 33 significant bytes does not fit a 256-bit curve.
    CHECK(code_of([] { der_to_rs(from_hex("3026022101" + std::string(64, '1') + "020101")); }) == Errc::MalformedData);
    // Small values are left-padded to 32 bytes each.
    CHECK(to_hex(der_to_rs(from_hex("3006020101020102"))) ==
          std::string(62, '0') + "01" + std::string(62, '0') + "02");
    CHECK(to_hex(rs_to_der(from_hex(std::string(62, '0') + "01" + std::string(62, '0') + "02"))) == "3006020101020102");
}

TEST_CASE("crypto: ECDH agrees in both directions and matches the openssl CLI") {
    for (Curve c : {Curve::NistP256, Curve::BrainpoolP256r1}) {
        PrivateKey a = PrivateKey::generate(c), b = PrivateKey::generate(c);
        Bytes z1 = ecdh(a, b.public_key()), z2 = ecdh(b, a.public_key());
        CHECK(z1.size() == 32);
        CHECK(z1 == z2);
        CHECK(ecdh(a, PrivateKey::generate(c).public_key()) != z1);
    }
    // openssl pkeyutl -derive -inkey DPauth/SK_..._<curve>.pem -peerkey DPpb/PK_..._<curve>.pem
    struct Case {
        const char* curve;
        const char* z;
    };
    const Case cases[] = {
        {"NIST", "4dc7dc4f02c94fb52483c740028972958488b70afc74e18542312ed9b06d8397"},
        {"BRP", "2ced4b9c33bde6788e21a847ebf5478c259c6d47a4c36fbe0fdefeeec73dc3f7"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.curve);
        auto sk_auth = file::private_key((kSgp26 / "DPauth" / (std::string("SK_S_SM_DPauth_ECDSA_") + c.curve + ".pem")).string());
        auto sk_pb = file::private_key((kSgp26 / "DPpb" / (std::string("SK_S_SM_DPpb_ECDSA_") + c.curve + ".pem")).string());
        auto pk_pb = PublicKey::from_pem(read_text(kSgp26 / "DPpb" / (std::string("PK_S_SM_DPpb_ECDSA_") + c.curve + ".pem")));
        CHECK(to_hex(ecdh(sk_auth, pk_pb)) == c.z);
        CHECK(to_hex(ecdh(sk_pb, sk_auth.public_key())) == c.z);
    }
    PrivateKey nist = PrivateKey::generate(Curve::NistP256);
    PrivateKey brp = PrivateKey::generate(Curve::BrainpoolP256r1);
    CHECK(code_of([&] { ecdh(nist, brp.public_key()); }) == Errc::CryptoError);
}
