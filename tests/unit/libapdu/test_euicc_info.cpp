// SPDX-License-Identifier: Apache-2.0
// GetEUICCInfo: EUICCInfo1/EUICCInfo2 from other projects' test data and card values, DER written out by hand,
// round trips, and the ETSI TS 102 226 extended card resource TLVs.
#include <doctest/doctest.h>

#include <string>

#include "libapdu/error.h"
#include "libapdu/euicc_info.h"
#include "unit/test_support.h"

using namespace lpad;
using namespace lpad::test;
using namespace lpad::es10;

namespace {

const char* const kSgp26v1 = "f54172bdf98a95d65cbeb88a38a1c11d800a85c3";  // SGP.26 v1 test CI key id
const char* const kGsmaCi1 = "81370f5125d0b1d408d4c3b232e6d25e795bebfb";  // GSMA RSP2 Root CI1 key id

// EUICCInfo2 of a sysmoEUICC1-C2T as shown in pySim's euicc_info2.ok, encoded by hand from rsp.asn.
std::string sysmo_euicc_info2() {
    return std::string("BF22 7D"
                       "8103 020301"                 // profileVersion 2.3.1
                       "8203 020300"                 // svn 2.3.0
                       "8303 230623"                 // euiccFirmwareVer 35.6.35
                       "840D 810108820400045bf883022419"
                       "8505 067f36f3c0"             // uiccCapability
                       "8603 0f0100"                 // ts102241Version 15.1.0
                       "8703 020300"                 // globalplatformVersion
                       "8802 0398"                   // rspCapability
                       "A916 0414") + kSgp26v1 +
           "AA16 0414" + kSgp26v1 +
           "9902 0640"                               // forbiddenProfilePolicyRules: ppr1
           "0403 010000"                             // ppVersion 1.0.0
           "0C0F 5359534d4f434f4d2d544553542d31";    // SYSMOCOM-TEST-1
}

}  // namespace

TEST_CASE("euiccinfo: EUICCInfo1 from OpenHarmony telephony_core_service test data") {
    const Bytes der = hex(
        "BF20618203020202A92C0414F54172BDF98A95D65CBEB88A38A1C11D800A85C30414C0BC70BA36929D43B467FF57570530E57AB8FCD8"
        "AA2C0414F54172BDF98A95D65CBEB88A38A1C11D800A85C30414C0BC70BA36929D43B467FF57570530E57AB8FCD8");
    auto info = EUICCInfo1::decode(der);
    CHECK(info.svn == "2.2.2");
    REQUIRE(info.euicc_ci_pkid_list_for_verification.size() == 2);
    CHECK(to_hex(info.euicc_ci_pkid_list_for_verification[0]) == kSgp26v1);
    CHECK(to_hex(info.euicc_ci_pkid_list_for_verification[1]) == "c0bc70ba36929d43b467ff57570530e57ab8fcd8");
    CHECK(info.euicc_ci_pkid_list_for_signing == info.euicc_ci_pkid_list_for_verification);
    CHECK(info.encode() == der);
}

TEST_CASE("euiccinfo: EUICCInfo1 from sysmoEUICC1-C2T values (pySim-shell test), DER by hand") {
    const Bytes der = hex(std::string("BF2035 8203020300 A9160414") + kSgp26v1 + "AA160414" + kSgp26v1);
    auto info = EUICCInfo1::decode(der);
    CHECK(info.svn == "2.3.0");
    CHECK(info.euicc_ci_pkid_list_for_verification == std::vector<Bytes>{hex(kSgp26v1)});
    CHECK(info.euicc_ci_pkid_list_for_signing == std::vector<Bytes>{hex(kSgp26v1)});
    CHECK(info.encode() == der);
    CHECK(GetEuiccInfo1Request{}.encode() == hex("BF2000"));
    CHECK_NOTHROW(GetEuiccInfo1Request::decode(hex("BF2000")));
}

TEST_CASE("euiccinfo: EUICCInfo2 from sysmoEUICC1-C2T values (pySim-shell test), DER by hand") {
    const Bytes der = hex(sysmo_euicc_info2());
    auto info = EUICCInfo2::decode(der);
    CHECK(info.profile_version == "2.3.1");
    CHECK(info.svn == "2.3.0");
    CHECK(info.euicc_firmware_ver == "35.6.35");
    CHECK(info.javacard_version == "15.1.0");
    CHECK(info.globalplatform_version == "2.3.0");
    CHECK(info.pp_version == "1.0.0");
    CHECK(info.sas_acreditation_number == "SYSMOCOM-TEST-1");
    CHECK_FALSE(info.euicc_category);
    CHECK_FALSE(info.certification_data_object);

    auto res = info.ext_card_resource_info();
    CHECK(res.installed_applications == 8u);
    CHECK(res.free_non_volatile_memory == 285688u);
    CHECK(res.free_volatile_memory == 9241u);

    CHECK(bit_names<UiccCapability>(info.uicc_capability) ==
          std::vector<std::string>{"usimSupport", "isimSupport", "csimSupport", "akaMilenage", "akaCave",
                                   "akaTuak128", "akaTuak256", "gbaAuthenUsim", "gbaAuthenISim", "eapClient",
                                   "javacard", "multipleUsimSupport", "multipleIsimSupport", "multipleCsimSupport",
                                   "berTlvFileSupport", "getIdentity", "profile-a-x25519",
                                   "profile-b-p256", "suciCalculatorApi"});
    CHECK(bit_names<RspCapability>(info.rsp_capability) ==
          std::vector<std::string>{"additionalProfile", "testProfileSupport", "deviceInfoExtensibilitySupport"});
    REQUIRE(info.forbidden_profile_policy_rules);
    CHECK(bit_names<PprId>(*info.forbidden_profile_policy_rules) == std::vector<std::string>{"ppr1"});
    CHECK(info.encode() == der);
}

TEST_CASE("euiccinfo: EUICCInfo2 with every optional field and an extension, DER by hand") {
    const std::string body = std::string("8103 020200 8203 020202 8303 010203 8400 8502 0560 8603 030100 8703 020201"
                                         "8802 0780 A916 0414") + kGsmaCi1 +
                             "AA00 8B01 02 9901 00 0403 000201 0C00"
                             "AC0D 8004 504c2d31 8105 782e6f7267";  // PL-1, x.org
    const Bytes der = hex("BF225D" + body + "8D020780");               // 8D: a later-version field, skipped
    auto info = EUICCInfo2::decode(der);
    CHECK(info.ext_card_resource.empty());
    CHECK(bit_names<UiccCapability>(info.uicc_capability) == std::vector<std::string>{"usimSupport", "isimSupport"});
    CHECK(info.rsp_capability.test(static_cast<std::size_t>(RspCapability::additionalProfile)));
    CHECK(info.euicc_ci_pkid_list_for_verification == std::vector<Bytes>{hex(kGsmaCi1)});
    CHECK(info.euicc_ci_pkid_list_for_signing.empty());
    CHECK(info.euicc_category == EuiccCategory::mediumEuicc);
    CHECK(name(*info.euicc_category) == "mediumEuicc");
    REQUIRE(info.forbidden_profile_policy_rules);
    CHECK(bit_names<PprId>(*info.forbidden_profile_policy_rules).empty());
    CHECK(info.pp_version == "0.2.1");
    CHECK(info.sas_acreditation_number.empty());
    REQUIRE(info.certification_data_object);
    CHECK(info.certification_data_object->platform_label == "PL-1");
    CHECK(info.certification_data_object->discovery_base_url == "x.org");
    CHECK(info.encode() == hex("BF2259" + body));
    CHECK(EUICCInfo2::decode(info.encode()) == info);
    CHECK(GetEuiccInfo2Request{}.encode() == hex("BF2200"));
}

TEST_CASE("euiccinfo: malformed EUICCInfo is rejected naming the field") {
    std::string sysmo = sysmo_euicc_info2();
    std::erase(sysmo, ' ');
    auto without = [&](const std::string& piece, const std::string& new_len) {
        std::string s = sysmo;
        auto pos = s.find(piece);
        REQUIRE(pos != std::string::npos);
        s.erase(pos, piece.size());
        return hex("BF22" + new_len + s.substr(6));
    };
    struct Case {
        const char* what;
        Bytes der;
        const char* expect;
    };
    const Case cases[] = {
        {"no ppVersion", without("0403010000", "78"), "EUICCInfo2.ppVersion: missing"},
        {"no sasAcreditationNumber", without("0C0F5359534d4f434f4d2d544553542d31", "6C"),
         "EUICCInfo2.sasAcreditationNumber: missing"},
        {"no rspCapability", without("88020398", "79"), "EUICCInfo2.rspCapability"},
        {"short svn", hex("BF2008 82020202 A900 AA00"), "EUICCInfo1.svn"},
        {"empty", hex("BF2200"), "EUICCInfo2.profileVersion: missing"},
        {"key id tag", hex("BF200C 8203020202 A90380010A AA00"), "EUICCInfo1.euiccCiPKIdListForVerification"},
        {"wrong message", hex("BF2100"), "expected tag BF22"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        std::string msg = malformed_message_of([&] {
            if (c.der.size() > 2 && c.der[1] == 0x20) (void)EUICCInfo1::decode(c.der);
            else (void)EUICCInfo2::decode(c.der);
        });
        CAPTURE(msg);
        CHECK(msg.find(c.expect) != std::string::npos);
    }
}

TEST_CASE("euiccinfo: extCardResource TLVs (ETSI TS 102 226)") {
    struct Case {
        const char* hex;
        std::optional<std::uint64_t> apps, nvm, vm;
    };
    const Case cases[] = {
        {"810108820400045bf883022419", 8, 285688, 9241},
        {"", std::nullopt, std::nullopt, std::nullopt},
        {"810100", 0, std::nullopt, std::nullopt},
        {"8401ff810102", 2, std::nullopt, std::nullopt},  // unknown 84 skipped
        {"83080102030405060708", std::nullopt, std::nullopt, 0x0102030405060708u},
    };
    for (const auto& c : cases) {
        CAPTURE(c.hex);
        auto r = ExtCardResource::decode(hex(c.hex));
        CHECK(r.installed_applications == c.apps);
        CHECK(r.free_non_volatile_memory == c.nvm);
        CHECK(r.free_volatile_memory == c.vm);
        CHECK(ExtCardResource::decode(r.encode()) == r);
    }
    CHECK(to_hex(ExtCardResource{8, 285688, 9241}.encode()) == "8101088203045bf883022419");
    for (const char* bad : {"8100", "8109010203040506070809", "810501", "81"}) {
        CAPTURE(bad);
        CHECK(malformed_message_of([&] { ExtCardResource::decode(hex(bad)); }).find("extCardResource") != std::string::npos);
    }
}
