// SPDX-License-Identifier: Apache-2.0
// The fake modem's MBIM wire codec (tests/fakes/mbim_proxy/mbim_wire.h) against libmbim: what libmbim builds, the
// fake reads; what the fake builds, libmbim parses. Two independent readings of MBIM agreeing.
#include <doctest/doctest.h>

#include <libmbim-glib.h>

#include "drivers/mbim/mbim_glib.h"
#include "unit/test_support.h"
#include "tests/fakes/mbim_proxy/mbim_wire.h"

using lpad::Errc;
using lpad::test::code_of;
using lpad::test::hex;
namespace wire = lpad::fake_mbim;
using lpad::mbim::MessagePtr;

namespace {
lpad::Bytes raw_of(MbimMessage* m) {
    guint32 len = 0;
    const guint8* data = mbim_message_get_raw(m, &len, nullptr);
    return lpad::Bytes(data, data + len);
}
}  // namespace

TEST_CASE("fake wire: reads libmbim's MS UICC open channel and APDU requests") {
    const auto aid = hex("A0000005591010FFFFFFFF8900000100");
    MessagePtr open(mbim_message_ms_uicc_low_level_access_open_channel_set_new(
        static_cast<guint32>(aid.size()), aid.data(), 4, 2, nullptr));
    mbim_message_set_transaction_id(open.get(), 77);
    auto m = wire::decode(raw_of(open.get()));
    CHECK(m.type == wire::kCommand);
    CHECK(m.transaction_id == 77);
    CHECK(m.service == wire::kMsUiccLowLevel);
    CHECK(m.cid == 2);
    CHECK(m.command_type == 1);
    CHECK(wire::ref_bytes(m.info, 0, true) == aid);
    CHECK(wire::u32_at(m.info, 8) == 4);
    CHECK(wire::u32_at(m.info, 12) == 2);

    const auto apdu = hex("81E2910003BF2D0000");
    MessagePtr a(mbim_message_ms_uicc_low_level_access_apdu_set_new(
        3, MBIM_UICC_SECURE_MESSAGING_NONE, MBIM_UICC_CLASS_BYTE_TYPE_EXTENDED, static_cast<guint32>(apdu.size()),
        apdu.data(), nullptr));
    m = wire::decode(raw_of(a.get()));
    CHECK(wire::u32_at(m.info, 0) == 3);
    CHECK(wire::u32_at(m.info, 8) == 1);
    CHECK(wire::ref_bytes(m.info, 12, true) == apdu);
}

TEST_CASE("fake wire: libmbim parses the fake's answers") {
    wire::InfoBuilder b(16);
    b.u32(0, 0x9000);
    b.u32(4, 2);
    b.bytes(8, hex("6F0584030102"), true);
    auto raw = wire::encode_command_done(9, wire::kMsUiccLowLevel, 2, 0, b.take());
    MessagePtr m(mbim_message_new(raw.data(), static_cast<guint32>(raw.size())));
    CHECK(mbim_message_get_transaction_id(m.get()) == 9);
    CHECK(mbim_message_command_done_get_status_code(m.get()) == MBIM_STATUS_ERROR_NONE);
    guint32 status = 0, channel = 0, size = 0;
    const guint8* data = nullptr;
    REQUIRE(mbim_message_ms_uicc_low_level_access_open_channel_response_parse(m.get(), &status, &channel, &size, &data,
                                                                              nullptr));
    CHECK(status == 0x9000);
    CHECK(channel == 2);
    CHECK(lpad::Bytes(data, data + size) == hex("6F0584030102"));

    wire::InfoBuilder caps(64);
    caps.string(40, "356938035643809");
    raw = wire::encode_command_done(1, wire::kBasicConnect, 1, 0, caps.take());
    m.reset(mbim_message_new(raw.data(), static_cast<guint32>(raw.size())));
    gchar* id = nullptr;
    REQUIRE(mbim_message_device_caps_response_parse(m.get(), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                                    nullptr, nullptr, nullptr, &id, nullptr, nullptr, nullptr));
    lpad::mbim::GCharPtr owned(id);
    CHECK(std::string(id) == "356938035643809");
}

TEST_CASE("fake wire: bad messages are MalformedData, never a read past the end") {
    CHECK_FALSE(wire::message_length(hex("03000000")).has_value());
    CHECK(code_of([] { wire::message_length(hex("03000000 05000000 01000000")); }) == Errc::MalformedData);
    CHECK(code_of([] { wire::message_length(hex("03000000 FFFFFF00 01000000")); }) == Errc::MalformedData);
    CHECK(code_of([] { wire::decode(hex("03000000 10000000 01000000 00000000")); }) == Errc::MalformedData);
    const auto info = hex("08000000 08000000");  // offset 8, size 8 in an 8-byte buffer
    CHECK(code_of([&] { wire::ref_bytes(info, 0, false); }) == Errc::MalformedData);
    CHECK(code_of([&] { wire::ref_bytes(info, 4, false); }) == Errc::MalformedData);
    CHECK(code_of([&] { wire::u32_at(info, 6); }) == Errc::MalformedData);
    CHECK(code_of([&] { wire::ref_string(hex("08000000 03000000 41004200"), 0); }) == Errc::MalformedData);
}
