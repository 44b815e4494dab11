// SPDX-License-Identifier: Apache-2.0
// What the mbim: driver decodes itself, kept apart from libmbim so it can be unit-tested and fuzzed
// (tests/unit/mbim, tests/fuzz/fuzz_mbim_codec.cpp). Everything here is pure and bounds-checked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libapdu/bytes.h"
#include "libapdu/error.h"

namespace lpad::mbim {

// The logical channel a class byte addresses. ISO/IEC 7816-4 §5.4.1 and ETSI TS 102 221 §10.1.1: b7 clear (first
// interindustry / '0X', '8X', 'AX' classes) = channel b2b1 (0..3); b7 set (further interindustry, '4X'..'7X',
// 'CX'..'FX') = 4 + b4..b1 (4..19). CLA 'FF' (invalid) and '2X'/'3X' (RFU) have none.
std::optional<unsigned> cla_channel(std::uint8_t cla);

// A command APDU as the modem must get it: checked (apdu::Command::decode), short only, and a case 3 command
// (data, no Le) gets Le = 00 appended, so the modem asks the card for the response data (hermes does the same for
// its MBIM modems; some modems drop the response data of a command without Le). Throws Error(InvalidArgument)
// for an APDU that does not decode or is extended.
Bytes command_for_modem(ByteView apdu);

// The response APDU (data || SW1 SW2) from the MS UICC low-level access APDU response: Status carries the card's
// status word (SW1 << 8 | SW2) in its low 16 bits. Throws Error(MalformedData) when Status has bits above 16 set or
// SW1 is not 6X/9X (ISO/IEC 7816-4 §5.6), or when the data is longer than a short response (256 bytes).
Bytes response_apdu(std::uint32_t status, ByteView data);

// The card's status word from an MS UICC open/close channel response Status (same encoding). nullopt when the value
// cannot be a status word.
std::optional<std::uint16_t> status_word(std::uint32_t status);

// The IMEI from the MBIM device caps DeviceId: 15 digits (IMEI) or 16 (IMEISV); anything else (an MEID, an ESN,
// garbage) gives an empty string.
std::string imei_from_device_id(std::string_view device_id);

// An MBIM status code (MBIM 1.0 §9.4.5 and the Microsoft extensions' 0x8743xxxx UICC codes): its name and the error
// code lpad reports for it.
struct StatusInfo {
    std::string name;  // e.g. "Busy", "SimNotInserted", "MsSelectFailed", or "0x87430009" when unknown
    Errc errc;
};
StatusInfo status_info(std::uint32_t status);
// "mbim: WHAT: modem answered NAME (0x...)" as an Error with the mapped code.
Error status_error(std::string_view what, std::uint32_t status);

// Microsoft's UICC low-level access status codes (MBIM extensions, "MBIM_STATUS_MS_*").
constexpr std::uint32_t kStatusMsNoLogicalChannels = 0x87430001;
constexpr std::uint32_t kStatusMsSelectFailed = 0x87430002;
constexpr std::uint32_t kStatusMsInvalidLogicalChannel = 0x87430003;

// Whether the physical slot `slot` (0-based) is the one the modem maps to its first executor, from the device slot
// mappings response (one slot index per executor). An empty mapping list is malformed: Error(MalformedData).
bool slot_is_mapped(const std::vector<std::uint32_t>& mappings, std::uint32_t slot);

}  // namespace lpad::mbim
