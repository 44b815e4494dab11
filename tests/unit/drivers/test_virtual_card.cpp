// SPDX-License-Identifier: Apache-2.0
// The virtual eUICC's APDU layer (drivers/virtual/card.h): status words, channels, STORE DATA, 61xx/6Cxx, knobs.
#include <doctest/doctest.h>

#include <string>
#include <thread>

#include "drivers/virtual/card.h"
#include "libapdu/apdu.h"
#include "libapdu/error.h"
#include "unit/drivers/virtual_test_application.h"

using namespace lpad;
using namespace lpad::virtual_euicc;
using namespace lpad::virtual_euicc::testing;

namespace {

const std::string kAid = "A0000005591010FFFFFFFF8900000100";
const std::string kSelect0 = "00A4040010" + kAid + "00";
const std::string kSelect1 = "01A4040010" + kAid + "00";

std::uint16_t sw_of(const Bytes& r) {
    REQUIRE(r.size() >= 2);
    return static_cast<std::uint16_t>((r[r.size() - 2] << 8) | r[r.size() - 1]);
}
Bytes data_of(const Bytes& r) { return Bytes(r.begin(), r.end() - 2); }

std::unique_ptr<VirtualCard> make_card(Knobs knobs = {}, CardConfig config = {},
                                       std::shared_ptr<TestLog> log = std::make_shared<TestLog>()) {
    return std::make_unique<VirtualCard>(std::make_unique<TestApplication>(log), std::move(config), std::move(knobs));
}

Bytes send(VirtualCard& card, const std::string& hex) { return card.process(from_hex(hex)); }

std::string hex_byte(unsigned v) { return to_hex(Bytes{static_cast<std::uint8_t>(v)}); }

}  // namespace

TEST_CASE("vcard: status words of refused commands") {
    struct Case {
        const char* name;
        std::vector<std::string> setup;  // each must answer 9000 or 61xx
        std::string command;
        std::uint16_t sw;
        std::size_t max_block = 255;
    };
    const std::string eid_req = "03BF3E00";  // Lc 03, GetEuiccData request
    const std::vector<Case> cases{
        {"unknown INS", {}, "00100000", 0x6D00},
        {"RFU class 2x", {}, "20A4040010" + kAid, 0x6E00},
        {"GSM class A0", {}, "A0A4000002" "3F00", 0x6E00},
        {"invalid class FF", {}, "FFA4040010" + kAid, 0x6E00},
        {"secure messaging bits", {}, "0CA4040010" + kAid, 0x6882},
        {"command chaining bit", {}, "10A4040010" + kAid, 0x6884},
        {"channel 1 not open", {}, kSelect1, 0x6881},
        {"channel 19 not open", {}, "4FA4040010" + kAid + "00", 0x6881},
        {"MANAGE CHANNEL open beyond the card's channels", {}, "0070000500", 0x6881},
        {"MANAGE CHANNEL open a channel already open", {"0070000200"}, "0070000200", 0x6A86},
        {"no free channel", {"0070000001", "0070000001", "0070000001"}, "0070000001", 0x6A81},
        {"close the basic channel", {}, "00708000", 0x6A86},
        {"close a channel that is not open", {}, "00708002", 0x6A86},
        {"MANAGE CHANNEL in the GlobalPlatform class", {}, "8070000001", 0x6E00},
        {"SELECT an unknown AID", {}, "00A4040010A0000005591010FFFFFFFF8900000200", 0x6A82},
        {"SELECT a too short AID", {}, "00A4040004A0000005", 0x6A82},
        {"SELECT by file identifier", {}, "00A40004023F00", 0x6A82},
        {"SELECT with an unsupported P2", {}, "00A4040410" + kAid, 0x6A86},
        {"STORE DATA with the ISD-R not selected", {}, "80E29100" + eid_req, 0x6985},
        {"STORE DATA in the interindustry class", {kSelect0}, "00E29100" + eid_req, 0x6E00},
        {"STORE DATA with P1 01", {kSelect0}, "80E20100" + eid_req, 0x6A86},
        {"STORE DATA with P1 81", {kSelect0}, "80E28100" + eid_req, 0x6A86},
        {"STORE DATA starting at block 1", {kSelect0}, "80E29101" + eid_req, 0x6A86},
        {"STORE DATA block gap", {kSelect0, "80E2110002BF3E"}, "80E2910201" "00", 0x6A86},
        {"STORE DATA restart at block 0", {kSelect0, "80E2110002BF3E"}, "80E2910001" "00", 0x6A86},
        {"STORE DATA without data", {kSelect0}, "80E29100", 0x6700},
        {"STORE DATA block above the limit", {kSelect0}, "80E2910011" + std::string(34, 'A'), 0x6700, 16},
        {"GET RESPONSE with nothing pending", {}, "00C0000010", 0x6985},
        {"GET RESPONSE with P1-P2", {kSelect0 + ""}, "00C0010010", 0x6A86},
        {"Lc longer than the data", {}, "00A4040010A000000559", 0x6700},
        {"shorter than a header", {}, "00A404", 0x6700},
        {"TERMINAL CAPABILITY in the interindustry class", {}, "00AA000003A90100", 0x6E00},
        {"TERMINAL CAPABILITY with P1-P2", {}, "80AA010003A90100", 0x6A86},
        {"TERMINAL CAPABILITY without data", {}, "80AA0000", 0x6700},
        {"TERMINAL CAPABILITY, not a template", {}, "80AA0000038001FF", 0x6A80},
        {"TERMINAL CAPABILITY, truncated template", {}, "80AA000003A90580", 0x6A80},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        Knobs knobs;
        knobs.max_block = c.max_block;
        auto card = make_card(knobs);
        for (const auto& s : c.setup) {
            const auto sw = sw_of(send(*card, s));
            CHECK_MESSAGE((sw == 0x9000 || (sw >> 8) == 0x61), "setup " << s);
        }
        CHECK(sw_of(send(*card, c.command)) == c.sw);
    }
}

// ETSI TS 102 221 §11.1.19; SGP.22 §5.7 (the LPA announces its eUICC-related capabilities, tag 83, this way).
TEST_CASE("vcard: TERMINAL CAPABILITY is accepted on any open channel") {
    auto card = make_card();
    // A9 { 80 01 01 (power supply), 81 00 (extended logical channels), 83 01 07 (eUICC capabilities),
    //      82 00 (additional interfaces) }
    const std::string tc = "A90A" "800101" "8100" "830107" "8200";
    CHECK(sw_of(send(*card, "80AA00000C" + tc)) == 0x9000);
    CHECK(send(*card, "80AA00000C" + tc).size() == 2);  // no response data
    CHECK(sw_of(send(*card, "80AA000002A900")) == 0x9000);  // an empty template is fine too
    REQUIRE(sw_of(send(*card, "0070000001")) == 0x9000);
    CHECK(sw_of(send(*card, "81AA000002A900")) == 0x9000);  // on logical channel 1
    CHECK(sw_of(send(*card, "83AA000002A900")) == 0x6881);  // channel 3 is not open
    // The card still serves its ISD-R afterwards.
    const auto sw = sw_of(send(*card, kSelect0));
    CHECK((sw == 0x9000 || sw >> 8 == 0x61));
}

TEST_CASE("vcard: a refused STORE DATA sequence is discarded and the next one works") {
    auto log = std::make_shared<TestLog>();
    auto card = make_card({}, {}, log);
    send(*card, kSelect0);
    CHECK(sw_of(send(*card, "80E2110002BF3E")) == 0x9000);
    CHECK(sw_of(send(*card, "80E2910201" "00")) == 0x6A86);  // gap: the sequence is gone
    CHECK(sw_of(send(*card, "80E2910101" "00")) == 0x6A86);  // so block 1 no longer fits either
    Bytes r = send(*card, "80E2910003BF3E0000");
    CHECK(sw_of(r) == 0x9000);
    CHECK(data_of(r) == eid_response());
    REQUIRE(log->command_count() == 1);
    CHECK(log->commands[0].second == from_hex("BF3E00"));
}

TEST_CASE("vcard: case 4 STORE DATA with and without Le") {
    auto card = make_card();
    send(*card, kSelect0);
    // With Le 00: the answer comes at once.
    Bytes with_le = send(*card, "80E2910003BF3E0000");
    CHECK(sw_of(with_le) == 0x9000);
    CHECK(data_of(with_le) == eid_response());
    // Without Le: 61xx, then GET RESPONSE (in either class).
    Bytes without = send(*card, "80E2910003BF3E00");
    CHECK(sw_of(without) == (0x6100 | eid_response().size()));
    Bytes got = send(*card, "80C00000" + hex_byte(eid_response().size()));
    CHECK(sw_of(got) == 0x9000);
    CHECK(data_of(got) == eid_response());
}

TEST_CASE("vcard: GET RESPONSE Le rules (6Cxx, short Le, pending lost)") {
    auto card = make_card();
    send(*card, kSelect0);
    const Bytes eid = eid_response();
    const std::size_t n = eid.size();
    REQUIRE(sw_of(send(*card, "80E2910003BF3E00")) == (0x6100 | n));
    // Le above what is available: 6C with the exact length, nothing consumed.
    CHECK(sw_of(send(*card, "00C00000FF")) == (0x6C00 | n));
    CHECK(sw_of(send(*card, "00C0000000")) == (0x6C00 | n));  // Le 00 = 256
    // Le below: that many bytes, then 61 with the rest.
    Bytes part = send(*card, "00C0000005");
    CHECK(data_of(part) == Bytes(eid.begin(), eid.begin() + 5));
    CHECK(sw_of(part) == (0x6100 | (n - 5)));
    Bytes rest = send(*card, "00C00000" + hex_byte(n - 5));
    CHECK(concat(data_of(part), data_of(rest)) == eid);
    CHECK(sw_of(rest) == 0x9000);
    CHECK(sw_of(send(*card, "00C0000001")) == 0x6985);
    // Any other command on the channel discards the pending answer.
    REQUIRE((sw_of(send(*card, "80E2910003BF3E00")) >> 8) == 0x61);
    send(*card, "00100000");
    CHECK(sw_of(send(*card, "00C00000" + hex_byte(n))) == 0x6985);
}

TEST_CASE("vcard: long responses through 61xx chaining with various chunk sizes") {
    for (std::size_t chunk : {1u, 17u, 255u, 256u}) {
        for (std::size_t size : {1u, 255u, 256u, 257u, 1000u, 4096u}) {
            CAPTURE(chunk);
            CAPTURE(size);
            Knobs knobs;
            knobs.chunk = chunk;
            auto card = make_card(knobs);
            send(*card, kSelect0);
            Bytes req = big_request(size);
            Bytes r = send(*card, "80E29100" + hex_byte(req.size()) + to_hex(req));  // no Le: T=0 style
            Bytes data;
            std::size_t rounds = 0;
            while ((sw_of(r) >> 8) == 0x61) {
                const unsigned announced = sw_of(r) & 0xFF;
                CHECK(announced == std::min<std::size_t>(chunk, size - data.size()) % 256);
                r = send(*card, "00C00000" + hex_byte(announced));
                append(data, data_of(r));
                REQUIRE(++rounds <= size);
            }
            CHECK(sw_of(r) == 0x9000);
            CHECK(data == big_payload(size));
            CHECK(rounds == (size + chunk - 1) / chunk);
            CHECK(card->counters().get_response == rounds);
        }
    }
}

TEST_CASE("vcard: 91xx survives GET RESPONSE chaining") {
    Knobs knobs;
    knobs.chunk = 8;
    auto card = make_card(knobs);
    send(*card, kSelect0);
    Bytes req = tlv::make(kProactive, big_payload(20));
    Bytes r = send(*card, "80E29100" + hex_byte(req.size()) + to_hex(req) + "00");
    Bytes data = data_of(r);
    while ((sw_of(r) >> 8) == 0x61) {
        r = send(*card, "80C00000" + hex_byte(sw_of(r) & 0xFF));
        append(data, data_of(r));
    }
    CHECK(sw_of(r) == 0x9110);
    CHECK(data == req);
}

TEST_CASE("vcard: channel CLA encodings 0-19") {
    CardConfig config;
    config.channels = 20;
    auto log = std::make_shared<TestLog>();
    auto card = make_card({}, config, log);
    for (unsigned n = 1; n <= 19; ++n) {
        Bytes r = send(*card, "0070000001");
        REQUIRE(sw_of(r) == 0x9000);
        CHECK(data_of(r) == Bytes{static_cast<std::uint8_t>(n)});
    }
    CHECK(sw_of(send(*card, "0070000001")) == 0x6A81);
    for (unsigned n = 0; n <= 19; ++n) {
        CAPTURE(n);
        // ISO 7816-4 §5.4.1, written out here independently of libapdu: 0..3 in b2b1, 4..19 as 0x40 | (n - 4).
        const unsigned inter = n < 4 ? n : 0x40 | (n - 4);
        const unsigned gp = inter | 0x80;
        CHECK(sw_of(send(*card, hex_byte(inter) + "A4040C10" + kAid)) == 0x9000);
        Bytes req = Bytes{0xBF, 0x3E, 0x00};
        Bytes r = send(*card, hex_byte(gp) + "E2910003BF3E0000");
        CHECK(sw_of(r) == 0x9000);
        CHECK(data_of(r) == eid_response());
        REQUIRE(log->command_count() == n + 1);
        CHECK(log->commands.back().first == n);
        CHECK(log->commands.back().second == req);
    }
    for (unsigned n = 19; n >= 1; --n) {
        CHECK(sw_of(send(*card, "007080" + hex_byte(n))) == 0x9000);
        CHECK(log->resets().back() == n);
        CHECK(sw_of(send(*card, hex_byte(n < 4 ? n : 0x40 | (n - 4)) + "A4040C10" + kAid)) == 0x6881);
    }
    CHECK(card->open_channels() == std::vector<std::uint8_t>{0});
}

TEST_CASE("vcard: MANAGE CHANNEL variants") {
    auto card = make_card();
    // Open by number, then from channel 2 with the ISD-R selected: the new channel inherits the selection.
    CHECK(sw_of(send(*card, "0070000200")) == 0x9000);
    CHECK(sw_of(send(*card, "02A4040C10" + kAid)) == 0x9000);
    Bytes r = send(*card, "0270000001");
    CHECK(data_of(r) == Bytes{1});
    CHECK(sw_of(send(*card, "81E2910003BF3E0000")) == 0x9000);
    // Close with P2 00 closes the channel the command came on.
    CHECK(sw_of(send(*card, "01708000")) == 0x9000);
    CHECK(card->open_channels() == std::vector<std::uint8_t>{0, 2});
}

TEST_CASE("vcard: SELECT answers the FCI of a field ISD-R") {
    auto card = make_card();
    Bytes r = send(*card, kSelect0);
    REQUIRE(sw_of(r) == 0x9000);
    const Bytes fci_bytes = data_of(r);
    auto fci = tlv::parse_one(fci_bytes, tlv::Mode::Der);
    CHECK(fci.tag == 0x6F);
    auto rd = fci.reader();
    auto aid = rd.expect(0x84);
    CHECK(Bytes(aid.value.begin(), aid.value.end()) == from_hex(kAid));
    auto prop = rd.expect(0xA5).reader();
    auto max_data = prop.expect(0x9F65);
    CHECK(Bytes(max_data.value.begin(), max_data.value.end()) == Bytes{0xFF});
    // A right-truncated AID selects too; P2 0C returns nothing.
    CHECK(send(*card, "00A4040C07A0000005591010") == Bytes{0x90, 0x00});
}

TEST_CASE("vcard: power off and reset end every session") {
    auto log = std::make_shared<TestLog>();
    auto card = make_card({}, {}, log);
    send(*card, "0070000001");
    send(*card, "0070000001");
    card->power_off();
    CHECK_FALSE(card->powered());
    CHECK(log->resets() == std::vector<std::uint8_t>{0, 1, 2});
    CHECK_THROWS_AS(send(*card, kSelect0), Error);
    card->reset();
    CHECK(card->powered());
    CHECK(card->open_channels() == std::vector<std::uint8_t>{0});
    CHECK(sw_of(send(*card, "80E2910003BF3E00")) == 0x6985);  // nothing selected after reset
}

TEST_CASE("vcard: fault at APDU N answers the status word or drops the link") {
    Knobs knobs;
    knobs.faults = {Fault::parse("6A88@2")};
    auto log = std::make_shared<TestLog>();
    auto card = make_card(knobs, {}, log);
    CHECK(sw_of(send(*card, kSelect0)) == 0x9000);
    CHECK(sw_of(send(*card, kSelect0)) == 0x6A88);
    CHECK(sw_of(send(*card, kSelect0)) == 0x9000);  // one-shot
    knobs.faults = {Fault::parse("drop@5")};
    card->set_knobs(knobs);
    send(*card, "0070000001");  // APDU 4
    try {
        send(*card, kSelect1);
        FAIL("no drop");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::TransportError);
    }
    CHECK_FALSE(card->powered());
    CHECK(log->resets() == std::vector<std::uint8_t>{0, 1});
    CHECK(card->counters().faults_fired == 2);
}

TEST_CASE("vcard: persistent fault keeps firing") {
    Knobs knobs;
    knobs.faults = {Fault::parse("6F00@2+")};
    auto card = make_card(knobs);
    CHECK(sw_of(send(*card, kSelect0)) == 0x9000);
    for (int i = 0; i < 3; ++i) CHECK(sw_of(send(*card, kSelect0)) == 0x6F00);
    card->reset_counters();
    CHECK(sw_of(send(*card, kSelect0)) == 0x9000);  // numbering restarts with the counters
}

TEST_CASE("vcard: counters by kind, bytes and ES10 tag") {
    auto card = make_card();
    const std::vector<std::string> apdus{"0070000001", kSelect1, "81E2110002BF3E", "81E291010100",
                                         "81C0000015", "00100000", "81E2910003BF7C00"};
    std::size_t in = 0, out = 0;
    for (const auto& a : apdus) {
        in += a.size() / 2;
        out += send(*card, a).size();
    }
    Counters c = card->counters();
    CHECK(c.apdus == apdus.size());
    CHECK(c.manage_channel == 1);
    CHECK(c.select == 1);
    CHECK(c.store_data == 3);
    CHECK(c.get_response == 1);
    CHECK(c.other == 1);
    CHECK(c.bytes_in == in);
    CHECK(c.bytes_out == out);
    CHECK(c.es10 == std::map<tlv::Tag, std::size_t>{{0xBF3E, 1}, {kRefuse, 1}});
}

TEST_CASE("vcard: knobs and config are validated") {
    Knobs k;
    k.chunk = 0;
    CHECK_THROWS_AS(make_card(k), Error);
    k = {};
    k.max_block = 0;
    CHECK_THROWS_AS(make_card(k), Error);
    CardConfig c;
    c.channels = 21;
    CHECK_THROWS_AS(make_card({}, c), Error);
    c = {};
    c.isdr_aid = from_hex("A000");
    CHECK_THROWS_AS(make_card({}, c), Error);
    auto card = make_card();
    k = {};
    k.chunk = 300;
    CHECK_THROWS_AS(card->set_knobs(k), Error);
    CHECK(card->knobs().chunk == 256);  // unchanged
}

TEST_CASE("vcard: fault text form") {
    struct Case {
        const char* text;
        FaultAction action;
        std::uint16_t sw;
        std::size_t at_apdu;
        const char* step;
        std::size_t occurrence;
        bool persistent;
    };
    for (const auto& c : std::vector<Case>{
             {"drop@12", FaultAction::DropLink, 0x6F00, 12, "", 1, false},
             {"6A88@PrepareDownload", FaultAction::StatusWord, 0x6A88, 0, "PrepareDownload", 1, false},
             {"DROP@LoadBoundProfilePackage#3", FaultAction::DropLink, 0x6F00, 0, "LoadBoundProfilePackage", 3, false},
             {"6f00@5+", FaultAction::StatusWord, 0x6F00, 5, "", 1, true},
             {"9000@BF2E#2+", FaultAction::StatusWord, 0x9000, 0, "BF2E", 2, true},
         }) {
        CAPTURE(c.text);
        Fault f = Fault::parse(c.text);
        CHECK(f.action == c.action);
        if (c.action == FaultAction::StatusWord) CHECK(f.sw == c.sw);
        CHECK(f.at_apdu == c.at_apdu);
        CHECK(f.at_step == c.step);
        CHECK(f.occurrence == c.occurrence);
        CHECK(f.persistent == c.persistent);
        Fault again = Fault::parse(f.to_string());
        CHECK(again.to_string() == f.to_string());
    }
    for (const char* bad : {"drop", "drop@", "drop@0", "kill@3", "6A8@3", "6A88@NoSuchStep", "drop@Enable#0",
                            "drop@EnableProfile#x", "@3"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(Fault::parse(bad), Error);
    }
    CHECK(es10_step_tags("AuthenticateServer") == std::vector<tlv::Tag>{0xBF38});
    CHECK(es10_step_tags("enableprofile") == std::vector<tlv::Tag>{0xBF31});
    CHECK(es10_step_tags("LoadBoundProfilePackage").size() == 7);
}

TEST_CASE("vcard: knobs change safely while APDUs flow") {
    auto card = make_card();
    send(*card, kSelect0);
    std::atomic<bool> done{false};
    std::thread tuner([&] {
        for (std::size_t i = 0; !done.load(); ++i) {
            Knobs k;
            k.chunk = 1 + i % 256;
            card->set_knobs(k);
            (void)card->counters();
        }
    });
    bool all_ok = true;
    for (int i = 0; i < 300; ++i) {
        Bytes r = send(*card, "80E2910003BF3E00");
        while ((sw_of(r) >> 8) == 0x61) r = send(*card, "00C00000" + hex_byte(sw_of(r) & 0xFF));
        all_ok = all_ok && sw_of(r) == 0x9000;
    }
    done = true;
    tuner.join();
    CHECK(all_ok);
}
