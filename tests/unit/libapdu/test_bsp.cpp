// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "libapdu/bsp.h"
#include "libapdu/crypto.h"
#include "libapdu/error.h"
#include "unit/test_support.h"

using namespace lpad;
using namespace lpad::test;
using namespace lpad::bsp;

namespace {

const Bytes kHostId = from_hex("8080808080808080");

SessionKeys kat2_keys() {
    return derive_session_keys(from_hex("c9a993dd4879a8f7161f2085410edd4f9652f1df37be097ba96ba2ca6be528fe"), 0x88, 16,
                               kHostId, from_hex("89049032123451234512345678901235"));
}

SessionKeys random_keys() { return {crypto::random_bytes(16), crypto::random_bytes(16), crypto::random_bytes(16)}; }

// An independent, minimal SCP03t segment builder from the primitives, with the padding and counter as parameters,
// to make segments the protector would never produce (bad padding, skipped counter).
Bytes reference_segment(const SessionKeys& k, ByteView mcv, std::uint8_t tag, ByteView padded, std::uint8_t counter) {
    Bytes block(16, 0);
    block[15] = counter;
    Bytes c = crypto::aes_cbc_encrypt(k.s_enc, crypto::aes_ecb_encrypt_block(k.s_enc, block), padded);
    Bytes header{tag, static_cast<std::uint8_t>(c.size() + 8)};
    Bytes mac = crypto::aes_cmac(k.s_mac, concat(mcv, header, c));
    return concat(header, c, ByteView(mac).first(8));
}

}  // namespace

TEST_CASE("bsp: session key derivation known answers (RSP-NOTES)") {
    struct Case {
        const char* z;
        const char* eid;
        const char* s_enc;
        const char* s_mac;
        const char* mcv;
    };
    const Case cases[] = {
        {"8902dca391bbb22570fe60c176076246f568b1941265dff1d729e63039658089", "89049032123451234512345678901335",
         "d782d575b22a38334556a3d9a1e2ae6b", "a35addc192ae8f934e2932116c7e89e7", "734bc93ddb10c71c5ad13d420dc08b5b"},
        {"c9a993dd4879a8f7161f2085410edd4f9652f1df37be097ba96ba2ca6be528fe", "89049032123451234512345678901235",
         "472f5bfadd97f21d34f3ce9b51b92751", "9ec07f5b36a13e12a991d66e294e6242", "406d507b448a699e7a36a38494debbde"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.eid);
        SessionKeys k = derive_session_keys(from_hex(c.z), 0x88, 16, kHostId, from_hex(c.eid));
        CHECK(to_hex(k.s_enc) == c.s_enc);
        CHECK(to_hex(k.s_mac) == c.s_mac);
        CHECK(to_hex(k.initial_mcv) == c.mcv);
    }
    CHECK(code_of([] { derive_session_keys(Bytes(32), 0x88, 16, Bytes(128), Bytes(16)); }) == Errc::InvalidArgument);
}

TEST_CASE("bsp: first 87 segment protecting ConfigureISDP bf2400 (RSP-NOTES KAT)") {
    const Bytes expected = from_hex("8718f6fe031e4b9cfe87c8e1e62f3fde85c49412d7722a6a2d89");
    SegmentProtector protector(kat2_keys());
    CHECK(protector.counter() == 1);
    CHECK(protector.protect(kTagEncrypted, from_hex("bf2400"), true) == expected);
    CHECK(protector.counter() == 2);

    SegmentVerifier verifier(kat2_keys());
    CHECK(to_hex(verifier.unprotect(expected, true)) == "bf2400");
    CHECK(verifier.counter() == 2);
    // The same segment again: the chaining value moved on.
    CHECK(code_of([&] { verifier.unprotect(expected, true); }) == Errc::CryptoError);
}

TEST_CASE("bsp: protect -> unprotect round trips") {
    const std::size_t sizes[] = {0, 1, 15, 16, 17, 1000};
    for (std::uint8_t tag : {kTagProfileElement, kTagEncrypted, kTagMacOnly}) {
        bool enc = tag != kTagMacOnly;
        SessionKeys keys = random_keys();
        SegmentProtector protector(keys);
        SegmentVerifier verifier(keys);
        for (std::size_t n : sizes) {
            CAPTURE(int(tag));
            CAPTURE(n);
            Bytes plain = crypto::random_bytes(n);
            Bytes seg = protector.protect(tag, plain, enc);
            CHECK(seg[0] == tag);
            // Encrypted: padded to the next whole block (16 bytes of padding when already aligned) + MAC.
            std::size_t body = enc ? (n / 16 + 1) * 16 : n;
            std::size_t header = body + 8 < 128 ? 2 : body + 8 < 256 ? 3 : 4;
            CHECK(seg.size() == header + body + 8);
            if (enc && n > 0) CHECK(seg.size() > n);
            CHECK(verifier.unprotect(seg, enc) == plain);
        }
        CHECK(protector.counter() == 7);
        CHECK(verifier.counter() == 7);
    }
}

TEST_CASE("bsp: counter advances on MAC-only segments too (checked against an independent builder)") {
    SessionKeys keys = random_keys();
    SegmentProtector protector(keys);
    Bytes s88 = protector.protect(kTagMacOnly, from_hex("bf25"), false);
    Bytes s86 = protector.protect(kTagProfileElement, from_hex("a00a"), true);

    // 88 segment: MAC over initial MCV; 86 segment: IV from counter 2, MAC chained from the 88's full MAC.
    Bytes mac88 = crypto::aes_cmac(keys.s_mac, concat(keys.initial_mcv, from_hex("880a"), from_hex("bf25")));
    CHECK(s88 == concat(from_hex("880abf25"), ByteView(mac88).first(8)));
    Bytes padded = from_hex("a00a8000000000000000000000000000");
    CHECK(s86 == reference_segment(keys, mac88, kTagProfileElement, padded, 2));
    CHECK(s86 != reference_segment(keys, mac88, kTagProfileElement, padded, 1));
}

TEST_CASE("bsp: tampering, order and padding errors") {
    SessionKeys keys = random_keys();
    SegmentProtector protector(keys);
    Bytes s1 = protector.protect(kTagEncrypted, from_hex("bf2400"), true);
    Bytes s2 = protector.protect(kTagEncrypted, Bytes(40, 0x5a), true);

    SUBCASE("tampered MAC") {
        SegmentVerifier v(keys);
        Bytes bad = s1;
        bad.back() ^= 0x01;
        CHECK(message_of([&] { v.unprotect(bad, true); }).find("MAC verification failed") != std::string::npos);
        CHECK(v.counter() == 1);
        CHECK(to_hex(v.unprotect(s1, true)) == "bf2400");  // state unchanged by the failure
    }
    SUBCASE("tampered ciphertext") {
        SegmentVerifier v(keys);
        Bytes bad = s1;
        bad[5] ^= 0x80;
        CHECK(code_of([&] { v.unprotect(bad, true); }) == Errc::CryptoError);
    }
    SUBCASE("tampered length") {
        SegmentVerifier v(keys);
        Bytes bad = s1;
        bad[1] += 1;
        CHECK(code_of([&] { v.unprotect(bad, true); }) == Errc::MalformedData);
    }
    SUBCASE("wrong order") {
        SegmentVerifier v(keys);
        CHECK(code_of([&] { v.unprotect(s2, true); }) == Errc::CryptoError);
    }
    SUBCASE("wrong segment kind") {
        SegmentVerifier v(keys);
        CHECK(code_of([&] { v.unprotect(s1, false); }) == Errc::MalformedData);
        CHECK(code_of([&] { v.unprotect(from_hex("8601"), true); }) == Errc::MalformedData);
    }
    SUBCASE("bad padding under a valid MAC") {
        struct Case {
            const char* why;
            const char* padded;
        };
        const Case cases[] = {
            {"no 80 marker", "bf240000000000000000000000000000"},
            {"marker not last non-zero", "bf2480000000000000000000000000ff"},
            {"a whole block of zeros", "bf248000000000000000000000000000" "00000000000000000000000000000000"},
        };
        for (const auto& c : cases) {
            CAPTURE(c.why);
            SegmentVerifier v(keys);
            Bytes seg = reference_segment(keys, keys.initial_mcv, kTagEncrypted, from_hex(c.padded), 1);
            CHECK(message_of([&] { v.unprotect(seg, true); }).find("bad padding") != std::string::npos);
        }
        // The same builder with correct padding is accepted (so the cases above fail for the padding only).
        SegmentVerifier v(keys);
        Bytes good = reference_segment(keys, keys.initial_mcv, kTagEncrypted,
                                       from_hex("bf240080000000000000000000000000"), 1);
        CHECK(good == s1);
        CHECK(to_hex(v.unprotect(good, true)) == "bf2400");
    }
    CHECK(code_of([&] { protector.protect(kTagMacOnly, Bytes(3), true); }) == Errc::InvalidArgument);
    CHECK(code_of([&] { protector.protect(0x89, Bytes(3), true); }) == Errc::InvalidArgument);
    CHECK(code_of([] { SegmentProtector p({Bytes(16), Bytes(15), Bytes(16)}); }) == Errc::InvalidArgument);
}

TEST_CASE("bsp: ReplaceSessionKeys switches both sides to the PPKs with a fresh counter") {
    SessionKeys session = random_keys(), ppk = random_keys();
    SegmentProtector protector(session);
    SegmentVerifier verifier(session);
    CHECK(verifier.unprotect(protector.protect(kTagEncrypted, from_hex("bf2400"), true), true) == from_hex("bf2400"));
    CHECK(verifier.unprotect(protector.protect(kTagMacOnly, from_hex("bf2500"), false), false) == from_hex("bf2500"));

    protector.replace_keys(ppk);
    CHECK(protector.counter() == 1);
    Bytes pe = protector.protect(kTagProfileElement, Bytes(300, 0x42), true);
    // Under the old keys the PPK segment fails; after replace_keys it verifies.
    CHECK(code_of([&] { verifier.unprotect(pe, true); }) == Errc::CryptoError);
    verifier.replace_keys(ppk);
    CHECK(verifier.unprotect(pe, true) == Bytes(300, 0x42));
    // And it is exactly what a fresh protector on the PPKs gives (counter 1, initial MCV of the PPKs).
    CHECK(SegmentProtector(ppk).protect(kTagProfileElement, Bytes(300, 0x42), true) == pe);
}
