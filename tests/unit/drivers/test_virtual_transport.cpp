// SPDX-License-Identifier: Apache-2.0
// The in-process `virtual:` driver (drivers/virtual/virtual_transport.h) end to end through Es10Client, with the
// test application behind the card; fault injection and the registry entry.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "drivers/registry.h"
#include "drivers/virtual/virtual_transport.h"
#include "libapdu/error.h"
#include "libapdu/es10_client.h"
#include "unit/drivers/virtual_test_application.h"

using namespace lpad;
using namespace lpad::virtual_euicc;
using namespace lpad::virtual_euicc::testing;

namespace {

struct Rig {
    std::shared_ptr<TestLog> log = std::make_shared<TestLog>();
    std::shared_ptr<VirtualCard> card;
    VirtualTransport transport;

    explicit Rig(Knobs knobs = {}, CardConfig config = {})
        : card(std::make_shared<VirtualCard>(std::make_unique<TestApplication>(log), config, knobs)),
          transport(card) {}
};

// Installs a factory for the test and puts the previous one back.
struct FactoryGuard {
    EuiccFactory previous;
    explicit FactoryGuard(EuiccFactory f) : previous(set_euicc_factory(std::move(f))) {}
    ~FactoryGuard() { set_euicc_factory(std::move(previous)); }
};

EuiccFactory test_factory(std::vector<std::string> params = {}) {
    return EuiccFactory{[](const drivers::DriverUri&) -> std::unique_ptr<Es10Handler> {
                            return std::make_unique<TestApplication>();
                        },
                        std::move(params)};
}

Errc code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    FAIL("no lpad::Error thrown");
    return Errc::Internal;
}

}  // namespace

TEST_CASE("vcard: Es10Client end to end: channel, SELECT, multi-block STORE DATA, 61xx, close") {
    for (bool explicit_le : {false, true}) {
        for (std::size_t block : {255u, 100u, 6u}) {
            CAPTURE(explicit_le);
            CAPTURE(block);
            Rig rig;
            Es10Options options;
            options.explicit_le = explicit_le;
            options.store_data_block = block;
            Es10Client client(rig.transport, options);
            client.open();
            CHECK(client.channel() == 1);
            CHECK(rig.card->open_channels() == std::vector<std::uint8_t>{0, 1});

            CHECK(client.transceive(tlv::make(kGetEuiccData, Bytes{})) == eid_response());
            Bytes echo = tlv::make(kEcho, big_payload(1000));
            CHECK(client.transceive(echo) == echo);
            CHECK(client.transceive(big_request(3000)) == big_payload(3000));

            REQUIRE(rig.log->command_count() == 3);
            CHECK(rig.log->commands[1].first == 1);
            CHECK(rig.log->commands[1].second == echo);
            const auto stats = client.stats();
            const std::size_t echo_blocks = (echo.size() + block - 1) / block;
            CHECK(stats.store_data_apdus == 1 + echo_blocks + 1);
            CHECK(stats.get_response_apdus == rig.card->counters().get_response);
            CHECK(rig.card->counters().es10.at(kEcho) == 1);

            client.close();
            // open() reset the card (0), closing the channel ended its session (1), close() powered off (0).
            CHECK(rig.log->resets() == std::vector<std::uint8_t>{0, 1, 0});
            CHECK_FALSE(rig.transport.is_open());
        }
    }
}

TEST_CASE("vcard: Es10Client sees card errors and 91xx") {
    Rig rig;
    Es10Client client(rig.transport);
    client.open();
    try {
        client.transceive(tlv::make(kRefuse, Bytes{}));
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::CardError);
        CHECK(e.status_word == 0x6A80);
    }
    Bytes req = tlv::make(kProactive, big_payload(600));
    CHECK(client.transceive(req) == req);
    CHECK(client.proactive_pending());
}

TEST_CASE("vcard: an AID the card does not have leaves no channel open") {
    CardConfig config;
    config.isdr_aid = from_hex("A0000005591010FFFFFFFF8900050500");
    Rig rig({}, config);
    Es10Options options;  // default AID first, then the card's
    options.isdr_aids.push_back(config.isdr_aid);
    Es10Client client(rig.transport, options);
    client.open();
    CHECK(client.isdr_aid() == config.isdr_aid);
    CHECK(rig.card->open_channels() == std::vector<std::uint8_t>{0, 1});  // the failed attempt's channel was closed
    CHECK(client.transceive(tlv::make(kGetEuiccData, Bytes{})) == eid_response());
}

TEST_CASE("vcard: drop at APDU N surfaces as TransportError and the transport reopens") {
    Knobs knobs;
    // MANAGE CHANNEL, SELECT, then STORE DATA + GET RESPONSE per GetEuiccData: APDU 5 is the second STORE DATA.
    knobs.faults = {Fault::parse("drop@5")};
    Rig rig(knobs);
    {
        Es10Client client(rig.transport);
        client.open();
        CHECK(client.transceive(tlv::make(kGetEuiccData, Bytes{})) == eid_response());
        CHECK(code_of([&] { client.transceive(tlv::make(kGetEuiccData, Bytes{})); }) == Errc::TransportError);
        CHECK_FALSE(rig.transport.is_open());
        CHECK(code_of([&] { rig.transport.transmit(from_hex("00A4040C05A000000559")); }) == Errc::TransportError);
    }
    Es10Client again(rig.transport);
    again.open();
    CHECK(again.transceive(tlv::make(kGetEuiccData, Bytes{})) == eid_response());
}

TEST_CASE("vcard: fault at a named ES10 step") {
    SUBCASE("status word at the second GetEuiccData, once") {
        Knobs knobs;
        knobs.faults = {Fault::parse("6A88@GetEuiccData#2")};
        Rig rig(knobs);
        Es10Client client(rig.transport);
        client.open();
        const Bytes req = tlv::make(kGetEuiccData, Bytes{});
        CHECK(client.transceive(req) == eid_response());
        try {
            client.transceive(req);
            FAIL("no fault");
        } catch (const Error& e) {
            CHECK(e.status_word == 0x6A88);
        }
        CHECK(client.transceive(req) == eid_response());
        CHECK(rig.log->command_count() == 2);  // the faulted command never reached the application
        CHECK(rig.card->counters().es10.at(kGetEuiccData) == 3);
    }
    SUBCASE("persistent") {
        Knobs knobs;
        knobs.faults = {Fault::parse("6F00@BF3E+")};
        Rig rig(knobs);
        Es10Client client(rig.transport);
        client.open();
        for (int i = 0; i < 3; ++i)
            CHECK(code_of([&] { client.transceive(tlv::make(kGetEuiccData, Bytes{})); }) == Errc::CardError);
        CHECK(client.transceive(tlv::make(kEcho, Bytes{1})) == tlv::make(kEcho, Bytes{1}));
    }
    SUBCASE("drop at the third Bound Profile Package piece") {
        Knobs knobs;
        knobs.faults = {Fault::parse("drop@LoadBoundProfilePackage#3")};
        Rig rig(knobs);
        Es10Client client(rig.transport);
        client.open();
        // RSP-NOTES: BF36 header + BF23, the whole A0, then the A1 header (values are placeholders here).
        const std::vector<Bytes> pieces{from_hex("BF3682010ABF2303800100"), from_hex("A0058703010203"),
                                        from_hex("A181F0")};
        client.transceive(pieces[0]);
        client.transceive(pieces[1]);
        CHECK(code_of([&] { client.transceive(pieces[2]); }) == Errc::TransportError);
        CHECK(rig.log->command_count() == 2);
        CHECK(rig.card->counters().faults_fired == 1);
    }
}

TEST_CASE("vcard: latency knob delays every APDU") {
    Knobs knobs;
    knobs.latency_ms = 20;
    Rig rig(knobs);
    const auto start = std::chrono::steady_clock::now();
    rig.transport.open();
    rig.transport.transmit(from_hex("0070000001"));
    rig.transport.transmit(from_hex("00708001"));
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(40));
}

TEST_CASE("vcard: transport limits") {
    Rig rig;
    const auto l = rig.transport.limits();
    CHECK(l.max_command_data == 255);
    CHECK_FALSE(l.extended_length);
    CHECK(l.logical_channels);
    CHECK_FALSE(l.handles_get_response);
}

TEST_CASE("virtual-driver: registry entry and URI parameters") {
    FactoryGuard none{EuiccFactory{}};
    CHECK(code_of([] { drivers::create_transport("virtual:/tmp/state.json"); }) == Errc::Unavailable);
    CHECK(code_of([] { drivers::create_transport("virtual:?latncy=3"); }) == Errc::InvalidArgument);

    FactoryGuard guard{test_factory({"certs"})};
    CHECK(code_of([] { drivers::create_transport("virtual:?latncy=3"); }) == Errc::InvalidArgument);
    CHECK(code_of([] { drivers::create_transport("virtual:?chunk=0"); }) == Errc::InvalidArgument);
    CHECK(code_of([] { drivers::create_transport("virtual:?aid=XYZ"); }) == Errc::InvalidArgument);
    CHECK(code_of([] { drivers::create_transport("virtual:?fault=boom@1"); }) == Errc::InvalidArgument);

    auto t = drivers::create_transport(
        "virtual:/tmp/state.json?channels=2&chunk=16&block=100&certs=/x&aid=A0000005591010FFFFFFFF8900050500&"
        "fault=6A88@GetEuiccChallenge");
    auto* vt = dynamic_cast<VirtualTransport*>(t.get());
    REQUIRE(vt != nullptr);
    CHECK(vt->card()->config().channels == 2);
    CHECK(vt->card()->config().isdr_aid == from_hex("A0000005591010FFFFFFFF8900050500"));
    CHECK(vt->card()->knobs().chunk == 16);
    CHECK(vt->card()->knobs().max_block == 100);
    REQUIRE(vt->card()->knobs().faults.size() == 1);
    CHECK(vt->card()->knobs().faults[0].at_step == "GetEuiccChallenge");
    t->open();
    CHECK(t->transmit(from_hex("0070000001")) == from_hex("019000"));
    CHECK(t->transmit(from_hex("0070000001")) == from_hex("6A81"));  // channels=2: only channel 1

    auto d = drivers::create_transport("virtual:?drop_at=2");
    d->open();
    d->transmit(from_hex("0070000001"));
    CHECK(code_of([&] { d->transmit(from_hex("00708001")); }) == Errc::TransportError);
}

TEST_CASE("virtual-driver: counters=PATH holds the card's counters after every APDU") {
    FactoryGuard guard{test_factory()};
    char dir[] = "/tmp/lpad-counters-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string path = std::string(dir) + "/card.counters";
    auto read = [&] {
        std::ifstream in(path);
        std::map<std::string, long> values;
        std::string name;
        long value = 0;
        while (in >> name >> value) values[name] = value;
        return values;
    };
    auto t = drivers::create_transport("virtual:?counters=" + path);
    t->open();
    CHECK(t->transmit(from_hex("0070000001")) == from_hex("019000"));  // MANAGE CHANNEL open
    auto after_one = read();
    CHECK(after_one["apdus"] == 1);
    CHECK(after_one["manage_channel"] == 1);
    CHECK(after_one["bytes_in"] == 5);
    CHECK(after_one["bytes_out"] == 3);
    CHECK(t->transmit(from_hex("01A4040010A0000005591010FFFFFFFF8900000100")).size() >= 2);  // SELECT
    t->transmit(from_hex("0070800100"));                                                   // MANAGE CHANNEL close
    auto after_three = read();
    CHECK(after_three["apdus"] == 3);
    CHECK(after_three["select"] == 1);
    CHECK(after_three["manage_channel"] == 2);
    std::filesystem::remove_all(dir);
}
