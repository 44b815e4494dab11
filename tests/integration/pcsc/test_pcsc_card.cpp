// SPDX-License-Identifier: Apache-2.0
// One virtual eUICC in "Virtual PCD 00 00" (PCSC_BRIDGE0), reached through the private pcscd: issue 3 (the EID over
// PC/SC), chip info, and profile management on a profile downloaded over PC/SC.
#include <PCSC/winscard.h>
#include <doctest/doctest.h>

#include "drivers/pcsc/pcsc_transport.h"
#include "integration/pcsc/pcsc_fixture.h"
#include "libapdu/es10_client.h"
#include "libapdu/es10c.h"
#include "libapdu/euicc_info.h"
#include "libapdu/identifiers.h"

using namespace lpad;
using namespace lpad::pcsc;
using namespace lpad::pcsc::testing;


TEST_CASE("issue 3: a PC/SC client reads the virtual eUICC's EID") {
    // Independently of the driver: plain winscard calls see the reader with the card's ATR.
    wait_for_card(kReader0);
    SCARDCONTEXT ctx = 0;
    REQUIRE(SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &ctx) == SCARD_S_SUCCESS);
    char names[1024];
    DWORD names_len = sizeof names;
    REQUIRE(SCardListReaders(ctx, nullptr, names, &names_len) == SCARD_S_SUCCESS);
    CHECK(std::string(names) == kReader0);
    SCARD_READERSTATE state{};
    state.szReader = kReader0.c_str();
    state.dwCurrentState = SCARD_STATE_UNAWARE;
    REQUIRE(SCardGetStatusChange(ctx, 0, &state, 1) == SCARD_S_SUCCESS);
    CHECK((state.dwEventState & SCARD_STATE_PRESENT) != 0);
    CHECK(Bytes(state.rgbAtr, state.rgbAtr + state.cbAtr) == from_hex("3B80800101"));
    SCardReleaseContext(ctx);

    // Through the driver and Es10Client: the EID is the one the test PKI issued the eUICC certificate for.
    auto transport = drivers::create_transport("pcsc:");
    Es10Client es10(*transport);
    es10.open();
    auto eid = es10.call(es10::GetEuiccDataRequest{}).eid_value;
    CHECK(eid == from_hex(pki_manifest()["eid"].get<std::string>()));
    CHECK(es10.channel() >= 1);
    CHECK(dynamic_cast<PcscTransport&>(*transport).reader() == kReader0);
}

TEST_CASE("driver: chip info, and a profile downloaded, enabled, disabled and deleted over PC/SC") {
    wait_for_card(kReader0);
    PcscTransport transport(PcscOptions::from_uri(drivers::DriverUri::parse("pcsc:reader=Virtual PCD 00 00")));
    Es10Client es10(transport);
    es10.open();

    auto info = es10.call(es10::GetEuiccInfo2Request{});
    const Bytes ci_ski = from_hex(pki_manifest()["ci_ski"]["NIST"].get<std::string>());
    CHECK(std::find(info.euicc_ci_pkid_list_for_verification.begin(), info.euicc_ci_pkid_list_for_verification.end(),
                    ci_ski) != info.euicc_ci_pkid_list_for_verification.end());
    CHECK(profiles(es10).empty());

    // A download is a few kilobytes over short APDUs with GET RESPONSE: the whole PC/SC path under load.
    const auto md = download_test_profile(es10);
    auto list = profiles(es10);
    REQUIRE(list.size() == 1);
    CHECK(list[0].iccid == md.iccid);
    CHECK(list[0].profile_state == es10::ProfileState::disabled);

    const auto id = es10::ProfileIdentifier::from_iccid(md.iccid);
    CHECK(es10.call(es10::EnableProfileRequest{id, false}).enable_result == es10::EnableProfileResult::ok);
    CHECK(profiles(es10)[0].profile_state == es10::ProfileState::enabled);
    CHECK(es10.call(es10::DisableProfileRequest{id, false}).disable_result == es10::DisableProfileResult::ok);
    CHECK(es10.call(es10::DeleteProfileRequest{id}).delete_result == es10::DeleteProfileResult::ok);
    CHECK(profiles(es10).empty());

    // The session ends without resetting the card; a new one on the same card sees the same state.
    es10.close();
    CHECK_FALSE(transport.is_open());
    es10.open();
    CHECK(profiles(es10).empty());
}
