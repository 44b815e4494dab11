// SPDX-License-Identifier: Apache-2.0
// End-to-end ES9+ downloads: the test LPA (smdpp_test_client.h) drives the virtual eUICC and the in-process test
// SM-DP+ over real HTTPS, verified against the test CI and the host name.
#include <doctest/doctest.h>

#include "tests/smdpp/smdpp_test_client.h"

using namespace lpad;
using namespace lpad::smdpp;
using namespace lpad::smdpp::testing;

namespace {

// Both digits of every byte equal, so the ProfileHeader coding (natural order) and the EF.ICCID / Iccid coding
// (nibbles swapped) are the same bytes: these tests do not depend on how the card reads the header. The coding
// itself is checked by "ICCID coding" below.
const std::string kIccid = "88449911223344556677";

void check_server_error(const Error& e, const std::string& subject, const std::string& reason) {
    INFO(e.what());
    CHECK(e.code() == Errc::ServerError);
    CHECK(e.subject_code == subject);
    CHECK(e.reason_code == reason);
}

}  // namespace

TEST_CASE("full download of a TS.48 profile: installed with the order's ICCID, result notified") {
    TestServer srv;
    srv.add_order("MID-FULL", kIccid);
    TestLpa lpa(srv);
    auto pir = lpa.download("MID-FULL");
    INFO((pir.succeeded() ? std::string("ok") : es10::describe(std::get<es10::ErrorResult>(pir.data.final_result).error_reason)));
    REQUIRE(pir.succeeded());
    CHECK(srv.state("MID-FULL") == OrderState::Installed);
    auto profiles = lpa.profiles();
    REQUIRE(profiles.size() == 1);
    CHECK(iccid_from_bcd(*profiles[0].iccid) == kIccid);
    auto notes = srv.server->notifications();
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].kind == "ProfileInstallationResult");
    CHECK(notes[0].verified);
    CHECK(notes[0].success);
    CHECK(srv.server->open_sessions() == 0);
    // The profile metadata the LPA showed is the one the card stored.
    auto md = es10::StoreMetadataRequest::decode(lpa.authenticate_client_response.profile_metadata);
    CHECK(iccid_from_bcd(md.iccid) == kIccid);
    CHECK(profiles[0].profile_name == md.profile_name);
    // SGP.22 §5.5: no segment is larger than 1,020 bytes.
    auto bpp = es10::BoundProfilePackage::decode(lpa.bound_profile_package);
    CHECK(bpp.second_sequence_of_87.has_value());
    for (const auto& seg : bpp.sequence_of_86) CHECK(seg.size() <= 1020);
    for (const auto& seg : bpp.sequence_of_88) CHECK(seg.size() <= 1020);
    CHECK(bpp.sequence_of_86.size() > 1);
}

// SAIP's ProfileHeader.iccid is in natural digit order (as TS.48 packages and pySim write it), EF.ICCID and the
// metadata in swapped BCD: an ICCID whose digits differ within a byte catches any mix-up on either side.
TEST_CASE("ICCID coding: a TS.48 profile installs with the order's ICCID") {
    const std::string iccid = "8949449999999990011";
    TestServer srv;
    srv.add_order("MID-ICCID", iccid);
    TestLpa lpa(srv);
    auto pir = lpa.download("MID-ICCID");
    INFO((pir.succeeded() ? std::string("ok") : es10::describe(std::get<es10::ErrorResult>(pir.data.final_result).error_reason)));
    REQUIRE(pir.succeeded());
    auto profiles = lpa.profiles();
    REQUIRE(profiles.size() == 1);
    CHECK(iccid_from_bcd(*profiles[0].iccid) == iccid);
}

TEST_CASE("an order is used once: a second download of the same matching ID is refused") {
    TestServer srv;
    srv.add_order("MID-ONCE", kIccid);
    TestLpa lpa(srv);
    REQUIRE(lpa.download("MID-ONCE").succeeded());
    TestLpa other(srv);
    other.initiate();
    check_server_error(error_of([&] { other.authenticate_client("MID-ONCE"); }), "8.2.6", "3.8");
}

TEST_CASE("unknown matching ID is refused with 8.2.6 / 3.8 and ends the session") {
    TestServer srv;
    srv.add_order("MID-KNOWN", kIccid);
    TestLpa lpa(srv);
    lpa.initiate();
    check_server_error(error_of([&] { lpa.authenticate_client("NO-SUCH-ID"); }), "8.2.6", "3.8");
    CHECK(srv.server->open_sessions() == 0);
    CHECK(srv.state("MID-KNOWN") == OrderState::Released);
}

TEST_CASE("replayed transactionId is unknown (8.10.1 / 3.9)") {
    TestServer srv;
    srv.add_order("MID-REPLAY", kIccid);
    TestLpa lpa(srv);
    lpa.initiate();
    Bytes asr = lpa.authenticate_server("MID-REPLAY");
    lpa.authenticate_client_response = lpa.es9p->authenticate_client({lpa.transaction_id, asr});
    SUBCASE("authenticateClient twice") {
        check_server_error(error_of([&] { lpa.es9p->authenticate_client({lpa.transaction_id, asr}); }), "8.10.1", "3.9");
    }
    SUBCASE("getBoundProfilePackage after the download") {
        lpa.prepare_download();
        lpa.get_bound_profile_package();
        check_server_error(error_of([&] { lpa.get_bound_profile_package(); }), "8.10.1", "3.9");
    }
    SUBCASE("a transactionId the server never issued") {
        check_server_error(error_of([&] { lpa.es9p->authenticate_client({"00112233445566778899AABBCCDDEEFF", asr}); }),
                           "8.10.1", "3.9");
    }
}

TEST_CASE("wrong SM-DP+ address in initiateAuthentication: 8.8.1 / 3.8") {
    TestServer srv;
    TestLpa lpa(srv);
    check_server_error(error_of([&] { lpa.initiate("other.example.com"); }), "8.8.1", "3.8");
}

TEST_CASE("confirmation code: required, wrong, right, retries exhausted") {
    TestServer srv;
    SUBCASE("required: ccRequiredFlag set, and the card refuses to go on without a code") {
        srv.add_order("MID-CC", kIccid, "1234");
        TestLpa lpa(srv);
        lpa.initiate();
        lpa.authenticate_client("MID-CC");
        CHECK(es10::SmdpSigned2::decode(lpa.authenticate_client_response.smdp_signed2).cc_required_flag);
        CHECK(error_of([&] { lpa.prepare_download(); }).code() == Errc::EuiccError);
    }
    SUBCASE("wrong then right") {
        srv.add_order("MID-CC", kIccid, "1234");
        {
            TestLpa lpa(srv);
            lpa.initiate();
            lpa.authenticate_client("MID-CC");
            lpa.prepare_download("9999");
            check_server_error(error_of([&] { lpa.get_bound_profile_package(); }), "8.2.7", "3.8");
            CHECK(srv.state("MID-CC") == OrderState::Released);
            CHECK(srv.server->order("MID-CC")->confirmation_attempts_left == 2);
        }
        TestLpa lpa(srv);
        REQUIRE(lpa.download("MID-CC", "1234").succeeded());
        CHECK(srv.state("MID-CC") == OrderState::Installed);
    }
    SUBCASE("the order ends after the last wrong code") {
        Order o;
        o.matching_id = "MID-CC2";
        o.profile_path = upp_path();
        o.iccid = kIccid;
        o.confirmation_code = "1234";
        o.max_confirmation_attempts = o.confirmation_attempts_left = 2;
        srv.server->add_order(o);
        for (std::string expected_reason : {"3.8", "6.4"}) {
            TestLpa lpa(srv);
            lpa.initiate();
            lpa.authenticate_client("MID-CC2");
            lpa.prepare_download("0000");
            check_server_error(error_of([&] { lpa.get_bound_profile_package(); }), "8.2.7", expected_reason);
        }
        CHECK(srv.state("MID-CC2") == OrderState::Cancelled);
        TestLpa lpa(srv);
        lpa.initiate();
        check_server_error(error_of([&] { lpa.authenticate_client("MID-CC2"); }), "8.8.5", "6.4");
    }
}

TEST_CASE("cancelSession: postponed and timeout keep the order, other reasons end it") {
    using R = es10::CancelSessionReason;
    struct Case {
        R reason;
        OrderState after;
    };
    const Case cases[] = {
        {R::endUserRejection, OrderState::Cancelled}, {R::postponed, OrderState::Released},
        {R::timeout, OrderState::Released},           {R::pprNotAllowed, OrderState::Cancelled},
        {R::metadataMismatch, OrderState::Cancelled}, {R::loadBppExecutionError, OrderState::Cancelled},
        {R::undefinedReason, OrderState::Cancelled},
    };
    for (const auto& c : cases) {
        CAPTURE(es10::describe(c.reason));
        TestServer srv;
        srv.add_order("MID-CANCEL", kIccid);
        TestLpa lpa(srv);
        lpa.initiate();
        lpa.authenticate_client("MID-CANCEL");
        lpa.cancel(c.reason);
        CHECK(srv.state("MID-CANCEL") == c.after);
        CHECK(srv.server->open_sessions() == 0);
        if (c.after == OrderState::Released) {
            TestLpa again(srv);
            CHECK(again.download("MID-CANCEL").succeeded());
        }
    }
}

TEST_CASE("handleNotification: 204, and the eUICC signature is checked") {
    TestServer srv;
    srv.add_order("MID-NOTE", kIccid);
    TestLpa lpa(srv);
    lpa.initiate();
    lpa.authenticate_client("MID-NOTE");
    lpa.prepare_download();
    lpa.get_bound_profile_package();
    REQUIRE(lpa.load_bound_profile_package().succeeded());
    Bytes genuine = lpa.profile_installation_result;
    // A forged result: one byte of euiccSignPIR changed. Accepted (no error for the LPA), not believed.
    auto forged = es10::ProfileInstallationResult::decode(genuine);
    forged.euicc_sign_pir[10] ^= 0x01;
    forged.raw.clear();
    lpa.profile_installation_result = forged.encode();
    lpa.send_installation_result();
    REQUIRE(srv.server->notifications().size() == 1);
    CHECK_FALSE(srv.server->notifications()[0].verified);
    CHECK(srv.state("MID-NOTE") == OrderState::Downloaded);
    lpa.profile_installation_result = genuine;
    lpa.send_installation_result();
    REQUIRE(srv.server->notifications().size() == 2);
    CHECK(srv.server->notifications()[1].verified);
    CHECK(srv.state("MID-NOTE") == OrderState::Installed);
}
