// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "libapdu/bpp.h"
#include "libapdu/error.h"
#include "unit/test_support.h"

using namespace lpad;
using namespace lpad::test;
using namespace lpad::es10;

namespace {

// A real Bound Profile Package from pySim's unit tests (osmo-smdpp encoder): BF23, A0 with one 87, A1 with one 88,
// no A2, A3 with thirteen 86 segments of which twelve are 1,036 bytes (more than SGP.22's 1,020).
Bytes pysim_bpp() {
    return read_file(std::filesystem::path(LPAD_TEST_DATA) / ".." / "fuzz" / "corpus" / "bpp" / "pysim_test_esim_bpp.der");
}

// A small BPP written by hand from the ASN.1: ISCR, A0{87}, A1{88, 88}, A2{87}, A3{86, 86}.
Bytes small_bpp() {
    InitialiseSecureChannelRequest iscr;
    iscr.transaction_id = hex("aa");
    iscr.control_ref_template.host_id = hex("01020304");
    iscr.smdp_otpk = hex("04112233");
    iscr.smdp_sign = hex("5566");
    Bytes iscr_der = iscr.encode();
    // Hand-checked: 82 01 01 | 80 01 aa | a6 0c {80 01 88, 81 01 10, 84 04 01020304} | 5f49 04 .. | 5f37 02 ..
    CHECK(to_hex(iscr_der) == "bf2320820101" "8001aa" "a60c800188810110840401020304" "5f490404112233" "5f37025566");
    return concat(hex("bf36 41"), iscr_der, hex("a004 8702 0102"), hex("a108 8802 0304 8802 0506"), hex("a203 8701 07"),
                  hex("a307 8602 0809 8601 0a"));
}

}  // namespace

TEST_CASE("bpp: InitialiseSecureChannelRequest hand-written DER and signed data") {
    Bytes der = hex("bf2320820101 8001aa a60c800188810110840401020304 5f490404112233 5f37025566");
    auto r = InitialiseSecureChannelRequest::decode(der);
    CHECK(r.remote_op_id == 1);
    CHECK(to_hex(r.transaction_id) == "aa");
    CHECK(r.control_ref_template.key_type == 0x88);
    CHECK(r.control_ref_template.key_len == 0x10);
    CHECK(to_hex(r.control_ref_template.host_id) == "01020304");
    CHECK(to_hex(r.smdp_otpk) == "04112233");
    CHECK(to_hex(r.smdp_sign) == "5566");
    CHECK(r.raw == der);
    // SGP.22 §5.5.1: remoteOpId..smdpOtpk without the BF23 header, then euiccOtpk as a 5F49 TLV.
    CHECK(to_hex(r.signed_data(hex("04aabb"))) == "820101" "8001aa" "a60c800188810110840401020304" "5f490404112233" "5f490304aabb");
    CHECK_THROWS_AS(InitialiseSecureChannelRequest::decode(hex("bf231d 8001aa a60c800188810110840401020304 5f490404112233 5f37025566")), Error);
}

TEST_CASE("bpp: split a hand-built BPP into the ES10b pieces") {
    Bytes bpp = small_bpp();
    auto pieces = split_for_loading(ByteView(bpp));
    REQUIRE(pieces.size() == 9);
    CHECK(to_hex(pieces[0]).substr(0, 6) == "bf3641");
    CHECK(to_hex(pieces[1]) == "a00487020102");
    CHECK(to_hex(pieces[2]) == "a108");
    CHECK(to_hex(pieces[3]) == "88020304");
    CHECK(to_hex(pieces[4]) == "88020506");
    CHECK(to_hex(pieces[5]) == "a203870107");
    CHECK(to_hex(pieces[6]) == "a307");
    CHECK(to_hex(pieces[7]) == "86020809");
    CHECK(to_hex(pieces[8]) == "86010a");

    auto decoded = BoundProfilePackage::decode(bpp);
    REQUIRE(decoded.second_sequence_of_87.has_value());
    CHECK(decoded.sequence_of_88.size() == 2);
    CHECK(decoded.encode() == bpp);
    CHECK(split_for_loading(decoded) == pieces);
}

TEST_CASE("bpp: real BPP from pySim decodes, re-encodes and splits byte for byte") {
    Bytes bpp = pysim_bpp();
    auto b = BoundProfilePackage::decode(bpp);
    CHECK(to_hex(b.initialise_secure_channel_request.control_ref_template.host_id) == to_hex(as_bytes("mahlzeit")));
    CHECK(b.initialise_secure_channel_request.smdp_otpk.size() == 65);
    CHECK(b.initialise_secure_channel_request.smdp_sign.size() == 64);
    CHECK(b.first_sequence_of_87.size() == 1);
    CHECK(b.sequence_of_88.size() == 1);
    CHECK_FALSE(b.second_sequence_of_87.has_value());
    REQUIRE(b.sequence_of_86.size() == 13);
    CHECK(b.sequence_of_86[0].size() == 1040);  // 86 82 040C + 1,036 bytes: oversize, passed through
    CHECK(b.encode() == bpp);

    auto pieces = split_for_loading(ByteView(bpp));
    CHECK(pieces.size() == 1 + 1 + 1 + 1 + 1 + 13);
    Bytes joined;
    for (const auto& p : pieces) append(joined, p);
    CHECK(joined == bpp);  // nothing added, nothing lost
}

TEST_CASE("bpp: assembler accepts the pieces in order and names each one") {
    for (Bytes bpp : {small_bpp(), pysim_bpp()}) {
        auto pieces = split_for_loading(ByteView(bpp));
        BppAssembler a;
        std::vector<BppPart> parts;
        std::vector<BppCommandId> ids;
        for (std::size_t i = 0; i < pieces.size(); ++i) {
            CHECK_FALSE(a.complete());
            auto piece = a.feed(pieces[i]);
            parts.push_back(piece.part);
            ids.push_back(piece.command_id);
            CHECK(piece.last == (i + 1 == pieces.size()));
            if (piece.part == BppPart::InitialiseSecureChannel)
                CHECK(InitialiseSecureChannelRequest::decode(piece.element).raw.size() == piece.element.size());
        }
        CHECK(a.complete());
        CHECK(a.pieces() == pieces.size());
        CHECK(parts.front() == BppPart::InitialiseSecureChannel);
        CHECK(parts[1] == BppPart::ConfigureIsdp);
        CHECK(parts[2] == BppPart::StoreMetadataHeader);
        CHECK(parts.back() == BppPart::ProfileElement);
        CHECK(ids.front() == BppCommandId::initialiseSecureChannel);
        CHECK(ids.back() == BppCommandId::loadProfileElements);
        CHECK_THROWS_AS(a.feed(pieces.back()), Error);  // nothing after the end
    }
    // Part-by-part detail on the hand-built one: two 88s (storeMetadata, storeMetadata2), then A2.
    auto pieces = split_for_loading(ByteView(small_bpp()));
    BppAssembler a;
    for (int i = 0; i < 3; ++i) a.feed(pieces[i]);
    CHECK(a.feed(pieces[3]).command_id == BppCommandId::storeMetadata);
    CHECK(a.expected_command_id() == BppCommandId::storeMetadata2);
    a.feed(pieces[4]);
    auto rsk = a.feed(pieces[5]);
    CHECK(rsk.part == BppPart::ReplaceSessionKeys);
    CHECK(rsk.command_id == BppCommandId::replaceSessionKeys);
    REQUIRE(rsk.segments.size() == 1);
    CHECK(to_hex(rsk.segments[0]) == "870107");
}

TEST_CASE("bpp: assembler rejects wrong order and wrong lengths without changing state") {
    auto pieces = split_for_loading(ByteView(small_bpp()));
    {
        BppAssembler a;
        CHECK_THROWS_AS(a.feed(pieces[1]), Error);  // A0 before BF23
        CHECK(a.expected_command_id() == BppCommandId::initialiseSecureChannel);
        a.feed(pieces[0]);
        CHECK_THROWS_AS(a.feed(pieces[2]), Error);  // A1 header before A0
        a.feed(pieces[1]);
        CHECK_THROWS_AS(a.feed(hex("a1088802")), Error);  // header piece with extra bytes
        a.feed(pieces[2]);
        CHECK_THROWS_AS(a.feed(hex("a20187")), Error);  // A2 while 88s are still announced
    }
    {
        // An 88 longer than what A1 announced.
        BppAssembler a;
        for (int i = 0; i < 4; ++i) a.feed(pieces[i]);
        CHECK_THROWS_AS(a.feed(hex("880401020304")), Error);
        a.feed(pieces[4]);
        a.feed(pieces[5]);
        // A3 announcing more than BF36 has left.
        CHECK_THROWS_AS(a.feed(hex("a008")), Error);
        a.feed(pieces[6]);
        CHECK_THROWS_AS(a.feed(hex("8703010203")), Error);  // 87 where an 86 is due
        a.feed(pieces[7]);
        CHECK(a.feed(pieces[8]).last);
    }
}

TEST_CASE("bpp: decode errors name the package") {
    Bytes bpp = small_bpp();
    struct Case {
        const char* why;
        Bytes data;
    };
    Bytes no_a3 = concat(hex("bf36 38"), ByteView(bpp).subspan(3, bpp.size() - 3 - 9));
    const Case cases[] = {
        {"wrong outer tag", concat(hex("bf37"), ByteView(bpp).subspan(2))},
        {"truncated", Bytes(bpp.begin(), bpp.end() - 1)},
        {"trailing byte", concat(bpp, hex("00"))},
        {"missing A3", no_a3},
    };
    for (const auto& c : cases) {
        CAPTURE(c.why);
        try {
            BoundProfilePackage::decode(c.data);
            FAIL("decoded");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::MalformedData);
            CHECK(std::string(e.what()).find("BoundProfilePackage") != std::string::npos);
        }
        CHECK_THROWS_AS(split_for_loading(ByteView(c.data)), Error);
    }
    // A segment with the wrong tag inside A1.
    Bytes bad = bpp;
    auto pos = to_hex(bad).find("88020304") / 2;
    bad[pos] = 0x87;
    CHECK_THROWS_AS(BoundProfilePackage::decode(bad), Error);
}
