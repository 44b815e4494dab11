// SPDX-License-Identifier: Apache-2.0
// Interrupted downloads (SGP.22 §3.1.3.2/§3.1.3.3, bppEuiccOtpk): an order left "downloaded" is retried by the same
// eUICC with the package bound before; an eUICC that no longer holds the one-time key gets "BPP not available for
// a new binding" (8.2 / 3.7); a package never reported installed is discarded after the session timeout; the state
// file carries orders, sessions and bound packages over a restart. Real HTTPS, the virtual eUICC with a state file
// (a "new process" is a new card object on the same file).
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>

#include <nlohmann/json.hpp>

#include "libfile/file.h"
#include "tests/smdpp/smdpp_test_client.h"
#include "tests/unit/test_support.h"

using namespace lpad;
using namespace lpad::smdpp;
using namespace lpad::smdpp::testing;
using namespace std::chrono_literals;

namespace {

const std::string kIccid = "88449911223344556677";

using lpad::test::TempDir;

struct ManualClock {
    std::shared_ptr<std::atomic<std::int64_t>> seconds = std::make_shared<std::atomic<std::int64_t>>(0);
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    void install(SmdpServer& server) const {
        server.set_clock([s = seconds, t0 = start] { return t0 + std::chrono::seconds(s->load()); });
    }
    void advance(std::chrono::seconds d) const { *seconds += d.count(); }
};

// The test SM-DP+ on a given port (0: any), so a "restarted" one can take its predecessor's address.
struct Smdp {
    std::unique_ptr<SmdpServer> server;
    std::unique_ptr<HttpsFrontEnd> front;
    std::string address;
    Smdp(ServerOptions o, int port = 0) {
        o.address = kHost + ":" + std::to_string(port);
        server = std::make_unique<SmdpServer>(ServerPki::load({pki_dir()}), o);
        front = std::make_unique<HttpsFrontEnd>(*server, "127.0.0.1", port);
        address = kHost + ":" + std::to_string(front->port());
        server->set_address(address);
        front->start();
    }
    int port() const { return front->port(); }
    OrderState state(const std::string& mid) const { return server->order(mid).value().state; }
};

void add_order(SmdpServer& s, const std::string& mid) {
    Order o;
    o.matching_id = mid;
    o.profile_path = upp_path();
    o.iccid = kIccid;
    s.add_order(o);
}

void check_server_error(const Error& e, const std::string& subject, const std::string& reason) {
    INFO(e.what());
    CHECK(e.code() == Errc::ServerError);
    CHECK(e.subject_code == subject);
    CHECK(e.reason_code == reason);
}

std::string card_uri(const std::string& state) { return "virtual:" + state + "?pki=" + pki_dir(); }

Bytes euicc_otpk_of(const TestLpa& lpa) {
    return es10::PrepareDownloadResponse::decode(lpa.prepare_download_response).ok().euicc_signed2.euicc_otpk;
}

// Up to getBoundProfilePackage, then the LPA "dies": the card (its process) is dropped before loading.
Bytes stop_after_get_bpp(int port, const std::string& address, const std::string& card, const std::string& mid,
                         Bytes* bpp = nullptr) {
    TestLpa lpa(port, address, card_uri(card));
    lpa.initiate();
    lpa.authenticate_client(mid);
    CHECK_FALSE(es10::SmdpSigned2::decode(lpa.authenticate_client_response.smdp_signed2).bpp_euicc_otpk);
    lpa.prepare_download();
    Bytes got = lpa.get_bound_profile_package();
    if (bpp) *bpp = got;
    return euicc_otpk_of(lpa);
}

}  // namespace

TEST_CASE("resume: the same eUICC retrying a downloaded order gets bppEuiccOtpk and the bound package, it installs") {
    TempDir dir;
    Smdp srv({});
    add_order(*srv.server, "MID-RESUME");
    Bytes first_bpp;
    Bytes otpk = stop_after_get_bpp(srv.port(), srv.address, dir.file("card.json"), "MID-RESUME", &first_bpp);
    CHECK(srv.state("MID-RESUME") == OrderState::Downloaded);
    REQUIRE(srv.server->bound_package("MID-RESUME"));
    CHECK(srv.server->bound_package("MID-RESUME")->euicc_otpk == otpk);

    TestLpa lpa(srv.port(), srv.address, card_uri(dir.file("card.json")));
    lpa.initiate();
    lpa.authenticate_client("MID-RESUME");
    auto signed2 = es10::SmdpSigned2::decode(lpa.authenticate_client_response.smdp_signed2);
    REQUIRE(signed2.bpp_euicc_otpk);
    CHECK(*signed2.bpp_euicc_otpk == otpk);
    lpa.prepare_download();
    CHECK(euicc_otpk_of(lpa) == otpk);  // the card reused its key
    Bytes bpp = lpa.get_bound_profile_package();
    // The same bound package: the protected segments are byte for byte the first ones; InitialiseSecureChannel
    // names this session and is signed again.
    auto a = es10::BoundProfilePackage::decode(first_bpp), b = es10::BoundProfilePackage::decode(bpp);
    CHECK(a.first_sequence_of_87 == b.first_sequence_of_87);
    CHECK(a.sequence_of_88 == b.sequence_of_88);
    CHECK(a.second_sequence_of_87 == b.second_sequence_of_87);
    CHECK(a.sequence_of_86 == b.sequence_of_86);
    CHECK(a.initialise_secure_channel_request.smdp_otpk == b.initialise_secure_channel_request.smdp_otpk);
    CHECK(b.initialise_secure_channel_request.transaction_id == lpa.transaction_id_bytes);
    CHECK(a.initialise_secure_channel_request.transaction_id != b.initialise_secure_channel_request.transaction_id);

    auto pir = lpa.load_bound_profile_package();
    REQUIRE(pir.succeeded());
    lpa.send_installation_result();
    CHECK(srv.state("MID-RESUME") == OrderState::Installed);
    CHECK(srv.server->notifications().back().verified);
    CHECK_FALSE(srv.server->bound_package("MID-RESUME"));
    REQUIRE(lpa.profiles().size() == 1);
    CHECK(iccid_from_bcd(*lpa.profiles()[0].iccid) == kIccid);
}

TEST_CASE("resume: an eUICC without the key gets 8.2 / 3.7, after its cancel (or the timeout) the order downloads anew") {
    for (bool cancel : {true, false}) {
        CAPTURE(cancel);
        TempDir dir;
        ServerOptions o;
        o.session_timeout = 60s;
        Smdp srv(o);
        ManualClock clock;
        clock.install(*srv.server);
        add_order(*srv.server, "MID-LOST");
        Bytes otpk = stop_after_get_bpp(srv.port(), srv.address, dir.file("card.json"), "MID-LOST");

        TestLpa lpa(srv.port(), srv.address, card_uri(dir.file("card.json")));
        es10::EuiccMemoryResetRequest reset;  // the card loses the one-time key with its memory
        reset.reset_options = es10::make_bits({es10::ResetOption::deleteOperationalProfiles});
        lpa.es10->call(reset);
        lpa.initiate();
        lpa.authenticate_client("MID-LOST");
        REQUIRE(es10::SmdpSigned2::decode(lpa.authenticate_client_response.smdp_signed2).bpp_euicc_otpk);
        lpa.prepare_download();
        CHECK(euicc_otpk_of(lpa) != otpk);
        check_server_error(error_of([&] { lpa.get_bound_profile_package(); }), "8.2", "3.7");
        CHECK(srv.state("MID-LOST") == OrderState::Downloaded);
        if (cancel) {
            lpa.cancel(es10::CancelSessionReason::postponed);  // the session is still there to be cancelled
        } else {
            clock.advance(59s);
            CHECK(srv.state("MID-LOST") == OrderState::Downloaded);
            clock.advance(1s);
            CHECK(srv.server->open_sessions() == 0);
            TestLpa poke(srv.port(), srv.address);  // any call runs the expiry
            poke.initiate();
        }
        CHECK(srv.state("MID-LOST") == OrderState::Released);
        CHECK_FALSE(srv.server->bound_package("MID-LOST"));
        TestLpa again(srv.port(), srv.address, card_uri(dir.file("card.json")));
        CHECK(again.download("MID-LOST").succeeded());
        CHECK(srv.state("MID-LOST") == OrderState::Installed);
    }
}

TEST_CASE("resume: a downloaded order is retried only by the eUICC its package is bound to") {
    TempDir dir;
    ServerOptions o;
    o.state_file = dir.file("smdp.json");
    Bytes otpk;
    {
        Smdp srv(o);
        add_order(*srv.server, "MID-BOUND");
        otpk = stop_after_get_bpp(srv.port(), srv.address, dir.file("card.json"), "MID-BOUND");
    }
    // The state file says the package is bound to another EID (the test PKI has one eUICC): a restarted server
    // refuses this card as it refuses any eUICC but the bound one.
    auto j = nlohmann::json::parse(to_string(file::read(o.state_file)));
    REQUIRE(j.at("boundPackages").size() == 1);
    REQUIRE(j["boundPackages"][0]["eid"] != "89001012012341234012345678901224");
    j["boundPackages"][0]["eid"] = "89001012012341234012345678901224";
    std::ofstream(o.state_file, std::ios::trunc) << j.dump();
    Smdp srv(o);
    CHECK(srv.state("MID-BOUND") == OrderState::Downloaded);
    TestLpa lpa(srv.port(), srv.address, card_uri(dir.file("card.json")));
    lpa.initiate();
    check_server_error(error_of([&] { lpa.authenticate_client("MID-BOUND"); }), "8.2.6", "3.8");
    CHECK(srv.state("MID-BOUND") == OrderState::Downloaded);
}

TEST_CASE("resume: a restarted server reloads open sessions and bound packages and continues") {
    TempDir dir;
    ServerOptions o;
    o.state_file = dir.file("smdp.json");
    auto first = std::make_unique<Smdp>(o);
    const int port = first->port();
    add_order(*first->server, "MID-RESTART");
    TestLpa lpa(port, first->address, card_uri(dir.file("card.json")));
    lpa.initiate();
    lpa.authenticate_client("MID-RESTART");
    first.reset();  // stopped between authenticateClient and getBoundProfilePackage

    auto second = std::make_unique<Smdp>(o, port);
    CHECK(second->server->open_sessions() == 1);
    CHECK(second->server->order("MID-RESTART")->session == lpa.transaction_id);
    lpa.prepare_download();
    lpa.get_bound_profile_package();  // the reloaded session, its challenge and signatures, carry on
    Bytes otpk = euicc_otpk_of(lpa);
    second.reset();  // stopped again, with the package delivered but not loaded

    Smdp third(o, port);
    CHECK(third.state("MID-RESTART") == OrderState::Downloaded);
    REQUIRE(third.server->bound_package("MID-RESTART"));
    CHECK(third.server->bound_package("MID-RESTART")->euicc_otpk == otpk);
    TestLpa retry(port, third.address, card_uri(dir.file("card.json")));
    retry.initiate();
    retry.authenticate_client("MID-RESTART");
    retry.prepare_download();
    retry.get_bound_profile_package();
    REQUIRE(retry.load_bound_profile_package().succeeded());
    retry.send_installation_result();
    CHECK(third.state("MID-RESTART") == OrderState::Installed);
    CHECK(third.server->notifications().back().verified);
}

TEST_CASE("resume: a corrupt state file is refused with MalformedData, a stray temp file is ignored") {
    TempDir dir;
    ServerOptions o;
    o.address = kHost + ":443";
    o.state_file = dir.file("smdp.json");
    std::ofstream(o.state_file + ".tmp") << "{\"orders\": [";  // a writer killed before its rename
    {
        SmdpServer fresh(ServerPki::load({pki_dir()}), o);
        CHECK(fresh.orders().empty());
    }
    CHECK_FALSE(fs::exists(o.state_file + ".tmp"));
    for (std::string bad : {"[", "[]", R"({"version": 3})", R"({"orders": [{"matchingId": 5}]})",
                            R"({"sessions": [{"transactionId": "AB", "es11": false, "stage": 7}]})",
                            R"({"boundPackages": [{"matchingId": "M", "eid": "", "euiccOtpk": "04", "bpp": "AAAA",
                                 "idleMs": 0}]})"}) {
        CAPTURE(bad);
        std::ofstream(o.state_file, std::ios::trunc) << bad;
        auto e = error_of([&] { SmdpServer s(ServerPki::load({pki_dir()}), o); });
        CHECK(e.code() == Errc::MalformedData);
    }
    // A file from before sessions were kept (orders, events, notifications only) loads.
    std::ofstream(o.state_file, std::ios::trunc)
        << R"({"orders": [{"matchingId": "OLD", "profile": ")" << upp_path()
        << R"(", "iccid": "8949449999999990011", "state": "released"}], "events": [], "notifications": []})";
    SmdpServer old(ServerPki::load({pki_dir()}), o);
    CHECK(old.order("OLD").value().state == OrderState::Released);
}

// Known answer, from the ASN.1 (rsp.asn, AUTOMATIC TAGS; the tags written in SmdpSigned2 are therefore implicit):
//   SmdpSigned2 ::= SEQUENCE {                                   30 len
//     transactionId [0] TransactionId,                            80 len tid         (OCTET STRING SIZE(1..16))
//     ccRequiredFlag BOOLEAN,                                      01 01 00|FF        (a component is tagged, so no
//                                                                                    automatic tag: universal 1)
//     bppEuiccOtpk [APPLICATION 73] OCTET STRING OPTIONAL }        5F 49 41 otPK      (application class 0x40,
//                                                                  primitive, tag 73 > 30: 0x5F then 0x49)
//   smdpSignature2 covers smdpSigned2 DER || 5F 37 40 euiccSignature1 (SGP.22 §5.7.5).
TEST_CASE("resume: known answer: bppEuiccOtpk is 5F49 after ccRequiredFlag in smdpSigned2 and covered by smdpSignature2") {
    SUBCASE("the libapdu codec against the hand-written DER") {
        const std::string tid = "000102030405060708090A0B0C0D0E0F";
        const std::string otpk = "04" + std::string(128, 'A');
        const std::string expected = "3059" "8010" + tid + "0101FF" "5F4941" + otpk;
        es10::SmdpSigned2 v;
        v.transaction_id = from_hex(tid);
        v.cc_required_flag = true;
        v.bpp_euicc_otpk = from_hex(otpk);
        CHECK(to_hex(v.encode(), true) == expected);
        auto d = es10::SmdpSigned2::decode(from_hex(expected));
        CHECK(d.transaction_id == from_hex(tid));
        CHECK(d.cc_required_flag);
        REQUIRE(d.bpp_euicc_otpk);
        CHECK(*d.bpp_euicc_otpk == from_hex(otpk));
        // Without the optional field: 30 15 80 10 .. 01 01 00.
        v.bpp_euicc_otpk.reset();
        v.cc_required_flag = false;
        CHECK(to_hex(v.encode(), true) == "3015" "8010" + tid + "010100");
    }
    SUBCASE("what the test SM-DP+ sends on a retry, as the card verifies it") {
        TempDir dir;
        Smdp srv({});
        add_order(*srv.server, "MID-KAT");
        Bytes otpk = stop_after_get_bpp(srv.port(), srv.address, dir.file("card.json"), "MID-KAT");
        TestLpa lpa(srv.port(), srv.address, card_uri(dir.file("card.json")));
        lpa.initiate();
        lpa.authenticate_client("MID-KAT");
        const auto& r = lpa.authenticate_client_response;
        const std::string expected =
            "3059" "8010" + to_hex(lpa.transaction_id_bytes, true) + "010100" "5F4941" + to_hex(otpk, true);
        REQUIRE(lpa.transaction_id_bytes.size() == 16);
        REQUIRE(otpk.size() == 65);
        CHECK(to_hex(r.smdp_signed2, true) == expected);
        // smdpSignature2 (5F37 40 r||s) by SK.DPpb over smdpSigned2 || 5F37 40 euiccSignature1.
        const Bytes sig1 = lpa.authenticate_server_response.ok().euicc_signature1;
        REQUIRE(sig1.size() == 64);
        REQUIRE(r.smdp_signature2.size() == 67);
        CHECK(to_hex(Bytes(r.smdp_signature2.begin(), r.smdp_signature2.begin() + 3), true) == "5F3740");
        const Bytes rs(r.smdp_signature2.begin() + 3, r.smdp_signature2.end());
        auto dp_pb = x509::Certificate::from_der(r.smdp_certificate).public_key();
        CHECK(crypto::verify(dp_pb, concat(from_hex(expected), concat(from_hex("5F3740"), sig1)), rs));
        // The field is covered: the same signature does not verify over smdpSigned2 without it.
        const std::string without = "3015" "8010" + to_hex(lpa.transaction_id_bytes, true) + "010100";
        CHECK_FALSE(crypto::verify(dp_pb, concat(from_hex(without), concat(from_hex("5F3740"), sig1)), rs));
        // Our decoder and the virtual eUICC (it verifies smdpSignature2, then reuses the key named) agree.
        CHECK(es10::SmdpSigned2::decode(r.smdp_signed2).bpp_euicc_otpk == otpk);
        lpa.prepare_download();
        CHECK(euicc_otpk_of(lpa) == otpk);
    }
}

TEST_CASE("resume: the result of the first session still counts after a retry began, the retry then gets 8.2 / 3.7") {
    TempDir dir;
    Smdp srv({});
    add_order(*srv.server, "MID-LATE-PIR");
    TestLpa first(srv.port(), srv.address, card_uri(dir.file("card.json")));
    first.initiate();
    first.authenticate_client("MID-LATE-PIR");
    first.prepare_download();
    first.get_bound_profile_package();
    REQUIRE(first.load_bound_profile_package().succeeded());  // installed, but the result not sent yet

    TestLpa retry(srv.port(), srv.address, card_uri(dir.file("card.json")));
    retry.initiate();
    retry.authenticate_client("MID-LATE-PIR");
    first.send_installation_result();  // the first session was kept open for this
    CHECK(srv.server->notifications().back().verified);
    CHECK(srv.state("MID-LATE-PIR") == OrderState::Installed);
    retry.prepare_download();  // the card's key went with the install: a new one
    check_server_error(error_of([&] { retry.get_bound_profile_package(); }), "8.2", "3.7");
    CHECK(srv.state("MID-LATE-PIR") == OrderState::Installed);
}
