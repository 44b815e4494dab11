// SPDX-License-Identifier: Apache-2.0
// The hand-built QMI UIM messages, byte for byte. Expected bytes follow libqmi's data/qmi-service-uim.json (the
// typed messages of libqmi 1.36: Open Logical Channel 0x0042, Send APDU 0x003B, Logical Channel 0x003F, Get Slot
// Status 0x0047) and qmi-message.c's service header layout.
#include <doctest/doctest.h>

#include "drivers/qmi/qmi_tlv.h"
#include "drivers/qmi/uim_messages.h"
#include "libapdu/error.h"

using namespace lpad;
using namespace lpad::qmi;

namespace {
const Bytes kIsdr = from_hex("A0000005591010FFFFFFFF8900000100");

Bytes request_sdu(std::uint16_t id, std::uint16_t transaction, const TlvList& tlvs) {
    ServiceMessage m;
    m.transaction = transaction;
    m.message_id = id;
    m.tlvs = tlvs;
    return encode_service_message(m);
}

TlvList response_tlvs(const std::string& hex) { return decode_tlvs(from_hex(hex)); }
}  // namespace

TEST_CASE("UIM Open Logical Channel request: slot 1, the ISD-R AID") {
    CHECK(to_hex(request_sdu(uim::kOpenLogicalChannel, 1, uim::open_logical_channel_request(1, kIsdr)), true) ==
          "00" "0100" "4200" "1800"                      // request, transaction 1, message 0x0042, 24 bytes of TLVs
          "01" "0100" "01"                               // slot 1
          "10" "1100" "10" "A0000005591010FFFFFFFF8900000100");  // AID, u8 length prefix
    CHECK_THROWS_AS(uim::open_logical_channel_request(0, kIsdr), Error);
    CHECK_THROWS_AS(uim::open_logical_channel_request(1, Bytes{}), Error);
}

TEST_CASE("UIM Send APDU request: slot, APDU with a u16 length, channel id") {
    const Bytes apdu = from_hex("81E2910003BF2000");
    CHECK(to_hex(request_sdu(uim::kSendApdu, 0x0102, uim::send_apdu_request(1, 1, apdu)), true) ==
          "00" "0201" "3B00" "1500"
          "01" "0100" "01"
          "02" "0A00" "0800" "81E2910003BF2000"
          "10" "0100" "01");
    CHECK_THROWS_AS(uim::send_apdu_request(1, 1, from_hex("8000")), Error);
}

TEST_CASE("UIM Logical Channel (close) request: slot and channel id 0x11") {
    CHECK(to_hex(request_sdu(uim::kLogicalChannel, 7, uim::close_logical_channel_request(2, 3)), true) ==
          "00" "0700" "3F00" "0800" "01" "0100" "02" "11" "0100" "03");
}

TEST_CASE("UIM Get Slot Status request has no TLVs") {
    CHECK(to_hex(request_sdu(uim::kGetSlotStatus, 9, {}), true) == "00" "0900" "4700" "0000");
}

TEST_CASE("UIM Open Logical Channel response: channel, card result, select response") {
    auto ok = uim::parse_open_logical_channel_response(
        response_tlvs("020400" "00000000" "100100" "02" "110200" "9000" "120500" "04" "82017821"));
    CHECK(ok.result.ok());
    REQUIRE(ok.channel);
    CHECK(*ok.channel == 2);
    CHECK(ok.status_word == std::optional<std::uint16_t>(0x9000));
    CHECK(to_hex(ok.select_response, true) == "82017821");

    auto refused = uim::parse_open_logical_channel_response(response_tlvs("020400" "01000300" "110200" "6A82"));
    CHECK_FALSE(refused.result.ok());
    CHECK(refused.result.error == 0x0003);
    CHECK_FALSE(refused.channel);
    CHECK(refused.status_word == std::optional<std::uint16_t>(0x6A82));
    CHECK(uim::encode_open_logical_channel_response(refused) == response_tlvs("020400" "01000300" "110200" "6A82"));
}

TEST_CASE("UIM Send APDU response: the response APDU with a u16 length") {
    auto r = uim::parse_send_apdu_response(response_tlvs("020400" "00000000" "100600" "0400" "BF200061"));
    CHECK(r.result.ok());
    REQUIRE(r.apdu);
    CHECK(to_hex(*r.apdu, true) == "BF200061");
    // A length prefix that runs past its TLV, or bytes after it, is malformed.
    CHECK_THROWS_AS(uim::parse_send_apdu_response(response_tlvs("020400" "00000000" "100600" "0500" "BF200061")),
                    Error);
    CHECK_THROWS_AS(uim::parse_send_apdu_response(response_tlvs("020400" "00000000" "100700" "0400" "BF20006100")),
                    Error);
    CHECK_THROWS_AS(uim::parse_send_apdu_response(response_tlvs("100600" "0400" "BF200061")), Error);  // no result
}

TEST_CASE("UIM Get Slot Status response: two slots, the eUICC in the inactive one") {
    const std::string hex =
        "020400" "00000000"
        "101500" "02" "02000000" "01000000" "01" "00"   // slot 1: present, active, logical 1, no ICCID
                      "02000000" "00000000" "00" "00"   // slot 2: present, inactive
        "111100" "02" "02000000" "01" "00" "00"         // slot 1: UICC, 1 app, no ATR, not eUICC
                      "02000000" "01" "02" "3B00" "01"  // slot 2: ATR 3B00, eUICC
        "120500" "02" "00" "02" "8901";                 // EIDs
    auto r = uim::parse_get_slot_status_response(response_tlvs(hex));
    REQUIRE(r.slots.size() == 2);
    CHECK(r.slots[0].active());
    CHECK(r.slots[0].card_present());
    CHECK(r.slots[0].logical_slot == 1);
    CHECK(r.slots[0].is_euicc == std::optional<bool>(false));
    CHECK_FALSE(r.slots[1].active());
    CHECK(r.slots[1].is_euicc == std::optional<bool>(true));
    CHECK(to_hex(r.slots[1].atr, true) == "3B00");
    CHECK(to_hex(r.slots[1].eid, true) == "8901");
    CHECK(encode_tlvs(uim::encode_get_slot_status_response(r)) == from_hex(hex));
    // Slot information for a different number of slots than the status TLV.
    CHECK_THROWS_AS(uim::parse_get_slot_status_response(response_tlvs("020400" "00000000" "110100" "01")), Error);
}

TEST_CASE("service messages: header, TLV length and cut TLVs are checked") {
    const Bytes good = from_hex("02" "0100" "3B00" "0700" "020400" "00000000");
    auto m = decode_service_message(good);
    CHECK(m.flags == kServiceFlagResponse);
    CHECK(m.transaction == 1);
    CHECK(m.message_id == 0x003B);
    CHECK(result_of(m.tlvs).ok());
    CHECK(encode_service_message(m) == good);
    CHECK_THROWS_AS(decode_service_message(from_hex("02" "0100" "3B00" "0800" "020400" "00000000")), Error);
    CHECK_THROWS_AS(decode_service_message(from_hex("02" "0100" "3B")), Error);
    CHECK_THROWS_AS(decode_tlvs(from_hex("020500" "00000000")), Error);
    CHECK_THROWS_AS(result_of(decode_tlvs(from_hex("020300" "000000"))), Error);
}

TEST_CASE("requests parse back as a modem reads them") {
    auto open = uim::parse_open_logical_channel_request(uim::open_logical_channel_request(1, kIsdr));
    CHECK(open.slot == 1);
    CHECK(open.aid == kIsdr);
    auto send = uim::parse_send_apdu_request(uim::send_apdu_request(2, 3, from_hex("83E2910003BF2000")));
    CHECK(send.slot == 2);
    CHECK(send.channel == std::optional<std::uint8_t>(3));
    CHECK(to_hex(send.apdu, true) == "83E2910003BF2000");
    auto close = uim::parse_close_logical_channel_request(uim::close_logical_channel_request(1, 3));
    CHECK(close.channel == std::optional<std::uint8_t>(3));
}
