// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "fakes/replay_transport.h"
#include "libapdu/error.h"
#include "libapdu/transport.h"

using namespace lpad;
using lpad::test::ReplayTransport;

namespace {

constexpr const char* kIsdrAid = "a0000005591010ffffffff8900000100";
// Captured-style frames: MANAGE CHANNEL open -> channel 1, SELECT ISD-R on channel 1 answered with its FCI.
constexpr const char* kOpenChannel = "00 70 00 00 01";
constexpr const char* kChannel1 = "01 9000";
constexpr const char* kSelectIsdrCh1 = "01 a4 04 00 10 a0000005591010ffffffff8900000100 00";
constexpr const char* kIsdrFci = "6f108410a0000005591010ffffffff8900000100 9000";

Error error_of(auto&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no lpad::Error thrown");
    return Error(Errc::Internal, "unreachable");
}

}  // namespace

TEST_CASE("transport: exchange returns a plain answer unchanged") {
    ReplayTransport t({{"80e2910003bf2000", "bf2003800101 9000"}});
    t.open();
    auto r = exchange(t, apdu::Command::decode(from_hex("80e2910003bf2000")));
    CHECK(r.sw == 0x9000);
    CHECK(to_hex(r.data) == "bf2003800101");
    CHECK(t.exhausted());
}

TEST_CASE("transport: exchange follows 61xx with GET RESPONSE in the command's class and channel") {
    ReplayTransport t({
        {"81e2910003bf2e00", "6112"},
        {"81c0000012", "bf2e1280100102030405060708 6104"},
        {"81c0000004", "090a0b0c 9000"},
    });
    t.open();
    ExchangeCounters n;
    auto r = exchange(t, apdu::Command::decode(from_hex("81e2910003bf2e00")), &n);
    CHECK(r.sw == 0x9000);
    CHECK(to_hex(r.data) == "bf2e1280100102030405060708090a0b0c");
    CHECK(t.exhausted());
    CHECK(n.apdus == 3);
    CHECK(n.get_response_apdus == 2);
    CHECK(n.bytes_sent == 8 + 5 + 5);
    CHECK(n.bytes_received == 2 + 15 + 6);
}

TEST_CASE("transport: exchange resends once with the Le from 6Cxx") {
    ReplayTransport t({
        {"00b0000000", "6c08"},
        {"00b0000008", "0102030405060708 9000"},
    });
    t.open();
    auto r = exchange(t, apdu::Command{0x00, 0xB0, 0, 0, {}, 256});
    CHECK(r.sw == 0x9000);
    CHECK(r.data.size() == 8);
    CHECK(t.exhausted());
}

TEST_CASE("transport: 61 00 asks for 256 bytes, a GET RESPONSE answered 6Cxx is asked again") {
    ReplayTransport t({
        {"c2e2910003bf2d00", "6100"},
        {"c2c0000000", "6c10"},
        {"c2c0000010", "000102030405060708090a0b0c0d0e0f 9000"},
    });
    t.open();
    auto r = exchange(t, apdu::Command::decode(from_hex("c2e2910003bf2d00")));  // channel 6
    CHECK(r.data.size() == 16);
    CHECK(t.exhausted());
}

TEST_CASE("transport: exchange leaves 61xx alone when the link resolves it") {
    TransportLimits limits;
    limits.handles_get_response = true;
    ReplayTransport t({{"80e2910003bf2000", "6110"}}, limits);
    t.open();
    auto r = exchange(t, apdu::Command::decode(from_hex("80e2910003bf2000")));
    CHECK(r.sw == 0x6110);
    CHECK(t.exhausted());
}

TEST_CASE("transport: endless 61xx is bounded") {
    std::vector<lpad::test::ApduExchange> script{{"80e2910003bf2000", "6101"}};
    for (std::size_t i = 0; i < kMaxGetResponseRounds; ++i) script.push_back({"80c0000001", "aa6101"});
    ReplayTransport t(script);
    t.open();
    Error e = error_of([&] { exchange(t, apdu::Command::decode(from_hex("80e2910003bf2000"))); });
    CHECK(e.code() == Errc::ProtocolViolation);
    CHECK(t.exhausted());
}

TEST_CASE("transport: ApduTransport opens a channel and selects the AID") {
    ReplayTransport t({{kOpenChannel, kChannel1}, {kSelectIsdrCh1, kIsdrFci}, {"00708001", "9000"}});
    t.open();
    CHECK(t.open_logical_channel(from_hex(kIsdrAid)) == 1);
    t.close_logical_channel(1);
    CHECK(t.exhausted());
}

TEST_CASE("transport: SELECT on T=0 with 61xx, and on a channel above 3") {
    ReplayTransport t({
        {kOpenChannel, "05 9000"},
        {"41a4040010a0000005591010ffffffff890000010000", "6112"},
        {"41c0000012", "6f108410a0000005591010ffffffff8900000100 9000"},
    });
    t.open();
    CHECK(t.open_logical_channel(from_hex(kIsdrAid)) == 5);
    CHECK(t.exhausted());
}

TEST_CASE("transport: a missing AID gives CardError 6A82 and closes the channel") {
    ReplayTransport t({{kOpenChannel, "02 9000"},
                       {"02a4040010a0000005591010ffffffff890000010000", "6a82"},
                       {"00708002", "9000"}});
    t.open();
    Error e = error_of([&] { t.open_logical_channel(from_hex(kIsdrAid)); });
    CHECK(e.code() == Errc::CardError);
    CHECK(e.status_word == 0x6A82);
    CHECK(t.exhausted());
    CHECK(t.mismatch().empty());
}

TEST_CASE("transport: MANAGE CHANNEL refused or answered with nonsense") {
    struct Case {
        const char* name;
        const char* answer;
        Errc code;
    };
    const Case cases[] = {
        {"no channel free", "6a81", Errc::CardError},
        {"channels not supported", "6881", Errc::CardError},
        {"channel 0", "00 9000", Errc::MalformedData},
        {"channel 20", "14 9000", Errc::MalformedData},
        {"no data", "9000", Errc::MalformedData},
        {"two bytes", "0102 9000", Errc::MalformedData},
    };
    for (const auto& c : cases) {
        INFO(std::string(c.name));
        ReplayTransport t({{kOpenChannel, c.answer}});
        t.open();
        Error e = error_of([&] { t.open_logical_channel(from_hex(kIsdrAid)); });
        CHECK(e.code() == c.code);
        CHECK(t.exhausted());
    }
}

TEST_CASE("transport: without logical channels the AID is selected on the basic channel") {
    TransportLimits limits;
    limits.logical_channels = false;
    ReplayTransport t({{"00a4040010a0000005591010ffffffff890000010000", "9000"}}, limits);
    t.open();
    CHECK(t.open_logical_channel(from_hex(kIsdrAid)) == 0);
    t.close_logical_channel(0);  // nothing sent
    CHECK(t.exhausted());
}

TEST_CASE("transport: the replay fake fails loudly on an unexpected command") {
    ReplayTransport t({{kOpenChannel, kChannel1}});
    t.open();
    Error e = error_of([&] { t.transmit(from_hex("00a4040000")); });
    CHECK(e.code() == Errc::Internal);
    CHECK(std::string(e.what()).find("expected 0070000001, got 00a4040000") != std::string::npos);
    CHECK_FALSE(t.exhausted());
    CHECK_FALSE(t.mismatch().empty());
}
