// SPDX-License-Identifier: Apache-2.0
// The decoding the mbim: driver does itself (drivers/mbim/mbim_codec.h).
#include <doctest/doctest.h>

#include "drivers/mbim/mbim_codec.h"
#include "libapdu/apdu.h"
#include "unit/test_support.h"

using lpad::Errc;
using lpad::test::code_of;
using lpad::test::hex;
namespace mbim = lpad::mbim;

TEST_CASE("mbim codec: the class byte names the logical channel (ISO 7816-4 5.4.1, TS 102 221 10.1.1)") {
    CHECK(mbim::cla_channel(0x00) == 0u);
    CHECK(mbim::cla_channel(0x81) == 1u);
    CHECK(mbim::cla_channel(0x83) == 3u);
    CHECK(mbim::cla_channel(0x0B) == 3u);    // secure messaging bits do not change the channel
    CHECK(mbim::cla_channel(0xA2) == 2u);    // TS 102 221 'AX'
    CHECK(mbim::cla_channel(0x40) == 4u);
    CHECK(mbim::cla_channel(0xC0) == 4u);
    CHECK(mbim::cla_channel(0xCF) == 19u);
    CHECK(mbim::cla_channel(0x6F) == 19u);
    CHECK_FALSE(mbim::cla_channel(0xFF).has_value());
    CHECK_FALSE(mbim::cla_channel(0x20).has_value());
    CHECK_FALSE(mbim::cla_channel(0x3F).has_value());
}

TEST_CASE("mbim codec: a case 3 APDU gets Le 00, the other cases stay as they are") {
    // STORE DATA without Le (case 3) -> Le appended
    CHECK(mbim::command_for_modem(hex("81 E2 91 00 03 BF 3E 00")) == hex("81 E2 91 00 03 BF 3E 00 00"));
    // already case 4
    CHECK(mbim::command_for_modem(hex("81 E2 91 00 03 BF 3E 00 00")) == hex("81 E2 91 00 03 BF 3E 00 00"));
    // case 2 (GET RESPONSE) and case 1 untouched
    CHECK(mbim::command_for_modem(hex("81 C0 00 00 20")) == hex("81 C0 00 00 20"));
    CHECK(mbim::command_for_modem(hex("81 70 80 01")) == hex("81 70 80 01"));
    // malformed and extended APDUs are refused before they reach the modem
    CHECK(code_of([] { mbim::command_for_modem(hex("81 E2 91")); }) == Errc::InvalidArgument);
    CHECK(code_of([] { mbim::command_for_modem(hex("81 E2 91 00 05 BF")); }) == Errc::InvalidArgument);
    lpad::apdu::Command extended{0x81, 0xE2, 0x91, 0x00, lpad::Bytes(300, 0xAA), std::nullopt};
    CHECK(code_of([&] { mbim::command_for_modem(extended.encode()); }) == Errc::InvalidArgument);
}

TEST_CASE("mbim codec: the APDU response Status is the status word") {
    CHECK(mbim::response_apdu(0x9000, hex("BF 3E 03")) == hex("BF 3E 03 90 00"));
    CHECK(mbim::response_apdu(0x6110, {}) == hex("61 10"));
    CHECK(mbim::response_apdu(0x6A88, {}) == hex("6A 88"));
    CHECK(code_of([] { mbim::response_apdu(0x00019000, {}); }) == Errc::MalformedData);
    CHECK(code_of([] { mbim::response_apdu(0x0000, {}); }) == Errc::MalformedData);
    CHECK(code_of([] { mbim::response_apdu(0x1234, {}); }) == Errc::MalformedData);
    lpad::Bytes big(257, 0);
    CHECK(code_of([&] { mbim::response_apdu(0x9000, big); }) == Errc::MalformedData);
    CHECK(mbim::status_word(0x9000) == 0x9000);
    CHECK_FALSE(mbim::status_word(0x87430002).has_value());
}

TEST_CASE("mbim codec: the IMEI from the device caps DeviceId") {
    CHECK(mbim::imei_from_device_id("356938035643809") == "356938035643809");
    CHECK(mbim::imei_from_device_id("3569380356438091") == "3569380356438091");
    CHECK(mbim::imei_from_device_id("").empty());
    CHECK(mbim::imei_from_device_id("35693803564380").empty());        // 14 digits
    CHECK(mbim::imei_from_device_id("A0000012345678").empty());        // an MEID
    CHECK(mbim::imei_from_device_id("35693803564380X").empty());
    CHECK(mbim::imei_from_device_id("35693803564380912").empty());     // 17
}

TEST_CASE("mbim codec: MBIM status codes map to named, typed errors") {
    CHECK(mbim::status_info(1).name == "Busy");
    CHECK(mbim::status_info(1).errc == Errc::Busy);
    CHECK(mbim::status_info(3).errc == Errc::Unavailable);
    CHECK(mbim::status_info(2).errc == Errc::TransportError);
    CHECK(mbim::status_info(mbim::kStatusMsNoLogicalChannels).name == "MsNoLogicalChannels");
    CHECK(mbim::status_info(mbim::kStatusMsSelectFailed).errc == Errc::CardError);
    CHECK(mbim::status_info(0x12345678).name == "0x12345678");
    auto e = mbim::status_error("APDU", 2);
    CHECK(e.code() == Errc::TransportError);
    CHECK(std::string(e.what()) == "mbim: APDU: modem answered Failure (0x00000002)");
    CHECK(std::string(mbim::status_error("x", 0x12345678).what()) == "mbim: x: modem answered 0x12345678");
}

TEST_CASE("mbim codec: the slot mapped to the first executor") {
    CHECK(mbim::slot_is_mapped({0}, 0));
    CHECK_FALSE(mbim::slot_is_mapped({1}, 0));
    CHECK(mbim::slot_is_mapped({1, 0}, 1));
    CHECK(code_of([] { mbim::slot_is_mapped({}, 0); }) == Errc::MalformedData);
}
