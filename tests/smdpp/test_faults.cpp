// SPDX-License-Identifier: Apache-2.0
// Every fault switch of the test SM-DP+, observed by the test LPA as the error a real LPA would see; and ES11.
#include <doctest/doctest.h>

#include <chrono>
#include <algorithm>
#include <functional>

#include "libfile/file.h"
#include "tests/smdpp/saip.h"
#include "tests/smdpp/smdpp_test_client.h"

using namespace lpad;
using namespace lpad::smdpp;
using namespace lpad::smdpp::testing;

namespace {

const std::string kIccid = "88449911223344556677";  // header and EF codings coincide (see test_download.cpp)

// What the download ended with: the first lpad::Error, or the card's ProfileInstallationResult.
struct Outcome {
    std::optional<Error> error;
    std::optional<es10::ProfileInstallationResult> pir;
};

Outcome run_download(TestServer& srv, const std::string& mid) {
    TestLpa lpa(srv);
    Outcome out;
    try {
        lpa.initiate();
        lpa.authenticate_client(mid);
        lpa.prepare_download();
        lpa.get_bound_profile_package();
        out.pir = lpa.load_bound_profile_package();
    } catch (const Error& e) {
        out.error = e;
    }
    return out;
}

std::function<void(const Outcome&)> error_is(Errc code, std::optional<int> http = std::nullopt) {
    return [=](const Outcome& o) {
        REQUIRE(o.error);
        INFO(o.error->what());
        CHECK(errc_name(o.error->code()) == errc_name(code));
        if (http) CHECK(o.error->http_status == http);
    };
}

std::function<void(const Outcome&)> install_fails(es10::BppCommandId command, es10::ErrorReason reason) {
    return [=](const Outcome& o) {
        if (o.error) FAIL(o.error->what());
        REQUIRE(o.pir);
        REQUIRE_FALSE(o.pir->succeeded());
        const auto& err = std::get<es10::ErrorResult>(o.pir->data.final_result);
        CHECK(es10::describe(err.bpp_command_id) == es10::describe(command));
        CHECK(es10::describe(err.error_reason) == es10::describe(reason));
    };
}

}  // namespace

TEST_CASE("fault switches are seen by the LPA as the right error") {
    using es10::BppCommandId;
    using es10::ErrorReason;
    struct Case {
        std::string fault;
        std::function<void(const Outcome&)> expect;
    };
    const std::vector<Case> cases = {
        {"close@initiateAuthentication", error_is(Errc::HttpError)},
        {"http500@initiateAuthentication", error_is(Errc::HttpError, 500)},
        {"malformed-json@initiateAuthentication", error_is(Errc::MalformedData)},
        {"bad-signature@initiateAuthentication", error_is(Errc::EuiccError)},  // AuthenticateServer: invalidSignature
        {"wrong-transaction-id@initiateAuthentication", error_is(Errc::ProtocolViolation)},
        {"wrong-signed-transaction-id@initiateAuthentication", error_is(Errc::ProtocolViolation)},
        {"wrong-address@initiateAuthentication", error_is(Errc::ProtocolViolation)},
        {"close@authenticateClient", error_is(Errc::HttpError)},
        {"http500@authenticateClient/MID-F", error_is(Errc::HttpError, 500)},
        {"malformed-json@authenticateClient", error_is(Errc::MalformedData)},
        {"bad-signature@authenticateClient", error_is(Errc::EuiccError)},  // PrepareDownload: invalidSignature
        {"wrong-transaction-id@authenticateClient", error_is(Errc::ProtocolViolation)},
        {"wrong-signed-transaction-id@authenticateClient", error_is(Errc::ProtocolViolation)},
        {"close@getBoundProfilePackage/MID-F+", error_is(Errc::HttpError)},
        {"http500@getBoundProfilePackage", error_is(Errc::HttpError, 500)},
        {"malformed-json@getBoundProfilePackage", error_is(Errc::MalformedData)},
        {"wrong-transaction-id@getBoundProfilePackage", error_is(Errc::ProtocolViolation)},
        {"bad-signature@getBoundProfilePackage",
         install_fails(BppCommandId::initialiseSecureChannel, ErrorReason::invalidSignature)},
        {"wrong-signed-transaction-id@getBoundProfilePackage",
         install_fails(BppCommandId::initialiseSecureChannel, ErrorReason::invalidTransactionId)},
        {"bad-mac@getBoundProfilePackage",
         install_fails(BppCommandId::loadProfileElements, ErrorReason::scp03tSecurityError)},
    };
    for (const auto& c : cases) {
        CAPTURE(c.fault);
        TestServer srv;
        srv.add_order("MID-F", kIccid);
        srv.server->add_fault(Fault::parse(c.fault));
        c.expect(run_download(srv, "MID-F"));
        // One-shot faults are gone (persistent ones are cleared): the next attempt is clean, the order still
        // downloadable unless the BPP went out. (close@getBoundProfilePackage is persistent above: the LPA sends
        // that one once more on a new connection when a reused one closes before any answer; es9p_client.cpp.)
        srv.server->clear_faults();
        if (srv.state("MID-F") == OrderState::Released) {
            auto again = run_download(srv, "MID-F");
            CHECK_FALSE(again.error);
            CHECK((again.pir && again.pir->succeeded()));
        }
    }
}

TEST_CASE("a fault for another matching ID does not fire, a persistent one fires every time") {
    TestServer srv;
    srv.add_order("MID-A", kIccid);
    srv.server->add_fault(Fault::parse("http500@authenticateClient/MID-OTHER"));
    auto o = run_download(srv, "MID-A");
    CHECK_FALSE(o.error);
    srv.server->add_fault(Fault::parse("http500@initiateAuthentication+"));
    for (int i = 0; i < 2; ++i) error_is(Errc::HttpError, 500)(run_download(srv, "MID-A"));
}

TEST_CASE("delay fault: the answer comes after the delay") {
    TestServer srv;
    srv.add_order("MID-D", kIccid);
    srv.server->add_fault(Fault::parse("delay=400@initiateAuthentication"));
    TestLpa lpa(srv);
    auto t0 = std::chrono::steady_clock::now();
    lpa.initiate();
    CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(400));
}

TEST_CASE("fault specs: parse and print, bad ones rejected") {
    for (std::string s : {"close@getBoundProfilePackage", "delay=1500@authenticateClient+", "bad-mac@*/MID-2",
                          "wrong-address@initiateAuthentication"})
        CHECK(Fault::parse(s).to_string() == s);
    for (std::string s : {"", "close", "explode@initiateAuthentication", "close@nothing", "delay@cancelSession",
                          "close=5@cancelSession", "close@cancelSession/"})
        CHECK_THROWS_AS(Fault::parse(s), Error);
}

TEST_CASE("ES11: event records for the eUICC's EID, on the es9plus and the es11 path") {
    for (std::string path : {std::string(es9p::kEs11DefaultPath), std::string(es9p::kEs11AlternatePath)}) {
        CAPTURE(path);
        TestServer srv;
        TestLpa lpa(srv);
        std::string eid = eid_to_string(lpa.es10->call(es10::GetEuiccDataRequest{}).eid_value);
        srv.server->add_event({eid, "EVENT-1", "smdp.example.com"});
        srv.server->add_event({"89049032123451234512345678901335", "EVENT-OTHER", "x.example.com"});
        es9p::Es11Client es11(*lpa.http, srv.address, path);
        Bytes challenge = lpa.es10->call(es10::GetEuiccChallengeRequest{}).euicc_challenge;
        Bytes info1 = lpa.es10->transceive(es10::GetEuiccInfo1Request{}.encode());
        auto init = es11.initiate_authentication({challenge, info1, srv.address});
        CHECK(x509::Certificate::from_der(init.server_certificate).has_role(x509::Role::DsAuth));
        lpa.last_initiate = init;
        lpa.transaction_id = init.transaction_id;
        Bytes asr = lpa.authenticate_server("");
        auto resp = es11.authenticate_client({init.transaction_id, asr});
        REQUIRE(resp.event_entries.size() == 1);
        CHECK(resp.event_entries[0].event_id == "EVENT-1");
        CHECK(resp.event_entries[0].rsp_server_address == "smdp.example.com");
    }
}

TEST_CASE("TLS: a host name the certificate does not name is refused by the LPA") {
    TestServer srv;
    es9p::CurlOptions co;
    co.ca_file = pki_dir() + "/trust/test-ci.pem";
    co.resolve.push_back("wrong.example.com:" + std::to_string(srv.port()) + ":127.0.0.1");
    es9p::CurlHttpClient http(co);
    es9p::Es9pClient client(http, "wrong.example.com:" + std::to_string(srv.port()));
    auto e = error_of([&] { client.initiate_authentication({Bytes(16), Bytes{0xBF, 0x20, 0x00}, "x"}); });
    CHECK(e.code() == Errc::TlsError);
}

TEST_CASE("SAIP personalisation: header ICCID in natural order, EF.ICCID swapped, nothing else changed") {
    Bytes upp = file::read(upp_path());
    auto before = read_saip(upp);
    CHECK(before.iccid == "89000123456789012341");
    Bytes out = personalise_saip(upp, "8949449999999990011");
    CHECK(read_saip(out).iccid == "8949449999999990011");
    REQUIRE(out.size() == upp.size());
    std::size_t changed = 0;
    for (std::size_t i = 0; i < out.size(); ++i) changed += out[i] != upp[i];
    CHECK(changed <= 20);
    // The EF.ICCID content is the swapped form.
    Bytes ef = iccid_to_bcd("8949449999999990011");
    CHECK(std::search(out.begin(), out.end(), ef.begin(), ef.end()) != out.end());
    CHECK(to_hex(iccid_header_bcd("8949449999999990011")) == "8949449999999990011f");
    CHECK_THROWS_AS(personalise_saip(upp, "123"), Error);
    CHECK_THROWS_AS(read_saip(Bytes{0x30, 0x00}), Error);
}
