// SPDX-License-Identifier: Apache-2.0
// ISO/IEC 7816-4 command and response APDUs, status words, logical channels, and the builders an LPA needs
// (MANAGE CHANNEL, SELECT, GET RESPONSE, STORE DATA). No I/O here: see transport.h for sending them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libapdu/bytes.h"

namespace lpad::apdu {

// ISO 7816-4 §5.1: the four command cases, short (S) and extended (E) length.
//
//   case | data | response | encoding (after CLA INS P1 P2)
//   -----+------+----------+------------------------------------------------------------------
//    1   |  no  |    no    | (nothing)
//    2S  |  no  |   yes    | Le            Le = 01..FF, 00 means 256
//    3S  |  yes |    no    | Lc data       Lc = 01..FF
//    4S  |  yes |   yes    | Lc data Le
//    2E  |  no  |   yes    | 00 Le1 Le2    Le = 0001..FFFF, 0000 means 65536
//    3E  |  yes |    no    | 00 Lc1 Lc2 data            Lc = 0001..FFFF
//    4E  |  yes |   yes    | 00 Lc1 Lc2 data Le1 Le2    (both fields extended)
//
// `data` empty means "no Lc field"; `le` empty means "no Le field". encode() picks the short form when
// data <= 255 bytes and le <= 256, the extended form otherwise.
struct Command {
    std::uint8_t cla = 0;
    std::uint8_t ins = 0;
    std::uint8_t p1 = 0;
    std::uint8_t p2 = 0;
    Bytes data;
    std::optional<std::uint32_t> le;  // 1..65536 expected response bytes

    // Throws Error(InvalidArgument) for data > 65535 bytes or le outside 1..65536.
    Bytes encode() const;
    // Strict: any length that does not match one of the cases above throws Error(MalformedData).
    static Command decode(ByteView raw);

    bool operator==(const Command&) const = default;
};

struct Response {
    Bytes data;
    std::uint16_t sw = 0;

    std::uint8_t sw1() const { return static_cast<std::uint8_t>(sw >> 8); }
    std::uint8_t sw2() const { return static_cast<std::uint8_t>(sw & 0xFF); }

    // raw = data || SW1 SW2; fewer than 2 bytes throws Error(MalformedData).
    static Response decode(ByteView raw);
    Bytes encode() const;

    bool operator==(const Response&) const = default;
};

// 9000, and 91xx (normal completion with a proactive command pending, ETSI TS 102 221 §10.2.1.1).
bool is_success(std::uint16_t sw);

// Short English meaning of a status word, e.g. "file or application not found" for 6A82.
std::string_view sw_name(std::uint16_t sw);
// "6A82 (file or application not found)".
std::string sw_text(std::uint16_t sw);

// ISO 7816-4 §5.4.1 logical channels 0..19 in CLA. base_cla is 0x00 (interindustry) or 0x80 (the GlobalPlatform
// proprietary class STORE DATA uses); b5 (command chaining, 0x10) is kept, any other bit throws InvalidArgument.
//   channels 0..3:  first interindustry coding, b2b1 = channel        -> 0x00|n, 0x80|n
//   channels 4..19: further interindustry coding, b7 set, b4..b1 = n-4 -> 0x40|(n-4), 0xC0|(n-4)
// A channel above 19 throws InvalidArgument.
std::uint8_t cla_for_channel(std::uint8_t base_cla, unsigned channel);
unsigned channel_of(std::uint8_t cla);

constexpr std::uint8_t kInsManageChannel = 0x70;
constexpr std::uint8_t kInsSelect = 0xA4;
constexpr std::uint8_t kInsGetResponse = 0xC0;
constexpr std::uint8_t kInsStoreData = 0xE2;

// MANAGE CHANNEL open, case 2 on the basic channel: 00 70 00 00 01; the card answers the channel number.
Command manage_channel_open();
// MANAGE CHANNEL close, case 1 on the basic channel: 00 70 80 <channel>.
Command manage_channel_close(unsigned channel);
// SELECT by DF name (AID), first or only occurrence, FCI returned: CLA A4 04 00 Lc AID 00 (GlobalPlatform Card
// Specification §11.9). AID must be 5..16 bytes (ISO/IEC 7816-5).
Command select_by_aid(unsigned channel, ByteView aid);
// GET RESPONSE: CLA C0 00 00 Le. base_cla picks the class; exchange() reuses the class of the command it follows.
Command get_response(unsigned channel, std::uint32_t le, std::uint8_t base_cla = 0x00);

// GlobalPlatform STORE DATA (§11.11) segmentation of one ES10 request, as SGP.22 §5.7 transports ES10:
// CLA = cla_for_channel(0x80, channel), INS E2, P1 11 (more blocks) / 91 (last block), P2 = block number from 0
// (mod 256), Lc = up to block_size bytes; Le 00 on the last block when explicit_le (the only block that returns data;
// some cards and modems need it, others reject it).
// block_size outside 6..255 or an empty request throws InvalidArgument.
std::vector<Command> store_data(ByteView es10_request, unsigned channel, std::size_t block_size = 255,
                                bool explicit_le = false);

}  // namespace lpad::apdu
