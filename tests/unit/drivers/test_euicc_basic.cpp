// SPDX-License-Identifier: Apache-2.0
// The virtual eUICC (drivers/virtual/euicc.h) through the `virtual:` transport: identity, EUICCInfo, EID,
// addresses, challenge, RAT, refusal of bad commands, and the state file (creation, reload, atomic writes).
#include <doctest/doctest.h>

#include <openssl/objects.h>

#include "drivers/virtual/euicc_state.h"
#include "libapdu/es10a.h"
#include "libapdu/euicc_info.h"
#include "libapdu/identifiers.h"
#include "libfile/file.h"
#include "unit/drivers/euicc_test_rig.h"

using namespace lpad;
using namespace lpad::virtual_euicc;
using namespace lpad::virtual_euicc::testing;

namespace {

std::string pki_eid() {
    auto cert = file::certificate(pki_file("eUICC/CERT_EUICC_ECDSA_NIST.der"));
    return *cert.subject_field(NID_serialNumber);
}

}  // namespace

TEST_CASE("euicc: created from the test PKI: EID, EUICCInfo1/2 name our CI and capabilities") {
    TempDir dir;
    CardRig rig(card_uri(dir.file("card.json")));
    auto ci_ski = file::certificate(pki_file("CertificateIssuer/CERT_CI_ECDSA_NIST.der")).subject_key_id();

    CHECK(eid_to_string(rig.call(es10::GetEuiccDataRequest{}).eid_value) == pki_eid());

    auto info1 = rig.call(es10::GetEuiccInfo1Request{});
    CHECK(info1.svn == "2.2.2");
    REQUIRE(info1.euicc_ci_pkid_list_for_signing.size() == 1);
    CHECK(info1.euicc_ci_pkid_list_for_signing[0] == ci_ski);
    CHECK(info1.euicc_ci_pkid_list_for_verification.size() == 2);  // the NIST and BRP CIs of the PKI

    auto info2 = rig.call(es10::GetEuiccInfo2Request{});
    CHECK(info2.svn == "2.2.2");
    CHECK(info2.profile_version == "2.3.1");
    CHECK(info2.euicc_ci_pkid_list_for_signing == info1.euicc_ci_pkid_list_for_signing);
    CHECK(info2.rsp_capability.test(static_cast<std::size_t>(es10::RspCapability::testProfileSupport)));
    CHECK(info2.uicc_capability.test(static_cast<std::size_t>(es10::UiccCapability::usimSupport)));
    auto res = info2.ext_card_resource_info();
    CHECK(res.installed_applications == 0u);
    CHECK(res.free_non_volatile_memory > 0u);
    CHECK(fs::exists(dir.file("card.json")));
}

TEST_CASE("euicc: GetEuiccData honours the tagList") {
    TempDir dir;
    CardRig rig(card_uri(dir.file("card.json")));
    es10::GetEuiccDataRequest other;
    other.tag_list = Bytes{0x5F};
    CHECK(rig.client->transceive(other.encode()) == tlv::make(0xBF3E, Bytes{}));
    CHECK(rig.call(es10::GetEuiccDataRequest{}).eid_value.size() == 16);
}

TEST_CASE("euicc: configured addresses, SetDefaultDpAddress, challenge, RAT") {
    TempDir dir;
    CardRig rig(card_uri(dir.file("card.json")));
    auto addr = rig.call(es10::EuiccConfiguredAddressesRequest{});
    CHECK(addr.root_ds_address == "lpa.ds.gsma.com");
    CHECK_FALSE(addr.default_dp_address);

    es10::SetDefaultDpAddressRequest set;
    set.default_dp_address = "smdp.example.com";
    rig.call(set).check();
    CHECK(rig.call(es10::EuiccConfiguredAddressesRequest{}).default_dp_address == "smdp.example.com");
    set.default_dp_address.clear();
    rig.call(set).check();
    CHECK_FALSE(rig.call(es10::EuiccConfiguredAddressesRequest{}).default_dp_address);

    auto c1 = rig.call(es10::GetEuiccChallengeRequest{}).euicc_challenge;
    auto c2 = rig.call(es10::GetEuiccChallengeRequest{}).euicc_challenge;
    CHECK(c1.size() == 16);
    CHECK(c1 != c2);

    auto rat = rig.call(es10::GetRatRequest{});
    REQUIRE(rat.rat.size() == 1);
    CHECK(rat.rat[0].ppr_ids.test(static_cast<std::size_t>(es10::PprId::ppr1)));
}

TEST_CASE("euicc: unparsable or unknown commands get 6A80, as a card answers") {
    TempDir dir;
    CardRig rig(card_uri(dir.file("card.json")));
    struct Case {
        const char* name;
        Bytes command;
    };
    const Case cases[] = {
        {"unknown ES10 tag", tlv::make(0xBF7F, Bytes{})},
        {"ProfileInfoList with a bad search criterion", from_hex("BF2D03A00100")},
        {"EnableProfile without identifier", from_hex("BF3100")},
        {"NotificationSent without seqNumber", from_hex("BF3000")},
        {"AuthenticateServer garbage", from_hex("BF380401020304")},
        {"BPP piece without a session", from_hex("BF3603BF2300")},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        std::uint16_t sw = refused_with(*rig.client, c.command);
        CHECK((sw == 0x6A80 || (std::string(c.name).rfind("BPP", 0) == 0 && sw == 0x6985)));
    }
    // The card still works afterwards.
    CHECK(rig.call(es10::GetEuiccDataRequest{}).eid_value.size() == 16);
}

TEST_CASE("euicc: eid= of the PKI's own eUICC, bad EIDs refused, a missing state file needs pki=") {
    TempDir dir;
    CHECK_NOTHROW(CardRig(card_uri(dir.file("a.json")) + "&eid=" + pki_eid()));
    CHECK_THROWS_AS(CardRig(card_uri(dir.file("b.json")) + "&eid=89049032123451234512345678901335"), Error);  // check digits
    CHECK_FALSE(fs::exists(dir.file("b.json")));
    CHECK_THROWS_AS(CardRig("virtual:" + dir.file("c.json")), Error);
    // An existing state file no longer needs pki=.
    CHECK_NOTHROW(CardRig("virtual:" + dir.file("a.json")));
}

TEST_CASE("euicc: the state file reloads as the same card and is replaced atomically") {
    TempDir dir;
    const std::string path = dir.file("card.json");
    Bytes eid;
    {
        CardRig rig(card_uri(path));
        eid = rig.call(es10::GetEuiccDataRequest{}).eid_value;
        es10::SetDefaultDpAddressRequest set;
        set.default_dp_address = "dp.example.org";
        rig.call(set).check();
    }
    // A crash mid-write leaves only a temp file next to the intact old state: it is ignored.
    { std::ofstream(path + ".tmp.99999") << "{ half written"; }
    {
        CardRig rig("virtual:" + path);
        CHECK(rig.call(es10::GetEuiccDataRequest{}).eid_value == eid);
        CHECK(rig.call(es10::EuiccConfiguredAddressesRequest{}).default_dp_address == "dp.example.org");
    }
    // Saving leaves no temp file of its own, and a failed save leaves the old file untouched.
    auto state = EuiccState::load(path);
    state.root_ds_address = "ds.example.org";
    state.save(path);
    for (const auto& e : fs::directory_iterator(dir.path))
        if (e.path().filename() != "card.json.tmp.99999")
            CHECK(e.path().filename().string().find(".tmp.") == std::string::npos);
    CHECK(EuiccState::load(path).root_ds_address == "ds.example.org");
    CHECK_THROWS_AS(state.save(dir.file("missing-dir/card.json")), Error);
    CHECK(EuiccState::from_json(state.to_json()).to_json() == state.to_json());
    CHECK_THROWS_AS(EuiccState::from_json("{\"format\": \"lpad-virtual-euicc/1\"}"), Error);
}

TEST_CASE("euicc: ISD-P AIDs follow the field pattern") {
    CHECK(to_hex(isdp_aid_for(0x10)) == to_hex(from_hex("A0000005591010FFFFFFFF8900001000")));
    CHECK(to_hex(isdp_aid_for(0x11)) == to_hex(from_hex("A0000005591010FFFFFFFF8900001100")));
    CHECK(to_hex(isdp_aid_for(0x123)) == to_hex(from_hex("A0000005591010FFFFFFFF8900012300")));
}
