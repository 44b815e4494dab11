// SPDX-License-Identifier: Apache-2.0
// ES10c messages: decoding of DER written out by hand from rsp.asn and of encodings seen in other projects' test
// data, round trips of every message, and rejection of malformed input.
#include <doctest/doctest.h>

#include <string>

#include "libapdu/error.h"
#include "libapdu/es10c.h"
#include "unit/test_support.h"

using namespace lpad;
using namespace lpad::test;
using namespace lpad::es10;

namespace {

const char* const kIccid1 = "98001032547698103214";  // 89000123456789012341, EF.ICCID nibble order
const char* const kIccid19 = "98944499999999 0930F1";  // 8949449999999990031 (19 digits, F padded)
const char* const kAid = "a0000005591010ffffffff8900001000";

}  // namespace

TEST_CASE("es10c: ProfileInfoListResponse from OpenHarmony telephony_core_service test data") {
    // Profile with a service provider name, an explicit DEFAULT profileClass (BER style, accepted) and an owner.
    auto r = ProfileInfoListResponse::decode(
        hex("BF2D25A023E3215A0A986800102030405060809F7001019105736D617274950102B705800364F007"));
    REQUIRE(r.profiles.size() == 1);
    CHECK_FALSE(r.error);
    const auto& p = r.profiles[0];
    CHECK(to_hex(*p.iccid) == "98680010203040506080");
    CHECK(p.profile_state == ProfileState::enabled);
    CHECK(p.service_provider_name == "smart");
    CHECK(p.profile_class == ProfileClass::operational);
    REQUIRE(p.profile_owner);
    CHECK(to_hex(p.profile_owner->mcc_mnc) == "64f007");
    CHECK_FALSE(p.profile_owner->gid1);
    CHECK_FALSE(p.isdp_aid);
    CHECK_FALSE(p.profile_name);
    // Re-encoding is DER: the DEFAULT value disappears, everything else stays.
    CHECK(to_hex(r.encode()) == "bf2d22a020e31e5a0a986800102030405060809f7001019105736d617274b705800364f007");

    auto r2 = ProfileInfoListResponse::decode(hex("BF2D14A012E3105A0A896700000000004523019F700101"));
    REQUIRE(r2.profiles.size() == 1);
    CHECK(to_hex(*r2.profiles[0].iccid) == "89670000000000452301");
    CHECK(r2.encode() == hex("BF2D14A012E3105A0A896700000000004523019F700101"));
}

TEST_CASE("es10c: ProfileInfoListResponse from sysmoEUICC1-C2T values (pySim-shell test), DER by hand") {
    // Second profile of pySim's get_profiles_info.ok, encoded from rsp.asn.
    const Bytes der = hex(std::string("BF2D 43 A0 41 E3 3F") + "5A0A" + kIccid19 +
                          "4F10 a0000005591010ffffffff8900001200"
                          "9F7001 00"
                          "910A 4f736d6f636f6d53504e"           // OsmocomSPN
                          "920F 5453343856312d422d554e49515545"); // TS48V1-B-UNIQUE
    auto r = ProfileInfoListResponse::decode(der);
    REQUIRE(r.profiles.size() == 1);
    const auto& p = r.profiles[0];
    CHECK(p.iccid == hex(kIccid19));
    CHECK(to_hex(*p.isdp_aid) == "a0000005591010ffffffff8900001200");
    CHECK(p.profile_state == ProfileState::disabled);
    CHECK(p.service_provider_name == "OsmocomSPN");
    CHECK(p.profile_name == "TS48V1-B-UNIQUE");
    CHECK(p.profile_class == ProfileClass::operational);
    CHECK(name(*p.profile_state) == "disabled");
    CHECK(r.encode() == der);
}

TEST_CASE("es10c: ProfileInfo with every field, DER by hand") {
    const Bytes der = hex(std::string("E3 81 93") +  // 147 bytes
                          "5A0A" + kIccid1 + "4F10" + kAid +
                          "9F7001 01"
                          "9015 746869732d69732d612d7465737470726f66696c65"  // this-is-a-testprofile
                          "9109 5350204e616d652031"                          // SP Name 1
                          "9205 50726f6631"                                  // Prof1
                          "9301 01"                                          // png
                          "9404 89504e47"                                    // icon bytes
                          "9501 00"                                          // test
                          "B6 1C 30 0B 8002 05E0 8105 612e636f6d"            // install|enable|disable -> a.com
                          "      30 0D 8002 0410 8107 622e782e6f7267"        // delete -> b.x.org
                          "B7 0D 8003 13f001 8102 ffee 8102 0102"
                          "B8 09 8007 2b060104018f5c"                        // dpOid 1.3.6.1.4.1.2012
                          "9902 0640");                                      // ppr1
    // Fix the gid2 tag: 82, not a repeated 81 (a repeated element must be refused, see below).
    Bytes good = der;
    Bytes bad_repeat = der;
    auto pos = to_hex(good).find("8102ffee8102");
    REQUIRE(pos != std::string::npos);
    good[pos / 2 + 4] = 0x82;

    ProfileInfo p = ProfileInfo::decode(good);
    CHECK(p.iccid == hex(kIccid1));
    CHECK(p.isdp_aid == hex(kAid));
    CHECK(p.profile_state == ProfileState::enabled);
    CHECK(p.profile_nickname == "this-is-a-testprofile");
    CHECK(p.service_provider_name == "SP Name 1");
    CHECK(p.profile_name == "Prof1");
    CHECK(p.icon_type == IconType::png);
    CHECK(to_hex(*p.icon) == "89504e47");
    CHECK(p.profile_class == ProfileClass::test);
    REQUIRE(p.notification_configuration_info);
    REQUIRE(p.notification_configuration_info->size() == 2);
    const auto& n0 = (*p.notification_configuration_info)[0];
    CHECK(bit_names<NotificationEvent>(n0.profile_management_operation) ==
          std::vector<std::string>{"notificationInstall", "notificationEnable", "notificationDisable"});
    CHECK(n0.notification_address == "a.com");
    CHECK((*p.notification_configuration_info)[1].profile_management_operation.test(3));
    CHECK((*p.notification_configuration_info)[1].notification_address == "b.x.org");
    REQUIRE(p.profile_owner);
    CHECK(to_hex(p.profile_owner->mcc_mnc) == "13f001");
    CHECK(to_hex(*p.profile_owner->gid1) == "ffee");
    CHECK(to_hex(*p.profile_owner->gid2) == "0102");
    CHECK(to_hex(*p.dp_proprietary_data) == "80072b060104018f5c");
    REQUIRE(p.profile_policy_rules);
    CHECK(bit_names<PprId>(*p.profile_policy_rules) == std::vector<std::string>{"ppr1"});
    CHECK(p.encode() == good);

    // gid1 twice: the second 81 is a known field out of order, not an extension.
    CHECK(malformed_message_of([&] { ProfileInfo::decode(bad_repeat); }).find("OperatorID") != std::string::npos);
}

TEST_CASE("es10c: ProfileInfoListResponse error, empty list and check()") {
    auto empty = ProfileInfoListResponse::decode(hex("BF2D02A000"));
    CHECK(empty.profiles.empty());
    CHECK_NOTHROW(empty.check());
    CHECK(empty.encode() == hex("BF2D02A000"));

    struct Case {
        const char* hex;
        int code;
        const char* name;
    };
    const Case cases[] = {{"BF2D03810101", 1, "incorrectInputValues"},
                          {"BF2D0381017F", 127, "undefinedError"},
                          {"BF2D03810102", 2, "unknown(2)"}};
    for (const auto& c : cases) {
        CAPTURE(c.hex);
        auto r = ProfileInfoListResponse::decode(hex(c.hex));
        REQUIRE(r.error);
        CHECK(static_cast<int>(*r.error) == c.code);
        CHECK(describe(*r.error) == c.name);
        CHECK(r.encode() == hex(c.hex));
        try {
            r.check();
            FAIL("check() did not throw");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::EuiccError);
            CHECK(e.euicc_function == "GetProfilesInfo");
            CHECK(e.euicc_result == c.code);
            CHECK(std::string(e.what()).find(c.name) != std::string::npos);
        }
    }
}

TEST_CASE("es10c: ProfileInfoListRequest encodings") {
    struct Case {
        const char* name;
        ProfileInfoListRequest req;
        const char* hex;
    };
    const Bytes iccid = hex(kIccid1);
    const Case cases[] = {
        {"everything", {}, "BF2D00"},
        {"tagList", {std::nullopt, ProfileInfoListRequest::make_tag_list({0x5A, 0x4F, 0x9F70, 0x92, 0x95})},
         "BF2D08 5C06 5A4F9F709295"},
        {"by iccid", {ProfileIdentifier::from_iccid(iccid), std::nullopt}, "BF2D0E A00C 5A0A98001032547698103214"},
        {"by isdpAid", {ProfileIdentifier::from_isdp_aid(hex(kAid)), std::nullopt},
         "BF2D14 A012 4F10a0000005591010ffffffff8900001000"},
        {"by profileClass", {ProfileClass::test, ProfileInfoListRequest::make_tag_list({0x5A})},
         "BF2D08 A003 950100 5C015A"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        CHECK(to_hex(c.req.encode()) == to_hex(hex(c.hex)));
        auto back = ProfileInfoListRequest::decode(hex(c.hex));
        CHECK(back.search_criteria == c.req.search_criteria);
        CHECK(back.tag_list == c.req.tag_list);
    }
}

TEST_CASE("es10c: Enable, Disable and Delete requests, DER by hand") {
    const Bytes iccid = hex(kIccid1);
    auto en = EnableProfileRequest{ProfileIdentifier::from_iccid(iccid), true};
    const Bytes en_der = hex(std::string("BF3111 A00C 5A0A") + kIccid1 + "8101FF");
    CHECK(en.encode() == en_der);
    auto en_back = EnableProfileRequest::decode(en_der);
    CHECK(en_back.profile_identifier == en.profile_identifier);
    CHECK(en_back.refresh_flag);

    auto dis = DisableProfileRequest{ProfileIdentifier::from_isdp_aid(hex(kAid)), false};
    const Bytes dis_der = hex(std::string("BF3217 A012 4F10") + kAid + "810100");
    CHECK(dis.encode() == dis_der);
    auto dis_back = DisableProfileRequest::decode(dis_der);
    CHECK(dis_back.profile_identifier.kind == ProfileIdentifier::Kind::isdpAid);
    CHECK_FALSE(dis_back.refresh_flag);

    // DeleteProfileRequest is a tagged CHOICE: no A0 wrapper, no refreshFlag.
    const Bytes del_der = hex(std::string("BF330C 5A0A") + kIccid1);
    CHECK(DeleteProfileRequest{ProfileIdentifier::from_iccid(iccid)}.encode() == del_der);
    CHECK(DeleteProfileRequest::decode(del_der).profile_identifier.value == iccid);
    CHECK(DeleteProfileRequest::decode(hex(std::string("BF3312 4F10") + kAid)).profile_identifier.kind ==
          ProfileIdentifier::Kind::isdpAid);
}

TEST_CASE("es10c: result responses from OpenHarmony test data and rsp.asn") {
    struct Case {
        const char* hex;
        const char* name;
        int code;
    };
    // OpenHarmony's captured responses end in SW 9000, stripped here.
    const Case enable[] = {{"BF3103800100", "ok", 0}, {"BF3103800104", "wrongProfileReenabling", 4},
                           {"BF3103800105", "catBusy", 5}, {"BF310380017F", "undefinedError", 127},
                           {"BF3103800109", "unknown(9)", 9}};
    for (const auto& c : enable) {
        CAPTURE(c.hex);
        auto r = EnableProfileResponse::decode(hex(c.hex));
        CHECK(describe(r.enable_result) == c.name);
        CHECK(r.encode() == hex(c.hex));
        if (c.code == 0) {
            CHECK_NOTHROW(r.check());
        } else {
            try {
                r.check();
                FAIL("no throw");
            } catch (const Error& e) {
                CHECK(e.euicc_function == "EnableProfile");
                CHECK(e.euicc_result == c.code);
            }
        }
    }
    CHECK(name(DisableProfileResponse::decode(hex("BF3203800100")).disable_result) == "ok");
    CHECK(name(DisableProfileResponse::decode(hex("BF3203800102")).disable_result) == "profileNotInEnabledState");
    CHECK(name(DeleteProfileResponse::decode(hex("BF3303800100")).delete_result) == "ok");
    CHECK(name(DeleteProfileResponse::decode(hex("BF3303800102")).delete_result) == "profileNotInDisabledState");
    CHECK(name(EuiccMemoryResetResponse::decode(hex("BF3403800100")).reset_result) == "ok");
    CHECK(name(EuiccMemoryResetResponse::decode(hex("BF3403800101")).reset_result) == "nothingToDelete");
    CHECK(name(SetNicknameResponse::decode(hex("BF2903800101")).set_nickname_result) == "iccidNotFound");
    CHECK_THROWS_AS(DeleteProfileResponse{DeleteProfileResult::disallowedByPolicy}.check(), Error);
    CHECK_THROWS_AS(EuiccMemoryResetResponse{EuiccMemoryResetResult::undefinedError}.check(), Error);
    CHECK_THROWS_AS(SetNicknameResponse{SetNicknameResult::iccidNotFound}.check(), Error);
    CHECK_THROWS_AS(DisableProfileResponse{DisableProfileResult::catBusy}.check(), Error);
    // An extension after the result is skipped.
    CHECK(EnableProfileResponse::decode(hex("BF3106800101810100")).enable_result ==
          EnableProfileResult::iccidOrAidNotFound);
}

TEST_CASE("es10c: eUICCMemoryReset, GetEID and SetNickname") {
    // All three reset options: the value lpac sends.
    EuiccMemoryResetRequest reset{make_bits({ResetOption::deleteOperationalProfiles,
                                             ResetOption::deleteFieldLoadedTestProfiles,
                                             ResetOption::resetDefaultSmdpAddress})};
    CHECK(reset.encode() == hex("BF3404820205E0"));
    auto reset_back = EuiccMemoryResetRequest::decode(hex("BF340482020780"));
    CHECK(bit_names<ResetOption>(reset_back.reset_options) == std::vector<std::string>{"deleteOperationalProfiles"});

    CHECK(GetEuiccDataRequest{}.encode() == hex("BF3E035C015A"));
    CHECK(GetEuiccDataRequest::decode(hex("BF3E035C015A")).tag_list == Bytes{0x5A});
    // OpenHarmony telephony_core_service test data.
    auto eid = GetEuiccDataResponse::decode(hex("BF3E125A1089086030202200000024000070951319"));
    CHECK(to_hex(eid.eid_value) == "89086030202200000024000070951319");
    CHECK(eid.encode() == hex("BF3E125A1089086030202200000024000070951319"));

    SetNicknameRequest nick{hex(kIccid1), "this-is-a-testprofile"};
    const Bytes nick_der = hex(std::string("BF2923 5A0A") + kIccid1 + "9015746869732d69732d612d7465737470726f66696c65");
    CHECK(nick.encode() == nick_der);
    auto nick_back = SetNicknameRequest::decode(nick_der);
    CHECK(nick_back.iccid == nick.iccid);
    CHECK(nick_back.profile_nickname == nick.profile_nickname);
    // An empty nickname is allowed (SIZE(0..64)).
    CHECK(SetNicknameRequest::decode(SetNicknameRequest{hex(kIccid1), ""}.encode()).profile_nickname.empty());
}

TEST_CASE("es10c: malformed input is rejected naming the message and field") {
    struct Case {
        const char* what;
        Bytes der;
        void (*decode)(ByteView);
        const char* expect;
    };
    auto list = [](ByteView b) { (void)ProfileInfoListResponse::decode(b); };
    auto enable = [](ByteView b) { (void)EnableProfileRequest::decode(b); };
    const Case cases[] = {
        {"truncated", hex("BF2D05A003"), list, "ProfileInfoListResponse"},
        {"trailing byte", hex("BF2D02A00000"), list, "ProfileInfoListResponse"},
        {"non-minimal length", hex("BF2D8102A000"), list, "ProfileInfoListResponse"},
        {"wrong message", hex("BF3103800100"), list, "expected tag BF2D"},
        {"short iccid", hex("BF2D0FA00DE30B5A09980010325476981032"), list, "ProfileInfo.iccid"},
        {"bad UTF-8", hex("BF2D07A005E303910180"), list, "ProfileInfo.serviceProviderName"},
        {"long SPN", hex("BF2D27A025E32391" "21" + std::string(66, '6')), list, "ProfileInfo.serviceProviderName"},
        {"icon type not INTEGER", hex("BF2D06A004E3029300"), list, "ProfileInfo.iconType"},
        {"out of order", hex("BF2D0BA009E3079201419F700101"), list, "out of order"},
        {"not E3", hex("BF2D04A002E200"), list, "profileInfoListOk"},
        {"bad alternative", hex("BF2D03820100"), list, "ProfileInfoListResponse"},
        {"missing refreshFlag", hex(std::string("BF310EA00C5A0A") + kIccid1), enable,
         "EnableProfileRequest.refreshFlag"},
        {"BER boolean", hex(std::string("BF3111A00C5A0A") + kIccid1 + "810101"), enable,
         "EnableProfileRequest.refreshFlag"},
        {"two identifiers", hex(std::string("BF311DA0185A0A") + kIccid1 + "5A0A" + kIccid1 + "8101FF"), enable,
         "EnableProfileRequest.profileIdentifier"},
        {"AID too long", hex("BF3218A0134F11" + std::string(34, 'a') + "810100"),
         [](ByteView b) { (void)DisableProfileRequest::decode(b); }, "DisableProfileRequest.profileIdentifier.isdpAid"},
        {"short EID", hex("BF3E115A0F" + std::string(30, '1')),
         [](ByteView b) { (void)GetEuiccDataResponse::decode(b); }, "GetEuiccDataResponse.eidValue"},
        {"long nickname", hex(std::string("BF294F5A0A") + kIccid1 + "9041" + std::string(130, '4')),
         [](ByteView b) { (void)SetNicknameRequest::decode(b); }, "SetNicknameRequest.profileNickname"},
        {"missing result", hex("BF3300"), [](ByteView b) { (void)DeleteProfileResponse::decode(b); },
         "DeleteProfileResponse.deleteResult: missing"},
        {"delete with tag 95", hex("BF3303950100"), [](ByteView b) { (void)DeleteProfileRequest::decode(b); },
         "DeleteProfileRequest"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        std::string msg = malformed_message_of([&] { c.decode(c.der); });
        CAPTURE(msg);
        CHECK(msg.find(c.expect) != std::string::npos);
    }
}

TEST_CASE("es10c: encode refuses values outside rsp.asn constraints") {
    auto invalid = [](auto&& f) {
        try {
            f();
        } catch (const Error& e) {
            return e.code() == Errc::InvalidArgument;
        }
        return false;
    };
    CHECK(invalid([] { SetNicknameRequest{Bytes(9, 0x98), "x"}.encode(); }));
    CHECK(invalid([] { SetNicknameRequest{Bytes(10, 0x98), std::string(65, 'x')}.encode(); }));
    CHECK(invalid([] { EnableProfileRequest{ProfileIdentifier::from_isdp_aid({}), false}.encode(); }));
    CHECK(invalid([] { GetEuiccDataResponse{Bytes(15, 0x89)}.encode(); }));
    ProfileInfo p;
    p.service_provider_name = std::string(33, 's');
    CHECK(invalid([&] { p.encode(); }));
    p.service_provider_name.reset();
    p.dp_proprietary_data = Bytes(127, 0);
    CHECK(invalid([&] { p.encode(); }));
}

TEST_CASE("es10c: round trip of every message through encode and decode") {
    ProfileInfo p;
    p.iccid = hex(kIccid19);
    p.isdp_aid = hex(kAid);
    p.profile_state = ProfileState{7};  // an unknown value survives
    p.profile_nickname = "caf\xc3\xa9";
    p.icon_type = IconType::jpg;
    p.icon = Bytes(1024, 0xAB);  // long-form length
    p.profile_class = ProfileClass::provisioning;
    p.notification_configuration_info = std::vector<NotificationConfigurationInformation>{};
    p.profile_owner = OperatorId{hex("21f354"), std::nullopt, hex("01")};
    p.profile_policy_rules = make_bits({PprId::ppr2, PprId::ppr3});
    ProfileInfoListResponse list{{p, ProfileInfo{}}, std::nullopt};
    auto list_back = ProfileInfoListResponse::decode(list.encode());
    REQUIRE(list_back.profiles.size() == 2);
    CHECK(list_back.profiles[0] == p);
    CHECK(list_back.profiles[1] == ProfileInfo{});
    CHECK(describe(*list_back.profiles[0].profile_state) == "unknown(7)");

    auto rt = [](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        return T::decode(msg.encode()).encode() == msg.encode();
    };
    CHECK(rt(EnableProfileRequest{ProfileIdentifier::from_iccid(hex(kIccid1)), false}));
    CHECK(rt(DisableProfileRequest{ProfileIdentifier::from_iccid(hex(kIccid1)), true}));
    CHECK(rt(DeleteProfileRequest{ProfileIdentifier::from_isdp_aid(hex("a000000559"))}));
    CHECK(rt(EuiccMemoryResetRequest{}));
    CHECK(rt(EnableProfileResponse{EnableProfileResult::disallowedByPolicy}));
    CHECK(rt(DisableProfileResponse{DisableProfileResult::iccidOrAidNotFound}));
    CHECK(rt(DeleteProfileResponse{DeleteProfileResult{300}}));
    CHECK(rt(EuiccMemoryResetResponse{EuiccMemoryResetResult::nothingToDelete}));
    CHECK(rt(SetNicknameResponse{SetNicknameResult::undefinedError}));
    CHECK(rt(GetEuiccDataResponse{hex("89049032123451234512345678901235")}));
    CHECK(rt(ProfileInfoListRequest{ProfileClass::operational, Bytes{0x5A, 0x9F, 0x70}}));
    CHECK(DeleteProfileResponse::decode(DeleteProfileResponse{DeleteProfileResult{300}}.encode()).delete_result ==
          DeleteProfileResult{300});
}
