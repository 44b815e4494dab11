// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <string>

#include "libapdu/apdu.h"
#include "libapdu/error.h"

using namespace lpad;
using namespace lpad::apdu;

namespace {

Bytes filled(std::size_t n) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 1);
    return b;
}

std::string hex_of(const Command& c) { return to_hex(c.encode()); }

}  // namespace

TEST_CASE("apdu: the four cases encode short and extended and decode back") {
    struct Case {
        const char* name;
        std::size_t data_size;
        std::optional<std::uint32_t> le;
        const char* head_hex;  // bytes after CLA INS P1 P2, up to the data
        const char* tail_hex;  // bytes after the data
        std::size_t total;
    };
    const Case cases[] = {
        {"case 1", 0, std::nullopt, "", "", 4},
        {"case 2S Le 1", 0, 1, "01", "", 5},
        {"case 2S Le 256 is 00", 0, 256, "00", "", 5},
        {"case 2E Le 257", 0, 257, "000101", "", 7},
        {"case 2E Le 65536 is 0000", 0, 65536, "000000", "", 7},
        {"case 3S Lc 1", 1, std::nullopt, "01", "", 6},
        {"case 3S Lc 255", 255, std::nullopt, "ff", "", 260},
        {"case 3E Lc 256", 256, std::nullopt, "000100", "", 263},
        {"case 4S Lc 3 Le 256", 3, 256, "03", "00", 9},
        {"case 4S Lc 255 Le 1", 255, 1, "ff", "01", 261},
        {"case 4E because of data", 300, 256, "00012c", "0100", 309},
        {"case 4E because of Le", 2, 65536, "000002", "0000", 11},
        {"case 4E Lc 65535", 65535, 4096, "00ffff", "1000", 65544},
    };
    for (const auto& c : cases) {
        INFO(std::string(c.name));
        Command cmd{0x80, 0xE2, 0x91, 0x05, filled(c.data_size), c.le};
        Bytes raw = cmd.encode();
        REQUIRE(raw.size() == c.total);
        CHECK(to_hex(ByteView(raw).first(4)) == "80e29105");
        std::string head = c.head_hex;
        CHECK(to_hex(ByteView(raw).subspan(4, head.size() / 2)) == head);
        std::string tail = c.tail_hex;
        CHECK(to_hex(ByteView(raw).last(tail.size() / 2)) == tail);
        CHECK(Command::decode(raw) == cmd);
    }
}

TEST_CASE("apdu: encode rejects impossible lengths") {
    CHECK_THROWS_AS((Command{0, 0xA4, 0, 0, {}, 0}.encode()), Error);
    CHECK_THROWS_AS((Command{0, 0xA4, 0, 0, {}, 65537}.encode()), Error);
    CHECK_THROWS_AS((Command{0, 0xA4, 0, 0, Bytes(65536, 1), std::nullopt}.encode()), Error);
    try {
        Command{0, 0xA4, 0, 0, {}, 0}.encode();
    } catch (const Error& e) {
        CHECK(e.code() == Errc::InvalidArgument);
    }
}

TEST_CASE("apdu: decode is strict about Lc and length") {
    struct Case {
        const char* name;
        const char* hex;
    };
    const Case cases[] = {
        {"3 bytes", "00a404"},
        {"empty", ""},
        {"Lc 2 but one data byte", "00a4040002a0"},
        {"Lc 2, two data bytes, then two extra", "00a4040002a0a10000"},
        {"extended marker then one byte", "00a4040000ff"},
        {"extended Lc 0000 with data", "00a404000000000102"},
        {"extended Lc 3 but 2 data bytes", "80e2910000000301020000"},
        {"extended Lc 2 with one-byte Le", "80e291000000020102ff"},
    };
    for (const auto& c : cases) {
        INFO(std::string(c.name));
        try {
            Command::decode(from_hex(c.hex));
            FAIL("decoded");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::MalformedData);
        }
    }
}

TEST_CASE("apdu: decode accepts an extended form with small lengths") {
    Command c = Command::decode(from_hex("80e2910000000201020100"));
    CHECK(c.data == Bytes{1, 2});
    CHECK(c.le == 256u);
    CHECK(hex_of(c) == "80e2910002010200");  // re-encoded in the short form
}

TEST_CASE("apdu: response split and success status words") {
    Response r = Response::decode(from_hex("bf2003800101910a"));
    CHECK(to_hex(r.data) == "bf2003800101");
    CHECK(r.sw == 0x910A);
    CHECK(r.sw1() == 0x91);
    CHECK(r.sw2() == 0x0A);
    CHECK(to_hex(r.encode()) == "bf2003800101910a");
    CHECK(Response::decode(from_hex("6a82")).data.empty());
    CHECK_THROWS_AS(Response::decode(from_hex("90")), Error);
    CHECK_THROWS_AS(Response::decode(Bytes{}), Error);

    CHECK(is_success(0x9000));
    CHECK(is_success(0x9100));
    CHECK(is_success(0x91FF));
    CHECK_FALSE(is_success(0x6100));
    CHECK_FALSE(is_success(0x9001));
    CHECK_FALSE(is_success(0x6A82));
}

TEST_CASE("apdu: status word names") {
    struct Case {
        std::uint16_t sw;
        const char* name;
    };
    const Case cases[] = {
        {0x9000, "success"},
        {0x6110, "response bytes still available"},
        {0x6C20, "wrong Le (SW2 gives the exact length)"},
        {0x9112, "success, proactive command pending"},
        {0x6281, "warning: part of returned data may be corrupted"},
        {0x6283, "warning: selected file or application deactivated"},
        {0x63C2, "verification failed, retries left in SW2"},
        {0x6400, "execution error, memory unchanged"},
        {0x6581, "memory failure"},
        {0x6601, "security-related error (some modems and cards: STORE DATA block too large)"},
        {0x6700, "wrong length"},
        {0x6881, "logical channel not supported"},
        {0x6882, "secure messaging not supported"},
        {0x6982, "security status not satisfied"},
        {0x6985, "conditions of use not satisfied"},
        {0x6986, "command not allowed (no current EF)"},
        {0x6A80, "incorrect parameters in the data field"},
        {0x6A81, "function not supported"},
        {0x6A82, "file or application not found"},
        {0x6A84, "not enough memory space"},
        {0x6A86, "incorrect parameters P1-P2"},
        {0x6A88, "referenced data not found"},
        {0x6B00, "wrong parameters P1-P2"},
        {0x6D00, "instruction code not supported or invalid"},
        {0x6E00, "class not supported"},
        {0x6F00, "no precise diagnosis"},
        {0x6A87, "wrong parameters"},
        {0x6999, "applet selection failed"},
        {0x6912, "command not allowed"},
        {0x1234, "unknown status word"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.sw);
        CHECK(sw_name(c.sw) == c.name);
    }
    CHECK(sw_text(0x6A82) == "6A82 (file or application not found)");
    CHECK(sw_text(0x9000) == "9000 (success)");
}

TEST_CASE("apdu: CLA for logical channels 0..19") {
    // ISO 7816-4 §5.4.1: first interindustry class for 0..3, further interindustry (b7 set) for 4..19.
    const std::uint8_t interindustry[20] = {0x00, 0x01, 0x02, 0x03, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45,
                                            0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F};
    const std::uint8_t proprietary[20] = {0x80, 0x81, 0x82, 0x83, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5,
                                          0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF};
    for (unsigned ch = 0; ch < 20; ++ch) {
        CAPTURE(ch);
        CHECK(cla_for_channel(0x00, ch) == interindustry[ch]);
        CHECK(cla_for_channel(0x80, ch) == proprietary[ch]);
        CHECK(channel_of(interindustry[ch]) == ch);
        CHECK(channel_of(proprietary[ch]) == ch);
    }
    CHECK(cla_for_channel(0x10, 5) == 0x51);  // chaining bit kept
    CHECK_THROWS_AS(cla_for_channel(0x00, 20), Error);
    CHECK_THROWS_AS(cla_for_channel(0x80, 20), Error);
    CHECK_THROWS_AS(cla_for_channel(0xA0, 1), Error);
}

TEST_CASE("apdu: channel management, SELECT and GET RESPONSE builders") {
    CHECK(hex_of(manage_channel_open()) == "0070000001");
    CHECK(hex_of(manage_channel_close(1)) == "00708001");
    CHECK(hex_of(manage_channel_close(19)) == "00708013");
    CHECK_THROWS_AS(manage_channel_close(0), Error);

    const Bytes isdr = from_hex("a0000005591010ffffffff8900000100");
    CHECK(hex_of(select_by_aid(1, isdr)) == "01a4040010a0000005591010ffffffff890000010000");
    CHECK(hex_of(select_by_aid(7, isdr)) == "43a4040010a0000005591010ffffffff890000010000");
    CHECK(hex_of(select_by_aid(0, from_hex("a000000559"))) == "00a4040005a00000055900");
    CHECK_THROWS_AS(select_by_aid(1, from_hex("a0000005")), Error);
    CHECK_THROWS_AS(select_by_aid(1, Bytes(17, 0xA0)), Error);

    CHECK(hex_of(get_response(2, 0x20)) == "02c0000020");
    CHECK(hex_of(get_response(2, 256, 0x80)) == "82c0000000");
    CHECK(hex_of(get_response(4, 16, 0x80)) == "c0c0000010");
}

TEST_CASE("apdu: STORE DATA segmentation") {
    struct Case {
        const char* name;
        std::size_t request_size;
        std::size_t block;
        unsigned channel;
        bool explicit_le;
        std::vector<std::string> headers;  // CLA INS P1 P2 Lc of each block
    };
    const Case cases[] = {
        {"one short block", 3, 255, 1, false, {"81e2910003"}},
        {"exactly one full block", 255, 255, 1, false, {"81e29100ff"}},
        {"two blocks", 256, 255, 1, false, {"81e21100ff", "81e2910101"}},
        {"1020 bytes = 4 full blocks", 1020, 255, 2, false, {"82e21100ff", "82e21101ff", "82e21102ff", "82e29103ff"}},
        {"120-byte blocks on channel 5", 250, 120, 5, false, {"c1e2110078", "c1e2110178", "c1e291020a"}},
        {"minimum block", 7, 6, 3, true, {"83e2110006", "83e2910101"}},
    };
    for (const auto& c : cases) {
        INFO(std::string(c.name));
        Bytes request = filled(c.request_size);
        auto cmds = store_data(request, c.channel, c.block, c.explicit_le);
        REQUIRE(cmds.size() == c.headers.size());
        Bytes joined;
        for (std::size_t i = 0; i < cmds.size(); ++i) {
            Bytes raw = cmds[i].encode();
            CHECK(to_hex(ByteView(raw).first(5)) == c.headers[i]);
            // Only the last block returns data, so only it carries Le (case 4); the others are case 3.
            const bool le = c.explicit_le && i + 1 == cmds.size();
            CHECK(raw.size() == 5 + cmds[i].data.size() + (le ? 1 : 0));
            if (le) CHECK(raw.back() == 0x00);
            append(joined, cmds[i].data);
        }
        CHECK(joined == request);
    }
}

TEST_CASE("apdu: STORE DATA block numbers wrap at 256 and bad sizes are refused") {
    auto cmds = store_data(filled(6 * 300), 1, 6);
    REQUIRE(cmds.size() == 300);
    CHECK(cmds[255].p2 == 0xFF);
    CHECK(cmds[256].p2 == 0x00);
    CHECK(cmds[299].p1 == 0x91);
    CHECK(cmds[298].p1 == 0x11);
    for (std::size_t bad : {0, 5, 256, 1000}) {
        CAPTURE(bad);
        try {
            store_data(filled(10), 1, bad);
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::InvalidArgument);
        }
    }
    CHECK_THROWS_AS(store_data(Bytes{}, 1), Error);
}
