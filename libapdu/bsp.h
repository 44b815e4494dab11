// SPDX-License-Identifier: Apache-2.0
// Bound Profile Package protection: SGP.22 §2.6.4 / §5.5 BSP (SCP03t).
//
// Both ends of ES8+: SegmentProtector is the SM-DP+ side (the test SM-DP+), SegmentVerifier the eUICC side (the
// virtual eUICC). They are deliberately written as two code paths so that each checks the other.
//
//   segment   = tag || L || C || MAC           tag 86/87: C = AES-CBC(S-ENC, IV, data || 80 00..) ; tag 88: C = data
//   IV        = AES-ECB(S-ENC, counter as a 16-byte big-endian block), counter = 1, 2, ... per key set,
//               incremented by every segment (MAC-only ones too)
//   full MAC  = AES-CMAC(S-MAC, MCV || tag || L || C), L = length of C plus the 8-byte MAC (BER length octets)
//   MAC       = the first 8 bytes of the full MAC; MCV := the full MAC (16 bytes) for the next segment
#pragma once

#include <cstdint>

#include "libapdu/bytes.h"

namespace lpad::bsp {

struct SessionKeys {
    Bytes s_enc;        // 16 bytes (S-ENC, or PPK-ENC after ReplaceSessionKeys)
    Bytes s_mac;        // 16 bytes (S-MAC, or PPK-MAC)
    Bytes initial_mcv;  // 16 bytes: the initial MAC chaining value
};

// SGP.22 §3.1.3 / BSI TR-03111 key derivation: sharedInfo = keyType || keyLength || len(hostId) || hostId ||
// len(EID) || EID, X9.63 KDF (SHA-256) over Z → 48 bytes: [0:16] initial MCV, [16:32] S-ENC, [32:48] S-MAC.
// SGP.22 uses keyType 0x88 (AES) and keyLength 16. host_id and eid must be shorter than 128 bytes.
SessionKeys derive_session_keys(ByteView z, std::uint8_t key_type, std::uint8_t key_len, ByteView host_id,
                                ByteView eid);

// The segment tags of a BoundProfilePackage (rsp.asn: firstSequenceOf87 / sequenceOf88 / secondSequenceOf87 /
// sequenceOf86).
constexpr std::uint8_t kTagProfileElement = 0x86;   // sequenceOf86: encrypted + MAC
constexpr std::uint8_t kTagEncrypted = 0x87;        // ConfigureISDP, ReplaceSessionKeys: encrypted + MAC
constexpr std::uint8_t kTagMacOnly = 0x88;          // StoreMetadata: MAC only

// SM-DP+ side.
class SegmentProtector {
public:
    explicit SegmentProtector(SessionKeys keys);
    // The complete TLV for one segment. `encrypt` must match the tag (86/87 encrypted, 88 MAC only), else
    // InvalidArgument.
    Bytes protect(std::uint8_t tag, ByteView plaintext, bool encrypt);
    // ReplaceSessionKeys: continue with PPK-ENC / PPK-MAC / their initial MCV; the counter restarts at 1.
    void replace_keys(SessionKeys keys);
    // The counter the next segment will use.
    std::uint64_t counter() const { return counter_; }

private:
    SessionKeys keys_;
    Bytes mcv_;
    std::uint64_t counter_ = 1;
};

// eUICC side.
class SegmentVerifier {
public:
    explicit SegmentVerifier(SessionKeys keys);
    // Checks the MAC (constant time) before anything else, then decrypts and strips the padding. Returns the
    // plaintext (for 88: the data). A wrong tag for `expect_encrypted`, bad lengths → MalformedData; a wrong MAC
    // or bad padding → CryptoError. A failed segment leaves the state (MCV, counter) unchanged.
    Bytes unprotect(ByteView tlv, bool expect_encrypted);
    void replace_keys(SessionKeys keys);
    std::uint64_t counter() const { return counter_; }

private:
    SessionKeys keys_;
    Bytes mcv_;
    std::uint64_t counter_ = 1;
};

}  // namespace lpad::bsp
