// SPDX-License-Identifier: Apache-2.0
// The QMI UIM messages the driver builds by hand. Debian 12's libqmi 1.32 has no typed calls for logical channels
// and APDUs (they came with libqmi 1.36), so these requests and responses are encoded here and sent with
// qmi_device_command_full; the same bytes work with a newer libqmi. IDs and TLVs as libqmi's
// data/qmi-service-uim.json defines them (also ChromeOS hermes' qmi_uim tables):
//
//   message                 id      request TLVs                                   response TLVs (+ 0x02 result)
//   Send APDU               0x003B  01 slot u8, 02 APDU u16-prefixed,              10 response APDU u16-prefixed
//                                   10 channel id u8
//   Logical Channel (close) 0x003F  01 slot u8, 11 channel id u8                   11 card result SW1 SW2
//   Open Logical Channel    0x0042  01 slot u8, 10 AID u8-prefixed                 10 channel id u8,
//                                                                                  11 card result SW1 SW2,
//                                                                                  12 select response u8-prefixed
//   Get Slot Status         0x0047  (none)                                         10 physical slot status,
//                                                                                  11 physical slot information,
//                                                                                  12 slot EIDs
// Slots are numbered from 1. Parsers are bounds-checked: anything cut or inconsistent is Error(MalformedData).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "drivers/qmi/qmi_tlv.h"

namespace lpad::qmi::uim {

constexpr std::uint8_t kService = 0x0B;  // QMI_SERVICE_UIM
constexpr std::uint16_t kSendApdu = 0x003B;
constexpr std::uint16_t kLogicalChannel = 0x003F;
constexpr std::uint16_t kOpenLogicalChannel = 0x0042;
constexpr std::uint16_t kSwitchSlot = 0x0046;
constexpr std::uint16_t kGetSlotStatus = 0x0047;

// Requests. Throw InvalidArgument for a slot of 0, an AID outside 1..255 bytes, an APDU outside 4..65535 bytes.
TlvList open_logical_channel_request(std::uint8_t slot, ByteView aid);
TlvList send_apdu_request(std::uint8_t slot, std::uint8_t channel, ByteView apdu);
TlvList close_logical_channel_request(std::uint8_t slot, std::uint8_t channel);

// The request fields, as a modem reads them (the fake modem in tests/fakes/qmi_proxy).
struct OpenLogicalChannelRequest {
    std::uint8_t slot = 0;
    Bytes aid;
};
struct SendApduRequest {
    std::uint8_t slot = 0;
    Bytes apdu;
    std::optional<std::uint8_t> channel;
};
struct CloseLogicalChannelRequest {
    std::uint8_t slot = 0;
    std::optional<std::uint8_t> channel;
};
OpenLogicalChannelRequest parse_open_logical_channel_request(const TlvList& tlvs);
SendApduRequest parse_send_apdu_request(const TlvList& tlvs);
CloseLogicalChannelRequest parse_close_logical_channel_request(const TlvList& tlvs);

// Responses. `result` is the 0x02 TLV; the other fields are present as the modem sent them.
struct OpenLogicalChannelResponse {
    Result result;
    std::optional<std::uint8_t> channel;
    std::optional<std::uint16_t> status_word;  // card result: SW1 << 8 | SW2
    Bytes select_response;
};
struct SendApduResponse {
    Result result;
    std::optional<Bytes> apdu;  // data || SW1 SW2
};
struct CloseLogicalChannelResponse {
    Result result;
    std::optional<std::uint16_t> status_word;
};
OpenLogicalChannelResponse parse_open_logical_channel_response(const TlvList& tlvs);
SendApduResponse parse_send_apdu_response(const TlvList& tlvs);
CloseLogicalChannelResponse parse_close_logical_channel_response(const TlvList& tlvs);
TlvList encode_open_logical_channel_response(const OpenLogicalChannelResponse& r);
TlvList encode_send_apdu_response(const SendApduResponse& r);
TlvList encode_close_logical_channel_response(const CloseLogicalChannelResponse& r);

// Get Slot Status: one entry per physical slot, in order (physical slot N is entry N-1).
struct PhysicalSlot {
    std::uint32_t card_state = 0;  // QmiUimPhysicalCardState: 0 unknown, 1 absent, 2 present
    std::uint32_t slot_state = 0;  // QmiUimSlotState: 0 inactive, 1 active
    std::uint8_t logical_slot = 0;
    Bytes iccid;
    std::optional<bool> is_euicc;  // from the slot information TLV, when sent (with the ATR)
    Bytes atr;
    Bytes eid;                     // from the slot EID TLV, when sent
    bool active() const { return slot_state == 1; }
    bool card_present() const { return card_state == 2; }
};
struct SlotStatusResponse {
    Result result;
    std::vector<PhysicalSlot> slots;
};
SlotStatusResponse parse_get_slot_status_response(const TlvList& tlvs);
TlvList encode_get_slot_status_response(const SlotStatusResponse& r);

}  // namespace lpad::qmi::uim
