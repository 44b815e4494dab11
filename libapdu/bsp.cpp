// SPDX-License-Identifier: Apache-2.0
#include "libapdu/bsp.h"

#include <openssl/crypto.h>

#include <string>

#include "libapdu/crypto.h"
#include "libapdu/error.h"
#include "libapdu/tlv.h"

namespace lpad::bsp {

namespace {

constexpr std::size_t kBlock = 16;
constexpr std::size_t kMacSize = 8;

void check_keys(const SessionKeys& keys) {
    if (keys.s_enc.size() != 16 || keys.s_mac.size() != 16 || keys.initial_mcv.size() != 16)
        fail(Errc::InvalidArgument, "BSP session keys and chaining value must be 16 bytes each");
}

}  // namespace

SessionKeys derive_session_keys(ByteView z, std::uint8_t key_type, std::uint8_t key_len, ByteView host_id,
                                ByteView eid) {
    if (host_id.size() > 127 || eid.size() > 127)
        fail(Errc::InvalidArgument, "BSP key derivation: hostId and EID must be shorter than 128 bytes");
    // SGP.22 §3.1.3 (step "generate session keys"): the one-byte lengths are part of sharedInfo.
    Bytes shared_info{key_type, key_len, static_cast<std::uint8_t>(host_id.size())};
    append(shared_info, host_id);
    shared_info.push_back(static_cast<std::uint8_t>(eid.size()));
    append(shared_info, eid);
    Bytes out = crypto::kdf_x963(z, shared_info, 48);
    return SessionKeys{Bytes(out.begin() + 16, out.begin() + 32), Bytes(out.begin() + 32, out.end()),
                       Bytes(out.begin(), out.begin() + 16)};
}

// --- SM-DP+ side ---

SegmentProtector::SegmentProtector(SessionKeys keys) { replace_keys(std::move(keys)); }

void SegmentProtector::replace_keys(SessionKeys keys) {
    check_keys(keys);
    keys_ = std::move(keys);
    mcv_ = keys_.initial_mcv;
    counter_ = 1;
}

Bytes SegmentProtector::protect(std::uint8_t tag, ByteView plaintext, bool encrypt) {
    if (tag != kTagProfileElement && tag != kTagEncrypted && tag != kTagMacOnly)
        fail(Errc::InvalidArgument, "BSP segment tag must be 86, 87 or 88");
    if (encrypt != (tag != kTagMacOnly))
        fail(Errc::InvalidArgument, "BSP segment 86/87 is encrypted, 88 is MAC only");

    Bytes body;
    if (encrypt) {
        // Padding 80 00.. to a whole block, always at least one byte.
        Bytes padded(plaintext.begin(), plaintext.end());
        padded.push_back(0x80);
        padded.resize((padded.size() + kBlock - 1) / kBlock * kBlock, 0x00);
        Bytes counter_block(kBlock, 0x00);
        for (int i = 0; i < 8; ++i) counter_block[kBlock - 1 - i] = static_cast<std::uint8_t>(counter_ >> (8 * i));
        Bytes iv = crypto::aes_ecb_encrypt_block(keys_.s_enc, counter_block);
        body = crypto::aes_cbc_encrypt(keys_.s_enc, iv, padded);
    } else {
        body.assign(plaintext.begin(), plaintext.end());
    }

    Bytes header = tlv::header(tag, body.size() + kMacSize);
    Bytes full_mac = crypto::aes_cmac(keys_.s_mac, concat(mcv_, header, body));
    mcv_ = full_mac;
    ++counter_;

    Bytes out = std::move(header);
    append(out, body);
    append(out, ByteView(full_mac).first(kMacSize));
    return out;
}

// --- eUICC side ---

SegmentVerifier::SegmentVerifier(SessionKeys keys) { replace_keys(std::move(keys)); }

void SegmentVerifier::replace_keys(SessionKeys keys) {
    check_keys(keys);
    keys_ = std::move(keys);
    mcv_ = keys_.initial_mcv;
    counter_ = 1;
}

Bytes SegmentVerifier::unprotect(ByteView tlv, bool expect_encrypted) {
    // The MAC covers the tag and length octets exactly as received.
    tlv::Header h = tlv::parse_header(tlv, tlv::Mode::Ber);
    if (h.header_size + h.length != tlv.size())
        fail(Errc::MalformedData, "BSP segment: length " + std::to_string(h.length) + " does not match " +
                                      std::to_string(tlv.size() - h.header_size) + " bytes of value");
    bool encrypted_tag = h.tag == kTagProfileElement || h.tag == kTagEncrypted;
    if (expect_encrypted ? !encrypted_tag : h.tag != kTagMacOnly)
        fail(Errc::MalformedData, "BSP segment: unexpected tag " + tlv::tag_name(h.tag));
    if (h.length < kMacSize) fail(Errc::MalformedData, "BSP segment shorter than its MAC");

    ByteView header = tlv.first(h.header_size);
    ByteView body = tlv.subspan(h.header_size, h.length - kMacSize);
    ByteView mac = tlv.last(kMacSize);
    Bytes expected = crypto::aes_cmac(keys_.s_mac, concat(mcv_, header, body));
    if (CRYPTO_memcmp(expected.data(), mac.data(), kMacSize) != 0)
        fail(Errc::CryptoError, "BSP segment " + tlv::tag_name(h.tag) + ": MAC verification failed");

    Bytes plain;
    if (expect_encrypted) {
        if (body.empty() || body.size() % kBlock != 0)
            fail(Errc::MalformedData, "BSP segment: ciphertext is not a whole number of AES blocks");
        std::uint8_t block[kBlock] = {};
        std::uint64_t c = counter_;
        for (std::size_t i = kBlock; i-- > kBlock - 8; c >>= 8) block[i] = static_cast<std::uint8_t>(c & 0xFF);
        Bytes iv = crypto::aes_ecb_encrypt_block(keys_.s_enc, ByteView(block));
        plain = crypto::aes_cbc_decrypt(keys_.s_enc, iv, body);
        // Strip 80 00..; the padding is at most one block.
        std::size_t end = plain.size();
        while (end > 0 && plain.size() - end < kBlock && plain[end - 1] == 0x00) --end;
        if (end == 0 || plain[end - 1] != 0x80 || plain.size() - end >= kBlock)
            fail(Errc::CryptoError, "BSP segment " + tlv::tag_name(h.tag) + ": bad padding");
        plain.resize(end - 1);
    } else {
        plain.assign(body.begin(), body.end());
    }
    mcv_ = std::move(expected);
    ++counter_;
    return plain;
}

}  // namespace lpad::bsp
