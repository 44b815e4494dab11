// SPDX-License-Identifier: Apache-2.0
// CardSession on the virtual eUICC: chip facts and local profile management, with the eUICC's error codes.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "lpad/core/download.h"
#include "fakes/replay_transport.h"
#include "unit/core/core_fixture.h"

using namespace lpad;
using namespace lpad::core;
using namespace lpad::core::testing;

namespace {

nlohmann::json pki_manifest() {
    std::ifstream in(pki_dir() + "/pki.json");
    return nlohmann::json::parse(in);
}

int euicc_result(const std::function<void()>& f, std::string* function = nullptr) {
    Error e(Errc::Internal, "");
    REQUIRE(error_of(f, &e) == Errc::EuiccError);
    if (function) *function = e.euicc_function;
    return e.euicc_result.value_or(-1);
}

// Two profiles installed (notifications left on the card).
struct Loaded {
    Server s;
    Card c;
    CurlServerConnector net{s.trust()};
    Bytes a = iccid_to_bcd("88449911223344556600"), b = iccid_to_bcd("88449911223344556611");
    Loaded() {
        s.order("MID-A", "88449911223344556600");
        s.order("MID-B", "88449911223344556611", "TS48v4_SAIP2.3_BERTLV.der");
        DownloadOptions o;
        o.send_notifications = false;
        download(*c.session, net, s.ac("MID-A"), o);
        download(*c.session, net, s.ac("MID-B"), o);
    }
    std::optional<es10::ProfileInfo> profile(const Bytes& iccid) {
        for (auto& p : c.session->profiles())
            if (p.iccid && equal(*p.iccid, iccid)) return p;
        return std::nullopt;
    }
};

}  // namespace

TEST_CASE("core: chip info") {
    Card c;
    auto m = pki_manifest();
    CHECK(eid_to_string(c.session->eid()) == m["eid"].get<std::string>());
    auto info1 = c.session->euicc_info1();
    Bytes ci = from_hex(m["ci_ski"]["NIST"].get<std::string>());
    CHECK(std::any_of(info1.euicc_ci_pkid_list_for_verification.begin(),
                      info1.euicc_ci_pkid_list_for_verification.end(), [&](const Bytes& k) { return equal(k, ci); }));
    CHECK(equal(c.session->euicc_info1_der(), info1.encode()));
    auto info2 = c.session->euicc_info2();
    CHECK(info2.svn == info1.svn);
    CHECK(!c.session->configured_addresses().root_ds_address.empty());
    c.session->set_default_dp_address("smdp.example.com");
    CHECK(c.session->configured_addresses().default_dp_address == "smdp.example.com");
    c.session->set_default_dp_address("");
    auto cleared = c.session->configured_addresses().default_dp_address;
    CHECK((!cleared || cleared->empty()));
    CHECK_NOTHROW(c.session->rat());
}

TEST_CASE("core: profile list asks only for the needed tags") {
    Bytes plain = profile_tag_list({});
    Bytes with_icons = profile_tag_list({true, false, std::nullopt});
    auto has = [](const Bytes& list, std::uint8_t tag) { return std::find(list.begin(), list.end(), tag) != list.end(); };
    CHECK(has(plain, 0x5A));
    CHECK(has(plain, 0x92));
    CHECK(!has(plain, 0x94));
    CHECK(has(with_icons, 0x94));
    CHECK(has(profile_tag_list({false, true, std::nullopt}), 0x99));

    Loaded l;
    auto list = l.c.session->profiles();
    REQUIRE(list.size() == 2);
    for (const auto& p : list) {
        CHECK(p.iccid);
        CHECK(p.isdp_aid);
        CHECK(p.profile_state == es10::ProfileState::disabled);
        CHECK(!p.icon);
    }
    CHECK(l.profile(l.a)->profile_name == "Test MID-A");
    ProfileQuery one;
    one.search = es10::ProfileIdentifier::from_iccid(l.b);
    auto only = l.c.session->profiles(one);
    REQUIRE(only.size() == 1);
    CHECK(equal(*only[0].iccid, l.b));
}

TEST_CASE("core: enable, disable, delete, nickname and their eUICC errors") {
    Loaded l;
    auto& card = *l.c.session;
    auto id_a = es10::ProfileIdentifier::from_iccid(l.a);
    auto id_b = es10::ProfileIdentifier::from_iccid(l.b);

    card.enable(id_a, false);
    CHECK(l.profile(l.a)->profile_state == es10::ProfileState::enabled);
    std::string fn;
    CHECK(euicc_result([&] { card.enable(id_a, false); }, &fn) == 2);  // profileNotInDisabledState
    CHECK(fn == "EnableProfile");
    CHECK(euicc_result([&] { card.delete_profile(id_a); }) == 2);     // enabled: not deletable
    CHECK(euicc_result([&] { card.disable(id_b, false); }) == 2);     // profileNotInEnabledState
    auto unknown = es10::ProfileIdentifier::from_iccid(iccid_to_bcd("88449911223344550000"));
    CHECK(euicc_result([&] { card.enable(unknown, false); }) == 1);  // iccidOrAidNotFound
    CHECK(euicc_result([&] { card.delete_profile(unknown); }) == 1);

    // Enabling B switches A off (one enabled profile); by ISD-P AID as some cards need.
    card.enable(es10::ProfileIdentifier::from_isdp_aid(*l.profile(l.b)->isdp_aid), true);
    CHECK(l.profile(l.b)->profile_state == es10::ProfileState::enabled);
    CHECK(l.profile(l.a)->profile_state == es10::ProfileState::disabled);
    card.disable(id_b, false);
    card.delete_profile(id_a);
    CHECK(!l.profile(l.a));

    card.set_nickname(l.b, "Мой профиль ✓");
    CHECK(l.profile(l.b)->profile_nickname == "Мой профиль ✓");
    CHECK(error_of([&] { card.set_nickname(l.b, std::string(65, 'x')); }) == Errc::InvalidArgument);
    CHECK(error_of([&] { card.set_nickname(l.b, "\xC3\x28"); }) == Errc::InvalidArgument);
    // Control characters would reach every terminal that lists the profile (issue 11 item 8).
    for (const std::string& bad : std::vector<std::string>{"a\x1b[2J", "two\r\nlines", "tab\t", "del\x7f",
                                                           "c1 \xc2\x9b" "2J", std::string("nul\0", 4)})
        CHECK(error_of([&] { card.set_nickname(l.b, bad); }) == Errc::InvalidArgument);
    CHECK(l.profile(l.b)->profile_nickname == "Мой профиль ✓");  // unchanged by the refused ones
    card.set_nickname(l.b, std::string(64, 'x'));  // exactly 64 bytes is fine
    CHECK(euicc_result([&] { card.set_nickname(iccid_to_bcd("88449911223344550000"), "n"); }) == 1);

    card.memory_reset(es10::make_bits({es10::ResetOption::deleteOperationalProfiles,
                                       es10::ResetOption::deleteFieldLoadedTestProfiles}));
    CHECK(card.profiles().empty());
    CHECK(euicc_result([&] { card.memory_reset(es10::make_bits({es10::ResetOption::deleteOperationalProfiles})); }) ==
          1);  // nothingToDelete
}

TEST_CASE("core: Le 00 on STORE DATA by default, dropped once for a card that refuses it") {
    using lpad::test::ReplayTransport;
    const char* open_ch1[2] = {"00 70 00 00 01", "01 9000"};
    const char* select[2] = {"01 a4 04 00 10 a0000005591010ffffffff8900000100 00",
                             "6f108410a0000005591010ffffffff8900000100 9000"};
    // ApduExchange holds views: the frames must outlive the transport.
    const std::string eid_ok = "bf3e125a1089049032123451234512345678901235 9000";
    SUBCASE("a card that answers directly saves the GET RESPONSE") {
        ReplayTransport t({{open_ch1[0], open_ch1[1]},
                           {select[0], select[1]},
                           {"81 e2 91 00 06 bf3e035c015a 00", eid_ok},
                           {"00 70 80 01", "9000"}});
        CardSession card(t);
        CHECK(to_hex(card.eid()) == "89049032123451234512345678901235");
        card.close();
        CHECK(t.exhausted());
    }
    SUBCASE("6700 on Le: resent without Le, and later commands keep it off") {
        ReplayTransport t({{open_ch1[0], open_ch1[1]},
                           {select[0], select[1]},
                           {"81 e2 91 00 06 bf3e035c015a 00", "6700"},
                           {"81 e2 91 00 06 bf3e035c015a", "6114"},
                           {"81 c0 00 00 14", eid_ok},
                           {"81 e2 91 00 06 bf3e035c015a", eid_ok},
                           {"00 70 80 01", "9000"}});
        CardSession card(t);
        CHECK(to_hex(card.eid()) == "89049032123451234512345678901235");
        CHECK(to_hex(card.eid()) == "89049032123451234512345678901235");
        card.close();
        CHECK(t.exhausted());
    }
    SUBCASE("a card that refuses both Le and the block size still gets an error, not a loop") {
        ReplayTransport t({{open_ch1[0], open_ch1[1]},
                           {select[0], select[1]},
                           {"81 e2 91 00 06 bf3e035c015a 00", "6700"},
                           {"81 e2 91 00 06 bf3e035c015a", "6700"},
                           {"00 70 80 01", "9000"}});
        CardSession card(t);
        try {
            (void)card.eid();
            FAIL("expected a CardError");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::CardError);
            CHECK(e.status_word == 0x6700);
        }
        card.close();
        CHECK(t.exhausted());
    }
}
