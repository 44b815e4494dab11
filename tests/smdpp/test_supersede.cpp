// SPDX-License-Identifier: Apache-2.0
// Superseded sessions (tests/smdpp/README.md): a new session of the same eUICC takes over an order held by an
// earlier session of that eUICC that has not delivered a Bound Profile Package (its LPA died before or during
// getBoundProfilePackage); the earlier transactionId is then unknown (8.10.1 / 3.9). Another eUICC's session keeps
// the order. The hold fault keeps a request unprocessed for a while, as a request of a killed LPA can be. Real
// HTTPS, virtual eUICCs with state files (a "new process" is a new card object on the same file).
#include <doctest/doctest.h>

#include <thread>

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

std::string card_uri(const std::string& state) { return "virtual:" + state + "?pki=" + pki_dir(); }

// An EID in the test EUM's permitted range (89049032...), with its ISO 7064 MOD 97-10 check digits.
std::string eid_with_check_digits(const std::string& body30) {
    int rem = 0;
    for (char c : body30 + "00") rem = (rem * 10 + (c - '0')) % 97;
    std::string check = std::to_string(98 - rem);
    return body30 + (check.size() == 1 ? "0" : "") + check;
}

void check_server_error(const Error& e, const std::string& subject, const std::string& reason) {
    INFO(e.what());
    CHECK(e.code() == Errc::ServerError);
    CHECK(e.subject_code == subject);
    CHECK(e.reason_code == reason);
}

// What a dead LPA left: the transactionId of its session and the card's PrepareDownloadResponse (if it got there).
struct Abandoned {
    std::string transaction_id;
    Bytes prepare_download_response;
};

// An LPA that authenticates for `mid` (and runs PrepareDownload when `prepare`), then "dies" before
// getBoundProfilePackage: its card object is dropped, the session stays open at the server.
Abandoned start_and_die(const TestServer& srv, const std::string& card, const std::string& mid, bool prepare) {
    TestLpa lpa(srv, card_uri(card));
    lpa.initiate();
    lpa.authenticate_client(mid);
    if (prepare) lpa.prepare_download();
    return {lpa.transaction_id, lpa.prepare_download_response};
}

// getBoundProfilePackage with what a dead LPA left (through a fresh HTTPS client).
void get_bpp_of(const TestServer& srv, const Abandoned& dead) {
    TestLpa ghost(srv);  // its own (unused) card: only its ES9+ client is used
    ghost.transaction_id = dead.transaction_id;
    ghost.prepare_download_response = dead.prepare_download_response;
    ghost.get_bound_profile_package();
}

}  // namespace

TEST_CASE("supersede: a new session of the same eUICC takes over the order its unfinished session held") {
    for (bool prepared : {false, true}) {
        CAPTURE(prepared);  // the dead LPA stopped after authenticateClient, or after PrepareDownload
        TempDir dir;
        ServerOptions o;
        o.state_file = dir.file("smdp.json");
        TestServer srv({pki_dir()}, o);
        srv.add_order("MID-SUP", kIccid);
        Abandoned dead = start_and_die(srv, dir.file("card.json"), "MID-SUP", prepared);
        CHECK(srv.state("MID-SUP") == OrderState::Released);
        CHECK(srv.server->order("MID-SUP")->session == dead.transaction_id);

        TestLpa lpa(srv, card_uri(dir.file("card.json")));
        lpa.initiate();
        CHECK(srv.server->open_sessions() == 2);
        lpa.authenticate_client("MID-SUP");  // not refused: the earlier session gives way
        CHECK(srv.server->order("MID-SUP")->session == lpa.transaction_id);
        CHECK(srv.server->open_sessions() == 1);
        CHECK_FALSE(es10::SmdpSigned2::decode(lpa.authenticate_client_response.smdp_signed2).bpp_euicc_otpk);
        // The state file (--state) says the same: only the new session, and it holds the order.
        auto state = nlohmann::json::parse(to_string(file::read(o.state_file)));
        REQUIRE(state.at("sessions").size() == 1);
        CHECK(state["sessions"][0]["transactionId"] == lpa.transaction_id);
        CHECK(state["sessions"][0]["stage"] == 1);
        REQUIRE(state.at("orders").size() == 1);
        CHECK(state["orders"][0]["session"] == lpa.transaction_id);

        // The abandoned session is gone: its calls fail as for any unknown transactionId.
        if (prepared) check_server_error(error_of([&] { get_bpp_of(srv, dead); }), "8.10.1", "3.9");
        TestLpa other(srv);
        other.transaction_id = dead.transaction_id;
        check_server_error(error_of([&] { other.es9p->authenticate_client({dead.transaction_id, Bytes{0x30, 0x00}}); }),
                           "8.10.1", "3.9");
        CHECK(srv.state("MID-SUP") == OrderState::Released);
        CHECK(srv.server->order("MID-SUP")->session == lpa.transaction_id);

        lpa.prepare_download();
        lpa.get_bound_profile_package();
        REQUIRE(lpa.load_bound_profile_package().succeeded());
        lpa.send_installation_result();
        CHECK(srv.state("MID-SUP") == OrderState::Installed);
        CHECK(srv.server->notifications().back().verified);
    }
}

TEST_CASE("supersede: an unfinished session of another eUICC keeps the order, the other eUICC is refused") {
    TempDir dir;
    TestServer srv;
    srv.add_order("MID-OTHER", kIccid);
    Abandoned dead = start_and_die(srv, dir.file("a.json"), "MID-OTHER", true);

    const std::string other_eid = eid_with_check_digits("890490320000000000000000000007");
    TestLpa intruder(srv, card_uri(dir.file("b.json")) + "&eid=" + other_eid);
    intruder.initiate();
    check_server_error(error_of([&] { intruder.authenticate_client("MID-OTHER"); }), "8.2.6", "3.8");
    CHECK(srv.server->order("MID-OTHER")->session == dead.transaction_id);
    CHECK(srv.state("MID-OTHER") == OrderState::Released);

    // The holder's session is intact: it goes on to the package.
    get_bpp_of(srv, dead);
    CHECK(srv.state("MID-OTHER") == OrderState::Downloaded);
}

TEST_CASE("supersede: a getBoundProfilePackage held by the hold fault is processed after the hold, as it is then") {
    // The dead LPA's request reached the server but was not processed yet when its eUICC came back: processed
    // later, it finds its session superseded (8.10.1 / 3.9) and changes nothing.
    TempDir dir;
    TestServer srv;
    srv.add_order("MID-HOLD", kIccid);
    Abandoned dead = start_and_die(srv, dir.file("card.json"), "MID-HOLD", true);
    srv.server->add_fault(Fault::parse("hold=10000@getBoundProfilePackage/MID-HOLD"));
    std::optional<Error> held_result;
    std::thread held([&] {
        try {
            get_bpp_of(srv, dead);
        } catch (const Error& e) {
            held_result = e;
        }
    });
    while (srv.server->calls("getBoundProfilePackage") == 0) std::this_thread::sleep_for(10ms);
    CHECK(srv.state("MID-HOLD") == OrderState::Released);  // arrived, not processed
    TestLpa lpa(srv, card_uri(dir.file("card.json")));
    lpa.initiate();
    lpa.authenticate_client("MID-HOLD");
    held.join();
    REQUIRE(held_result);
    check_server_error(*held_result, "8.10.1", "3.9");
    CHECK(srv.state("MID-HOLD") == OrderState::Released);
    CHECK(srv.server->order("MID-HOLD")->session == lpa.transaction_id);
    lpa.prepare_download();
    lpa.get_bound_profile_package();  // the fault was used up by the held call
    REQUIRE(lpa.load_bound_profile_package().succeeded());
    lpa.send_installation_result();
    CHECK(srv.state("MID-HOLD") == OrderState::Installed);
}

TEST_CASE("supersede: hold fault specs parse and print, hold needs milliseconds") {
    for (std::string s : {"hold=0@getBoundProfilePackage", "hold=600000@authenticateClient/MID-2+"})
        CHECK(Fault::parse(s).to_string() == s);
    CHECK(Fault::parse("hold=5@*").action == FaultAction::Hold);
    for (std::string s : {"hold@getBoundProfilePackage", "hold=@cancelSession", "hold=600001@*", "hold=x@*"})
        CHECK_THROWS_AS(Fault::parse(s), Error);
}
