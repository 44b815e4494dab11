// SPDX-License-Identifier: Apache-2.0
// Test rig for the virtual eUICC (drivers/virtual/euicc.h): a card created from the build-tree test PKI, driven
// through the `virtual:` transport with Es10Client (real APDUs), plus an independent SM-DP+ side: it signs with
// the test PKI's DPauth/DPpb keys and binds a Bound Profile Package with bsp::SegmentProtector, so the card's
// verification and decryption are checked against separately written code.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "drivers/registry.h"
#include "drivers/virtual/euicc_factory.h"
#include "drivers/virtual/virtual_transport.h"
#include "libapdu/bpp.h"
#include "libapdu/bsp.h"
#include "libapdu/crypto.h"
#include "libapdu/error.h"
#include "libapdu/es10_client.h"
#include "libapdu/es10b.h"
#include "libapdu/es10c.h"
#include "libapdu/identifiers.h"
#include "libapdu/x509.h"
#include "libfile/file.h"
#include "unit/test_support.h"

namespace lpad::virtual_euicc::testing {

namespace fs = std::filesystem;

inline std::string pki_dir() { return std::string(LPAD_BINARY_DIR) + "/pki"; }
inline std::string pki_file(const std::string& rel) { return pki_dir() + "/" + rel; }
inline Bytes read_bytes(const std::string& path) { return file::read(path); }

using lpad::test::TempDir;

// One card behind an open Es10Client. The factory is installed for the rig's lifetime.
struct CardRig {
    EuiccFactory previous = set_euicc_factory(euicc_factory());
    std::shared_ptr<VirtualCard> card;
    std::unique_ptr<VirtualTransport> transport;
    std::unique_ptr<Es10Client> client;

    explicit CardRig(const std::string& uri) {
        card = make_virtual_card(drivers::DriverUri::parse(uri));
        transport = std::make_unique<VirtualTransport>(card);
        client = std::make_unique<Es10Client>(*transport);
        client->open();
    }
    ~CardRig() {
        client.reset();
        set_euicc_factory(std::move(previous));
    }
    template <class Req>
    typename Req::Response call(const Req& r) { return client->call(r); }
};

inline std::string card_uri(const std::string& state) { return "virtual:" + state + "?pki=" + pki_dir(); }

// The status word a raw ES10 command is refused with (0 when it was accepted).
inline std::uint16_t refused_with(Es10Client& c, ByteView command) {
    try {
        c.transceive(command);
    } catch (const Error& e) {
        return e.status_word.value_or(0xFFFF);
    }
    return 0;
}

// --- the SM-DP+ side ---

struct SmdpKeys {
    x509::Certificate auth_cert, pb_cert;
    crypto::PrivateKey auth_key, pb_key;
    Bytes ci_pkid;
    static SmdpKeys load(const std::string& dir = "") {
        auto base = dir.empty() ? pki_dir() : dir;
        return {file::certificate(base + "/DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der"),
                file::certificate(base + "/DPpb/CERT_S_SM_DPpb_ECDSA_NIST.der"),
                file::private_key(base + "/DPauth/SK_S_SM_DPauth_ECDSA_NIST.pem"),
                file::private_key(base + "/DPpb/SK_S_SM_DPpb_ECDSA_NIST.pem"),
                file::certificate(pki_file("CertificateIssuer/CERT_CI_ECDSA_NIST.der")).subject_key_id()};
    }
};

inline const std::string kSmdpAddress = "testsmdpplus1.example.com";

inline es10::AuthenticateServerRequest make_authenticate_server(const SmdpKeys& k, const Bytes& challenge,
                                                                const Bytes& transaction_id) {
    es10::AuthenticateServerRequest req;
    req.server_signed1.transaction_id = transaction_id;
    req.server_signed1.euicc_challenge = challenge;
    req.server_signed1.server_address = kSmdpAddress;
    req.server_signed1.server_challenge = crypto::random_bytes(16);
    req.server_signature1 = crypto::sign(k.auth_key, req.server_signed1.encode());
    req.euicc_ci_pkid_to_be_used = k.ci_pkid;
    req.server_certificate = k.auth_cert.der();
    req.ctx_params1.matching_id = "MATCHING-ID-1";
    req.ctx_params1.device_info.tac = Bytes{0x35, 0x29, 0x06, 0x11};
    return req;
}

inline es10::PrepareDownloadRequest make_prepare_download(const SmdpKeys& k, const Bytes& transaction_id,
                                                          const Bytes& euicc_signature1) {
    es10::PrepareDownloadRequest req;
    req.smdp_signed2.transaction_id = transaction_id;
    req.smdp_signature2 =
        crypto::sign(k.pb_key, concat(req.smdp_signed2.encode(), tlv::make(0x5F37, euicc_signature1)));
    req.smdp_certificate = k.pb_cert.der();
    return req;
}

// The SAIP header's ICCID (ProfileHeader [0] A0, iccid [3] 83, natural digit order), in the EF.ICCID coding that
// StoreMetadata and ES10 use.
inline Bytes upp_iccid(const Bytes& upp) {
    auto first = tlv::Reader(upp, tlv::Mode::Ber).next();
    REQUIRE(first.tag == 0xA0);
    auto iccid = tlv::Reader(first.value, tlv::Mode::Ber).find(0x83);
    REQUIRE(iccid);
    return swap_nibbles(iccid->value);
}

inline Bytes load_upp(const std::string& name = "TS48v4_SAIP2.3_BERTLV.der") {
    return read_bytes(std::string(LPAD_TEST_DATA) + "/upp/" + name);
}

inline es10::StoreMetadataRequest metadata_for(const Bytes& upp) {
    es10::StoreMetadataRequest md;
    md.iccid = upp_iccid(upp);
    md.service_provider_name = "GSMA Test";
    md.profile_name = "TS.48 Generic Test Profile";
    md.icon_type = es10::IconType::png;
    md.icon = Bytes{0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A};
    return md;
}

// Binds `upp` for the session the card answered with euicc_otpk (SGP.22 §2.5.4), as an SM-DP+ would.
struct BppOptions {
    bool replace_session_keys = true;
    bool tamper_86 = false;       // flip a ciphertext byte of the second 86 segment
    bool bad_smdp_sign = false;
};

inline Bytes bind_profile(const SmdpKeys& k, const Bytes& transaction_id, const Bytes& euicc_otpk, const Bytes& eid,
                          const es10::StoreMetadataRequest& md, const Bytes& upp, const BppOptions& o = {}) {
    auto curve = k.pb_key.curve();
    auto ot = crypto::PrivateKey::generate(curve);
    Bytes z = crypto::ecdh(ot, crypto::PublicKey::from_point(curve, euicc_otpk));
    Bytes host_id = from_hex("6C7061642D74657374");  // "lpad-test"
    bsp::SegmentProtector prot(bsp::derive_session_keys(z, 0x88, 0x10, host_id, eid));

    es10::BoundProfilePackage bpp;
    auto& isc = bpp.initialise_secure_channel_request;
    isc.transaction_id = transaction_id;
    isc.control_ref_template.host_id = host_id;
    isc.smdp_otpk = ot.public_point();
    isc.smdp_sign = crypto::sign(k.pb_key, isc.signed_data(euicc_otpk));
    if (o.bad_smdp_sign) isc.smdp_sign[5] ^= 0x01;
    bpp.first_sequence_of_87.push_back(prot.protect(0x87, es10::ConfigureISDPRequest{}.encode(), true));
    bpp.sequence_of_88.push_back(prot.protect(0x88, md.encode(), false));
    if (o.replace_session_keys) {
        bsp::SessionKeys ppk{crypto::random_bytes(16), crypto::random_bytes(16), crypto::random_bytes(16)};
        es10::ReplaceSessionKeysRequest rsk{ppk.initial_mcv, ppk.s_enc, ppk.s_mac};
        bpp.second_sequence_of_87 = std::vector<Bytes>{prot.protect(0x87, rsk.encode(), true)};
        prot.replace_keys(ppk);
    }
    for (std::size_t off = 0; off < upp.size(); off += 1000) {
        ByteView chunk = ByteView(upp).subspan(off, std::min<std::size_t>(1000, upp.size() - off));
        bpp.sequence_of_86.push_back(prot.protect(0x86, chunk, true));
    }
    if (o.tamper_86) bpp.sequence_of_86.at(1).at(10) ^= 0x01;
    return bpp.encode();
}

// Drives a whole download on the rig's card; returns the last LoadBoundProfilePackage answer (the BF37 PIR).
struct DownloadResult {
    Bytes transaction_id;
    es10::ProfileInstallationResult pir;
};

inline DownloadResult download(CardRig& rig, const SmdpKeys& k, const es10::StoreMetadataRequest& md,
                               const Bytes& upp, const BppOptions& o = {}) {
    Bytes tid = crypto::random_bytes(16);
    auto challenge = rig.call(es10::GetEuiccChallengeRequest{}).euicc_challenge;
    auto auth = rig.call(make_authenticate_server(k, challenge, tid));
    const auto& ok1 = auth.ok();
    auto prep = rig.call(make_prepare_download(k, tid, ok1.euicc_signature1));
    const auto& ok2 = prep.ok();
    auto eid = rig.call(es10::GetEuiccDataRequest{}).eid_value;
    Bytes bpp = bind_profile(k, tid, ok2.euicc_signed2.euicc_otpk, eid, md, upp, o);
    Bytes last;
    for (const Bytes& piece : es10::split_for_loading(bpp)) {
        last = rig.client->transceive(piece);
        if (!last.empty()) break;  // an error result ends the loading early
    }
    REQUIRE_FALSE(last.empty());
    return {tid, es10::ProfileInstallationResult::decode(last)};
}

inline std::vector<es10::ProfileInfo> profiles(CardRig& rig) {
    auto resp = rig.call(es10::ProfileInfoListRequest{});
    resp.check();
    return resp.profiles;
}

}  // namespace lpad::virtual_euicc::testing
