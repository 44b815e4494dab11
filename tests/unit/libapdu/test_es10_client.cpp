// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <string>

#include "fakes/replay_transport.h"
#include "libapdu/error.h"
#include "libapdu/es10_client.h"
#include "libapdu/log.h"

using namespace lpad;
using lpad::test::ApduExchange;
using lpad::test::ReplayTransport;

namespace {

// Canned frames for an eUICC that gives out channel 1 and has the ISD-R at the SGP.22 default AID.
constexpr ApduExchange kOpenCh1{"00 70 00 00 01", "01 9000"};
constexpr ApduExchange kSelectIsdrCh1{"01 a4 04 00 10 a0000005591010ffffffff8900000100 00",
                                      "6f108410a0000005591010ffffffff8900000100 9000"};
constexpr ApduExchange kCloseCh1{"00 70 80 01", "9000"};

// ES10c GetEID (GetEuiccDataRequest BF3E with tagList 5A), and its answer.
constexpr const char* kGetEid = "bf3e035c015a";
constexpr ApduExchange kGetEidApdu{"81 e2 91 00 06 bf3e035c015a", "bf3e125a1089049032123451234512345678901235 9000"};
constexpr const char* kEidResponse = "bf3e125a1089049032123451234512345678901235";

// A request of n bytes that starts like an ES10b LoadBoundProfilePackage piece (tag BF36, long form length).
Bytes bf36_request(std::size_t n) {
    Bytes b(n);
    b[0] = 0xBF;
    b[1] = 0x36;
    b[2] = 0x82;
    b[3] = static_cast<std::uint8_t>((n - 5) >> 8);
    b[4] = static_cast<std::uint8_t>(n - 5);
    for (std::size_t i = 5; i < n; ++i) b[i] = static_cast<std::uint8_t>(i);
    return b;
}

// "81e2" P1 P2 Lc + the slice [offset, offset+len) of `request`, as hex.
std::string store_data_hex(const Bytes& request, std::uint8_t p1, std::uint8_t p2, std::size_t offset,
                           std::size_t len, std::uint8_t cla = 0x81) {
    Bytes apdu{cla, 0xE2, p1, p2, static_cast<std::uint8_t>(len)};
    apdu.insert(apdu.end(), request.begin() + static_cast<long>(offset),
                request.begin() + static_cast<long>(offset + len));
    return to_hex(apdu);
}

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

TEST_CASE("es10client: open, one single-block function, close") {
    ReplayTransport t({kOpenCh1, kSelectIsdrCh1, kGetEidApdu, kCloseCh1});
    {
        Es10Client c(t);
        CHECK_FALSE(c.is_open());
        c.open();
        CHECK(c.is_open());
        CHECK(c.channel() == 1);
        CHECK(to_hex(c.isdr_aid()) == "a0000005591010ffffffff8900000100");
        CHECK(to_hex(c.transceive(from_hex(kGetEid))) == kEidResponse);
        CHECK_FALSE(c.proactive_pending());
        auto s = c.stats();
        CHECK(s.apdus == 1);
        CHECK(s.store_data_apdus == 1);
        CHECK(s.get_response_apdus == 0);
        CHECK(s.bytes_sent == 11);
        CHECK(s.bytes_received == 23);
    }  // destructor closes the channel and the transport
    CHECK(t.exhausted());
    CHECK_FALSE(t.is_open());
    CHECK(t.mismatch().empty());
}

TEST_CASE("es10client: a long request is split with P1 11/91 and P2 counting from 0") {
    struct Case {
        const char* name;
        std::size_t request_size;
        std::size_t option_block;
        std::size_t link_max;
        std::size_t expect_block;
    };
    const Case cases[] = {
        {"255-byte blocks", 600, 255, 255, 255},
        {"configured 120-byte blocks", 300, 120, 255, 120},
        {"link limit below the option", 200, 255, 64, 64},
        {"exactly two full blocks", 510, 255, 255, 255},
    };
    for (const auto& c : cases) {
        INFO(std::string(c.name));
        const Bytes request = bf36_request(c.request_size);
        std::vector<std::string> frames;  // owns the hex the script points at
        const std::size_t blocks = (c.request_size + c.expect_block - 1) / c.expect_block;
        for (std::size_t i = 0; i < blocks; ++i) {
            const std::size_t off = i * c.expect_block;
            const std::size_t len = std::min(c.expect_block, c.request_size - off);
            frames.push_back(store_data_hex(request, i + 1 == blocks ? 0x91 : 0x11, static_cast<std::uint8_t>(i),
                                            off, len));
        }
        std::vector<ApduExchange> script{kOpenCh1, kSelectIsdrCh1};
        for (std::size_t i = 0; i < blocks; ++i)
            script.push_back({frames[i], i + 1 == blocks ? "bf3703800100 9000" : "9000"});
        TransportLimits limits;
        limits.max_command_data = c.link_max;
        ReplayTransport t(script, limits);
        Es10Options o;
        o.store_data_block = c.option_block;
        Es10Client client(t, o);
        client.open();
        CHECK(to_hex(client.transceive(request)) == "bf3703800100");
        CHECK(client.stats().store_data_apdus == blocks);
        CHECK(t.exhausted());
        CHECK(t.mismatch().empty());
    }
}

TEST_CASE("es10client: 61xx on the last block is collected with GET RESPONSE") {
    ReplayTransport t({kOpenCh1, kSelectIsdrCh1,
                       {"81 e2 91 00 03 bf2d00", "6110"},
                       {"81 c0 00 00 10", "bf2d0ea00c e30a5a0a98001032547698103214 6102"},
                       {"81 c0 00 00 02", "0000 9000"}});
    Es10Client c(t);
    c.open();
    CHECK(to_hex(c.transceive(from_hex("bf2d00"))) == "bf2d0ea00ce30a5a0a980010325476981032140000");
    auto s = c.stats();
    CHECK(s.apdus == 3);
    CHECK(s.store_data_apdus == 1);
    CHECK(s.get_response_apdus == 2);
    CHECK(t.steps_done() == 5);
}

TEST_CASE("es10client: 6Cxx gets the command resent with the right Le") {
    Es10Options o;
    o.explicit_le = true;
    ReplayTransport t({kOpenCh1, kSelectIsdrCh1,
                       {"81 e2 91 00 03 bf2e00 00", "6c15"},
                       {"81 e2 91 00 03 bf2e00 15", "bf2e128010000102030405060708090a0b0c0d0e0f 9000"}});
    Es10Client c(t, o);
    c.open();
    CHECK(to_hex(c.transceive(from_hex("bf2e00"))) == "bf2e128010000102030405060708090a0b0c0d0e0f");
    CHECK(t.steps_done() == 4);
}

TEST_CASE("es10client: explicit Le 00 goes on the last block only") {
    Es10Options o;
    o.explicit_le = true;
    o.store_data_block = 6;
    ReplayTransport t({kOpenCh1, kSelectIsdrCh1,
                       {"81 e2 11 00 06 bf3e035c015a", "9000"},
                       {"81 e2 91 01 01 ff 00", "bf3e00 9000"}});
    Es10Client c(t, o);
    c.open();
    CHECK(to_hex(c.transceive(from_hex("bf3e035c015aff"))) == "bf3e00");
    CHECK(t.steps_done() == 4);
}

TEST_CASE("es10client: 91xx is success and flags a pending proactive command") {
    ReplayTransport t({kOpenCh1, kSelectIsdrCh1,
                       {"81 e2 91 00 0a bf3107a0054f03010203", "bf3103800100 910b"},
                       kGetEidApdu});
    Es10Client c(t);
    c.open();
    CHECK(to_hex(c.transceive(from_hex("bf3107a0054f03010203"))) == "bf3103800100");
    CHECK(c.proactive_pending());
    c.transceive(from_hex(kGetEid));
    CHECK_FALSE(c.proactive_pending());
}

TEST_CASE("es10client: an error status word in the middle stops the function") {
    struct Case {
        const char* name;
        std::uint16_t sw;
        const char* sw_hex;
    };
    const Case cases[] = {
        {"wrong data", 0x6A80, "6a80"},
        {"block too large: reported, not retried", 0x6700, "6700"},
        {"6601 from a modem: reported, not retried", 0x6601, "6601"},
    };
    for (const auto& c : cases) {
        INFO(std::string(c.name));
        const Bytes request = bf36_request(600);
        const std::string b0 = store_data_hex(request, 0x11, 0, 0, 255);
        const std::string b1 = store_data_hex(request, 0x11, 1, 255, 255);
        ReplayTransport t({kOpenCh1, kSelectIsdrCh1, {b0, "9000"}, {b1, c.sw_hex}});
        Es10Client client(t);
        client.open();
        Error e = error_of([&] { client.transceive(request); });
        CHECK(e.code() == Errc::CardError);
        CHECK(e.status_word == c.sw);
        CHECK(std::string(e.what()).find("STORE DATA block 2 of 3 for ES10 function BF36") != std::string::npos);
        CHECK(t.exhausted());  // the third block was not sent
        CHECK(client.is_open());
    }
}

TEST_CASE("es10client: data in answer to an intermediate block is a protocol violation") {
    const Bytes request = bf36_request(300);
    const std::string b0 = store_data_hex(request, 0x11, 0, 0, 255);
    ReplayTransport t({kOpenCh1, kSelectIsdrCh1, {b0, "bf3703800101 9000"}});
    Es10Client c(t);
    c.open();
    CHECK(error_of([&] { c.transceive(request); }).code() == Errc::ProtocolViolation);
}

TEST_CASE("es10client: the second ISD-R AID is tried when the first is not on the card") {
    Es10Options o;
    o.isdr_aids = {from_hex("a0000005591010ffffffff8900000100"), from_hex("a0000005591010ffffffff8900050500")};
    ReplayTransport t({kOpenCh1,
                       {"01 a4 04 00 10 a0000005591010ffffffff8900000100 00", "6a82"},
                       kCloseCh1,
                       {"00 70 00 00 01", "02 9000"},
                       {"02 a4 04 00 10 a0000005591010ffffffff8900050500 00", "9000"},
                       {"82 e2 91 00 06 bf3e035c015a", "bf3e00 9000"},
                       {"00 70 80 02", "9000"}});
    Es10Client c(t, o);
    c.open();
    CHECK(c.channel() == 2);
    CHECK(to_hex(c.isdr_aid()) == "a0000005591010ffffffff8900050500");
    CHECK(to_hex(c.transceive(from_hex(kGetEid))) == "bf3e00");
    c.close();
    CHECK_FALSE(c.is_open());
    CHECK(t.exhausted());
    CHECK(t.mismatch().empty());
}

TEST_CASE("es10client: no ISD-R at any AID closes the transport and reports the card's answer") {
    Es10Options o;
    o.isdr_aids = {from_hex("a0000005591010ffffffff8900000100"), from_hex("a0000005591010000000008900000300")};
    ReplayTransport t({kOpenCh1,
                       {"01 a4 04 00 10 a0000005591010ffffffff8900000100 00", "6a82"},
                       kCloseCh1,
                       kOpenCh1,
                       {"01 a4 04 00 10 a0000005591010000000008900000300 00", "6999"},
                       kCloseCh1});
    Es10Client c(t, o);
    Error e = error_of([&] { c.open(); });
    CHECK(e.code() == Errc::CardError);
    CHECK(e.status_word == 0x6999);
    CHECK_FALSE(c.is_open());
    CHECK_FALSE(t.is_open());
    CHECK(t.exhausted());
}

TEST_CASE("es10client: a broken link during open is not hidden by the AID fallback") {
    ReplayTransport t({});  // any command is unexpected: the fake throws Internal
    Es10Client c(t);
    CHECK(error_of([&] { c.open(); }).code() == Errc::Internal);
    CHECK_FALSE(t.is_open());
}

TEST_CASE("es10client: refuses bad options and use before open") {
    Es10Options none;
    none.isdr_aids.clear();
    ReplayTransport t({});
    CHECK(error_of([&] { Es10Client c(t, none); }).code() == Errc::InvalidArgument);
    Es10Options short_aid;
    short_aid.isdr_aids = {from_hex("a00000")};
    CHECK(error_of([&] { Es10Client c(t, short_aid); }).code() == Errc::InvalidArgument);
    Es10Client c(t);
    CHECK(error_of([&] { c.transceive(from_hex(kGetEid)); }).code() == Errc::Unavailable);
}

TEST_CASE("es10client: set_store_data_block accepts 6..255 and applies to the next function") {
    ReplayTransport idle({});
    Es10Client checked(idle);
    CHECK(checked.store_data_block() == Es10Options{}.store_data_block);
    const struct {
        std::size_t block;
        bool accepted;
    } cases[] = {{0, false}, {5, false}, {6, true}, {120, true}, {255, true}, {256, false}};
    for (const auto& c : cases) {
        CAPTURE(c.block);
        const std::size_t before = checked.store_data_block();
        if (c.accepted) {
            checked.set_store_data_block(c.block);
            CHECK(checked.store_data_block() == c.block);
        } else {
            CHECK(error_of([&] { checked.set_store_data_block(c.block); }).code() == Errc::InvalidArgument);
            CHECK(checked.store_data_block() == before);
        }
    }

    // Lowered between two functions on an open session: the second request goes out in 100-byte blocks.
    const Bytes request = bf36_request(250);
    const std::string b0 = store_data_hex(request, 0x91, 0, 0, 250);  // one 255-byte block at first
    const std::string b1 = store_data_hex(request, 0x11, 0, 0, 100);
    const std::string b2 = store_data_hex(request, 0x11, 1, 100, 100);
    const std::string b3 = store_data_hex(request, 0x91, 2, 200, 50);
    ReplayTransport t({kOpenCh1, kSelectIsdrCh1, {b0, "6700"}, {b1, "9000"}, {b2, "9000"},
                       {b3, "bf3703800100 9000"}});
    Es10Client client(t);
    client.open();
    CHECK(error_of([&] { client.transceive(request); }).status_word == 0x6700);
    client.set_store_data_block(100);
    CHECK(to_hex(client.transceive(request)) == "bf3703800100");
    CHECK(client.stats().store_data_apdus == 4);
    CHECK(t.exhausted());
    CHECK(t.mismatch().empty());
}

namespace {

// The shape typed ES10 messages have (libapdu/es10*.h): encode() on the request, Response::decode.
struct FakeEidResponse {
    std::string eid_hex;
    static FakeEidResponse decode(ByteView raw) { return {to_hex(raw.subspan(5))}; }
};
struct FakeGetEid {
    using Response = FakeEidResponse;
    Bytes encode() const { return from_hex(kGetEid); }
};

}  // namespace

TEST_CASE("es10client: call() encodes the request and decodes the typed response") {
    ReplayTransport t({kOpenCh1, kSelectIsdrCh1, kGetEidApdu});
    Es10Client c(t);
    c.open();
    CHECK(c.call(FakeGetEid{}).eid_hex == "89049032123451234512345678901235");
}

TEST_CASE("es10client: traces show functions at debug, bytes at trace, never the secret-bearing ones") {
    // AuthenticateServer (BF38) carrying a matching ID in its request; GetEID answered normally.
    const std::string secret_hex = to_hex(as_bytes("SECRET-MID-77"));
    const std::string bf38 = "bf380f800d" + secret_hex;
    const std::string bf38_apdu = "81e29100" + to_hex(Bytes{static_cast<std::uint8_t>(bf38.size() / 2)}) + bf38;
    for (auto level : {log::Level::Info, log::Level::Debug, log::Level::Trace}) {
        CAPTURE(log::level_name(level));
        std::string text;
        log::set_sink([&](log::Level, std::string_view c, std::string_view m) {
            text += std::string(c) + ": " + std::string(m) + "\n";
        }, level);
        ReplayTransport t({kOpenCh1, kSelectIsdrCh1, kGetEidApdu, {bf38_apdu, "bf3803" "800101" "9000"}, kCloseCh1});
        {
            Es10Client c(t);
            c.open();
            c.transceive(from_hex(kGetEid));
            c.transceive(from_hex(bf38));
        }
        log::set_sink({}, log::Level::Info);
        CHECK(text.find(secret_hex) == std::string::npos);
        CHECK(text.find("SECRET") == std::string::npos);
        const bool debug = level != log::Level::Info;
        CHECK((text.find("-> BF3E: 6 bytes in 1 STORE DATA block(s)") != std::string::npos) == debug);
        CHECK((text.find("<- BF3E: SW 9000, 21 bytes") != std::string::npos) == debug);
        CHECK((text.find("-> BF38: 18 bytes") != std::string::npos) == debug);
        const bool trace = level == log::Level::Trace;
        CHECK((text.find(std::string("<- BF3E ") + kEidResponse) != std::string::npos) == trace);
        CHECK((text.find("-> BF38 (18 bytes, not shown") != std::string::npos) == trace);
        CHECK((text.find("<- BF38 (6 bytes, not shown") != std::string::npos) == trace);
    }
}
