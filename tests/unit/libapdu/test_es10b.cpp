// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "libapdu/bpp.h"
#include "libapdu/error.h"
#include "libapdu/es10b_auth.h"
#include "libapdu/es10b_download.h"
#include "unit/test_support.h"

using namespace lpad;
using namespace lpad::test;
using namespace lpad::es10;

namespace {

Bytes rep(std::uint8_t b, std::size_t n) { return Bytes(n, b); }

// MalformedData whose message names the message and the field.
template <class F>
void check_malformed(F&& f, std::string_view message, std::string_view field) {
    try {
        f();
        FAIL("decoded without error");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::MalformedData);
        std::string what = e.what();
        CAPTURE(what);
        CHECK(what.find(message) != std::string::npos);
        CHECK(what.find(field) != std::string::npos);
    }
}

// ctxParams1 written by hand from rsp.asn: A0 { matchingId 80, deviceInfo A1 { tac 80, deviceCapabilities A1
// { gsmSupportedRelease 80, eutranSupportedRelease 85 }, imei 82 } }.
const char* kCtxParams1 = "a023 8003414243 a11c 800435290611 a10a 8003080000 85030f0000 82083523240011223344";

}  // namespace

TEST_CASE("es10b: GetEuiccChallenge") {
    CHECK(to_hex(GetEuiccChallengeRequest{}.encode()) == "bf2e00");
    CHECK_NOTHROW(GetEuiccChallengeRequest::decode(hex("bf2e00")));
    auto r = GetEuiccChallengeResponse::decode(hex("bf2e12 8010 000102030405060708090a0b0c0d0e0f"));
    CHECK(to_hex(r.euicc_challenge) == "000102030405060708090a0b0c0d0e0f");
    CHECK(to_hex(r.encode()) == "bf2e128010000102030405060708090a0b0c0d0e0f");
    check_malformed([] { GetEuiccChallengeResponse::decode(hex("bf2e11 800f 000102030405060708090a0b0c0d0e")); },
                    "GetEuiccChallengeResponse", "euiccChallenge");
    check_malformed([] { GetEuiccChallengeResponse::decode(hex("bf2e00")); }, "GetEuiccChallengeResponse", "euiccChallenge");
    CHECK_THROWS_AS(GetEuiccChallengeResponse::decode(hex("bf2e00 00")), Error);  // trailing byte
}

TEST_CASE("es10b: CtxParams1 matches the hand-written DER") {
    CtxParams1 c;
    c.matching_id = "ABC";
    c.device_info.tac = hex("35290611");
    c.device_info.device_capabilities.gsm_supported_release = hex("080000");
    c.device_info.device_capabilities.eutran_supported_release = hex("0f0000");
    c.device_info.imei = hex("3523240011223344");
    CHECK(c.encode() == hex(kCtxParams1));
    auto d = CtxParams1::decode(hex(kCtxParams1));
    CHECK(d.matching_id == "ABC");
    CHECK(d.device_info.device_capabilities.eutran_supported_release == hex("0f0000"));
    CHECK_FALSE(d.device_info.device_capabilities.utran_supported_release.has_value());
    CHECK(d.encode() == hex(kCtxParams1));
    // A newer DeviceCapabilities field (tag 89, SGP.22 v2.2+) is skipped.
    auto newer = CtxParams1::decode(hex("a023 a121 800435290611 a10f 8003080000 85030f0000 8903110000 82083523240011223344"));
    CHECK_FALSE(newer.matching_id.has_value());
    CHECK(newer.device_info.device_capabilities.eutran_supported_release == hex("0f0000"));
    CHECK(newer.device_info.imei == hex("3523240011223344"));
    check_malformed([] { CtxParams1::decode(hex("a00b a109 80023529 a103 8001 08")); }, "CtxParams1", "tac");
    CtxParams1 bad = c;
    bad.device_info.device_capabilities.gsm_supported_release = hex("08");
    CHECK_THROWS_AS(bad.encode(), Error);
}

TEST_CASE("es10b: AuthenticateServerRequest round trip with a real SGP.26 certificate") {
    Bytes cert = read_file(std::filesystem::path(LPAD_TEST_DATA) / "sgp26" / "DPauth" / "CERT_S_SM_DPauth_ECDSA_NIST.der");
    Bytes server_signed1 = hex("3030 800101 8110" + to_hex(rep(0x11, 16)) + "8307 736d64702e696f 8410" + to_hex(rep(0x22, 16)));
    Bytes body = concat(server_signed1, hex("5f3740" + to_hex(rep(0x33, 64))), hex("0414" + to_hex(rep(0x44, 20))), cert,
                        hex(kCtxParams1));
    Bytes der = concat(tlv::header(0xBF38, body.size()), body);

    auto r = AuthenticateServerRequest::decode(der);
    CHECK(to_hex(r.server_signed1.transaction_id) == "01");
    CHECK(r.server_signed1.server_address == "smdp.io");
    CHECK(r.server_signed1.euicc_challenge == rep(0x11, 16));
    CHECK(r.server_signed1.raw == server_signed1);
    CHECK(r.server_signature1 == rep(0x33, 64));
    CHECK(r.euicc_ci_pkid_to_be_used == rep(0x44, 20));
    CHECK(r.server_certificate == cert);
    CHECK(r.ctx_params1.matching_id == "ABC");
    CHECK(r.ctx_params1_raw == hex(kCtxParams1));
    CHECK(r.encode() == der);

    AuthenticateServerRequest built;
    built.server_signed1 = ServerSigned1::decode(server_signed1);
    built.server_signed1.raw.clear();
    built.server_signature1 = rep(0x33, 64);
    built.euicc_ci_pkid_to_be_used = rep(0x44, 20);
    built.server_certificate = cert;
    built.ctx_params1 = r.ctx_params1;
    CHECK(built.encode() == der);

    check_malformed([&] { AuthenticateServerRequest::decode(concat(tlv::header(0xBF38, body.size() - 3), ByteView(body).first(body.size() - 3))); },
                    "AuthenticateServerRequest", "");
    check_malformed([] { ServerSigned1::decode(hex("3015 800101 8110" + to_hex(rep(0x11, 16)) )); }, "ServerSigned1", "serverAddress");
    check_malformed([] { ServerSigned1::decode(hex("3016 8000 8110" + to_hex(rep(0x11, 16)) + "8300")); }, "ServerSigned1", "transactionId");
}

TEST_CASE("es10b: AuthenticateServerResponse") {
    SUBCASE("error alternative with every code name") {
        auto r = AuthenticateServerResponse::decode(hex("bf3808 a106 8001aa 020106"));
        REQUIRE_FALSE(r.is_ok());
        CHECK(std::get<AuthenticateResponseError>(r.result).authenticate_error_code == AuthenticateErrorCode::euiccChallengeMismatch);
        try {
            r.check();
            FAIL("no throw");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::EuiccError);
            CHECK(e.euicc_function == "AuthenticateServer");
            CHECK(e.euicc_result == 6);
            CHECK(std::string(e.what()).find("euiccChallengeMismatch") != std::string::npos);
        }
        CHECK(r.encode() == hex("bf3808 a106 8001aa 020106"));
        const std::pair<int, const char*> names[] = {{1, "invalidCertificate"}, {2, "invalidSignature"}, {3, "unsupportedCurve"},
                                                     {4, "noSessionContext"},   {5, "invalidOid"},       {6, "euiccChallengeMismatch"},
                                                     {7, "ciPKUnknown"},        {127, "undefinedError"}, {99, "unknown(99)"}};
        for (auto [code, n] : names) CHECK(describe(static_cast<AuthenticateErrorCode>(code)) == n);
        auto unknown = AuthenticateServerResponse::decode(hex("bf3808 a106 8001aa 020163"));
        CHECK(static_cast<int>(std::get<AuthenticateResponseError>(unknown.result).authenticate_error_code) == 99);
        CHECK(unknown.encode() == hex("bf3808 a106 8001aa 020163"));
    }
    SUBCASE("ok alternative keeps euiccSigned1 exactly, extension included") {
        // euiccSigned1 with a fake EUICCInfo2, the ctxParams1 above and an unknown trailing element 99.
        Bytes signed1_body = concat(hex("8001aa 8307 736d64702e696f 8410" + to_hex(rep(0x22, 16)) + "bf2203 810102"), hex(kCtxParams1), hex("990100"));
        Bytes signed1 = concat(tlv::header(0x30, signed1_body.size()), signed1_body);
        Bytes ok_body = concat(signed1, hex("5f3740" + to_hex(rep(0x55, 64))), hex("3003020101"), hex("3003020102"));
        Bytes inner = concat(tlv::header(0xA0, ok_body.size()), ok_body);
        Bytes der = concat(tlv::header(0xBF38, inner.size()), inner);

        auto r = AuthenticateServerResponse::decode(der);
        const auto& ok = r.ok();
        CHECK(ok.euicc_signed1.raw == signed1);
        CHECK(ok.euicc_signed1.euicc_info2 == hex("bf2203810102"));
        CHECK(ok.euicc_signed1.ctx_params1 == hex(kCtxParams1));
        CHECK(ok.euicc_signed1.server_challenge == rep(0x22, 16));
        CHECK(ok.euicc_signature1 == rep(0x55, 64));
        CHECK(ok.eum_certificate == hex("3003020102"));
        CHECK(r.raw == der);
        CHECK(r.encode() == der);  // embeds euiccSigned1.raw
        EuiccSigned1 rebuilt = ok.euicc_signed1;
        rebuilt.raw.clear();
        CHECK(rebuilt.der() == concat(tlv::header(0x30, signed1_body.size() - 3), ByteView(signed1_body).first(signed1_body.size() - 3)));
    }
    check_malformed([] { AuthenticateServerResponse::decode(hex("bf3805 a203 800101")); }, "AuthenticateServerResponse", "alternative");
    check_malformed([] { AuthenticateServerResponse::decode(hex("bf3805 a103 8001aa")); }, "AuthenticateServerResponse", "authenticateErrorCode");
}

TEST_CASE("es10b: CancelSession") {
    CancelSessionRequest req{hex("aa"), CancelSessionReason::postponed};
    CHECK(to_hex(req.encode()) == "bf41068001aa810101");
    auto back = CancelSessionRequest::decode(req.encode());
    CHECK(back.reason == CancelSessionReason::postponed);
    const std::pair<int, const char*> reasons[] = {{0, "endUserRejection"}, {1, "postponed"},        {2, "timeout"},
                                                   {3, "pprNotAllowed"},    {4, "metadataMismatch"}, {5, "loadBppExecutionError"},
                                                   {127, "undefinedReason"}};
    for (auto [code, n] : reasons) CHECK(name(static_cast<CancelSessionReason>(code)) == n);

    // euiccCancelSessionSigned { 80 transactionId, 81 smdpOid 1.3.6.1.4.1.31746, 82 reason }
    Bytes der = hex("bf4119 a017 3010 8001aa 81082b0601040181f802 820100 5f3702abcd");
    auto r = CancelSessionResponse::decode(der);
    const auto& ok = r.ok();
    CHECK(ok.euicc_cancel_session_signed.smdp_oid == "1.3.6.1.4.1.31746");
    CHECK(ok.euicc_cancel_session_signed.reason == CancelSessionReason::endUserRejection);
    CHECK(ok.euicc_cancel_session_signed.raw == hex("3010 8001aa 81082b0601040181f802 820100"));
    CHECK(to_hex(ok.euicc_cancel_session_signature) == "abcd");
    CHECK(r.encode() == der);
    EuiccCancelSessionSigned built{hex("aa"), "1.3.6.1.4.1.31746", CancelSessionReason::endUserRejection, {}};
    CHECK(built.encode() == ok.euicc_cancel_session_signed.raw);

    auto err = CancelSessionResponse::decode(hex("bf4103 810105"));
    CHECK(std::get<CancelSessionError>(err.result) == CancelSessionError::invalidTransactionId);
    CHECK_THROWS_AS(err.check(), Error);
    CHECK(err.encode() == hex("bf4103810105"));
    check_malformed([] { CancelSessionResponse::decode(hex("bf4119 a017 3010 8001aa 81082b0601040181f882 820100 5f3702abcd")); },
                    "EuiccCancelSessionSigned", "smdpOid");  // ends inside a sub-identifier
}

TEST_CASE("es10b: PrepareDownload") {
    Bytes req_der = hex("bf2134 3006 8001aa 0101ff 5f3702abcd 0420" + to_hex(rep(0x55, 32)) + "3003020101");
    auto req = PrepareDownloadRequest::decode(req_der);
    CHECK(req.smdp_signed2.cc_required_flag);
    CHECK_FALSE(req.smdp_signed2.bpp_euicc_otpk.has_value());
    CHECK(req.smdp_signed2.raw == hex("3006 8001aa 0101ff"));
    CHECK(req.hash_cc == rep(0x55, 32));
    CHECK(req.smdp_certificate == hex("3003020101"));
    CHECK(req.encode() == req_der);
    check_malformed([] { PrepareDownloadRequest::decode(hex("bf2112 3006 8001aa 010101 5f3702abcd 3003020101")); }, "SmdpSigned2", "");
    check_malformed([] { PrepareDownloadRequest::decode(hex("bf2116 3006 8001aa 0101ff 5f3702abcd 0402aabb 3003020101")); },
                    "PrepareDownloadRequest", "hashCc");

    Bytes ok_der = hex("bf2112 a010 3009 8001aa 5f490304aabb 5f3702abcd");
    auto resp = PrepareDownloadResponse::decode(ok_der);
    CHECK(to_hex(resp.ok().euicc_signed2.euicc_otpk) == "04aabb");
    CHECK(resp.ok().euicc_signed2.raw == hex("3009 8001aa 5f490304aabb"));
    CHECK(resp.encode() == ok_der);

    auto err = PrepareDownloadResponse::decode(hex("bf2108 a106 8001aa 020105"));
    CHECK(name(std::get<PrepareDownloadResponseError>(err.result).download_error_code) == "invalidTransactionId");
    try {
        err.check();
        FAIL("no throw");
    } catch (const Error& e) {
        CHECK(e.euicc_function == "PrepareDownload");
        CHECK(e.euicc_result == 5);
    }
}

TEST_CASE("es10b: StoreMetadataRequest from pySim's BPP and a full round trip") {
    // The 88 segment of pySim's test BPP holds a StoreMetadataRequest encoded by asn1tools (MAC-only segment).
    auto path = std::filesystem::path(LPAD_TEST_DATA) / ".." / "fuzz" / "corpus" / "bpp" / "pysim_test_esim_bpp.der";
    auto bpp = BoundProfilePackage::decode(read_file(path));
    auto seg = tlv::parse_one(bpp.sequence_of_88.at(0));
    auto start = to_hex(seg.value).find("bf25") / 2;
    auto hdr = tlv::parse_header(seg.value.subspan(start));
    auto m = StoreMetadataRequest::decode(seg.value.subspan(start, hdr.header_size + hdr.length));
    CHECK(to_hex(m.iccid) == "89000123456789012341");
    CHECK(m.service_provider_name == "OsmocomSPN");
    CHECK(m.profile_name == "OsmocomProfile");
    CHECK_FALSE(m.profile_class.has_value());

    StoreMetadataRequest full = m;
    full.icon_type = IconType::png;
    full.icon = hex("89504e47");
    full.profile_class = ProfileClass::test;
    full.notification_configuration_info = std::vector<NotificationConfigurationInformation>{{asn1::BitString().set(0), "a.b"}};
    full.profile_owner = OperatorId{hex("32f410"), hex("ff"), std::nullopt};
    full.profile_policy_rules = asn1::BitString().set(static_cast<std::size_t>(PprId::ppr2));
    Bytes der = full.encode();
    CHECK(to_hex(der).find("930101" "940489504e47" "950100" "b60b3009800207808103612e62" "b708800332f410" "8101ff" "99020520") !=
          std::string::npos);
    auto back = StoreMetadataRequest::decode(der);
    CHECK(back.encode() == der);
    CHECK(back.profile_owner->gid1 == hex("ff"));
    CHECK(back.notification_configuration_info->at(0).notification_address == "a.b");
    CHECK(name(*back.profile_class) == "test");

    StoreMetadataRequest long_name = m;
    long_name.service_provider_name = std::string(33, 'x');
    CHECK_THROWS_AS(long_name.encode(), Error);
    check_malformed([] { StoreMetadataRequest::decode(hex("bf2508 5a0a00000000000000000000")); }, "StoreMetadataRequest", "");
}

TEST_CASE("es10b: ConfigureISDP, ReplaceSessionKeys, GetRAT, LoadCRL") {
    CHECK(to_hex(ConfigureISDPRequest{}.encode()) == "bf2400");
    auto cfg = ConfigureISDPRequest::decode(hex("bf2408 b806 06042b060104"));
    CHECK(to_hex(*cfg.dp_proprietary_data) == "06042b060104");
    CHECK(cfg.encode() == hex("bf2408 b806 06042b060104"));

    auto rsk = ReplaceSessionKeysRequest::decode(hex("bf260c 80020102 81020304 82020506"));
    CHECK(to_hex(rsk.ppk_enc) == "0304");
    CHECK(rsk.encode() == hex("bf260c 80020102 81020304 82020506"));

    CHECK(to_hex(GetRatRequest{}.encode()) == "bf4300");
    Bytes rat_der = hex("bf4315 a013 3011 80020640 a107 3005 800332f410 82020780");
    auto rat = GetRatResponse::decode(rat_der);
    REQUIRE(rat.rat.size() == 1);
    CHECK(rat.rat[0].ppr_ids.test(1));
    CHECK(rat.rat[0].ppr_flags.test(0));
    REQUIRE(rat.rat[0].allowed_operators.size() == 1);
    CHECK(to_hex(rat.rat[0].allowed_operators[0].mcc_mnc) == "32f410");
    CHECK(rat.encode() == rat_der);

    LoadCRLRequest crl{hex("3003020101")};
    CHECK(to_hex(crl.encode()) == "bf3505a003020101");
    CHECK(LoadCRLRequest::decode(crl.encode()).crl == hex("3003020101"));
    auto ok = LoadCRLResponse::decode(hex("bf3509 a007 a005 3003800101"));
    CHECK(std::get<LoadCRLResponseOk>(ok.result).missing_parts == std::vector<std::int64_t>{1});
    CHECK(ok.encode() == hex("bf3509 a007 a005 3003800101"));
    CHECK(std::get<LoadCRLResponseOk>(LoadCRLResponse::decode(hex("bf3502a000")).result).missing_parts == std::nullopt);
    auto err = LoadCRLResponse::decode(hex("bf3503 810102"));
    CHECK(name(std::get<LoadCRLError>(err.result)) == "invalidCRLFormat");
    CHECK_THROWS_AS(err.check(), Error);
}
