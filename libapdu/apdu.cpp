// SPDX-License-Identifier: Apache-2.0
#include "libapdu/apdu.h"

#include <cstdio>

#include "libapdu/error.h"

namespace lpad::apdu {

namespace {

[[noreturn]] void malformed(const std::string& what) { fail(Errc::MalformedData, "command APDU: " + what); }

std::uint32_t short_le(std::uint8_t b) { return b == 0 ? 256u : b; }
std::uint32_t extended_le(std::uint8_t hi, std::uint8_t lo) {
    std::uint32_t v = (std::uint32_t(hi) << 8) | lo;
    return v == 0 ? 65536u : v;
}

}  // namespace

Bytes Command::encode() const {
    if (data.size() > 65535) fail(Errc::InvalidArgument, "command APDU data longer than 65535 bytes");
    if (le && (*le == 0 || *le > 65536)) fail(Errc::InvalidArgument, "command APDU Le must be 1..65536");
    const bool extended = data.size() > 255 || (le && *le > 256);
    Bytes out{cla, ins, p1, p2};
    if (!data.empty()) {
        if (extended) {
            out.push_back(0x00);
            out.push_back(static_cast<std::uint8_t>(data.size() >> 8));
        }
        out.push_back(static_cast<std::uint8_t>(data.size()));
        append(out, data);
    }
    if (le) {
        // 256 -> 00 (short), 65536 -> 0000 (extended): the truncation below does exactly that.
        if (extended) {
            if (data.empty()) out.push_back(0x00);
            out.push_back(static_cast<std::uint8_t>(*le >> 8));
        }
        out.push_back(static_cast<std::uint8_t>(*le));
    }
    return out;
}

Command Command::decode(ByteView raw) {
    if (raw.size() < 4) malformed("shorter than the 4-byte header (" + std::to_string(raw.size()) + " bytes)");
    Command c{raw[0], raw[1], raw[2], raw[3], {}, std::nullopt};
    const std::size_t n = raw.size();
    if (n == 4) return c;  // case 1
    if (n == 5) {          // case 2S
        c.le = short_le(raw[4]);
        return c;
    }
    if (raw[4] != 0) {  // short Lc
        const std::size_t lc = raw[4];
        if (n == 5 + lc) {
            c.data.assign(raw.begin() + 5, raw.end());
        } else if (n == 6 + lc) {
            c.data.assign(raw.begin() + 5, raw.end() - 1);
            c.le = short_le(raw[n - 1]);
        } else {
            malformed("Lc " + std::to_string(lc) + " does not match " + std::to_string(n) + " bytes");
        }
        return c;
    }
    // raw[4] == 00 and more than 5 bytes: extended length.
    if (n < 7) malformed("extended length field truncated at offset 5");
    if (n == 7) {  // case 2E
        c.le = extended_le(raw[5], raw[6]);
        return c;
    }
    const std::size_t lc = (std::size_t(raw[5]) << 8) | raw[6];
    if (lc == 0) malformed("extended Lc is 0000 at offset 5");
    if (n == 7 + lc) {
        c.data.assign(raw.begin() + 7, raw.end());
    } else if (n == 9 + lc) {
        c.data.assign(raw.begin() + 7, raw.end() - 2);
        c.le = extended_le(raw[n - 2], raw[n - 1]);
    } else {
        malformed("extended Lc " + std::to_string(lc) + " does not match " + std::to_string(n) + " bytes");
    }
    return c;
}

Response Response::decode(ByteView raw) {
    if (raw.size() < 2)
        fail(Errc::MalformedData, "response APDU shorter than SW1 SW2 (" + std::to_string(raw.size()) + " bytes)");
    Response r;
    r.data.assign(raw.begin(), raw.end() - 2);
    r.sw = static_cast<std::uint16_t>((raw[raw.size() - 2] << 8) | raw[raw.size() - 1]);
    return r;
}

Bytes Response::encode() const {
    Bytes out = data;
    out.push_back(sw1());
    out.push_back(sw2());
    return out;
}

bool is_success(std::uint16_t sw) { return sw == 0x9000 || (sw >> 8) == 0x91; }

std::string_view sw_name(std::uint16_t sw) {
    // Exact status words first (ISO 7816-4 §5.6, ETSI TS 102 221 §10.2).
    switch (sw) {
    case 0x9000: return "success";
    case 0x6200: return "warning: no information given";
    case 0x6281: return "warning: part of returned data may be corrupted";
    case 0x6282: return "warning: end of file reached before reading Le bytes";
    case 0x6283: return "warning: selected file or application deactivated";
    case 0x6300: return "warning: verification failed";
    case 0x6400: return "execution error, memory unchanged";
    case 0x6581: return "memory failure";
    case 0x6601: return "security-related error (some modems and cards: STORE DATA block too large)";
    case 0x6700: return "wrong length";
    case 0x6881: return "logical channel not supported";
    case 0x6882: return "secure messaging not supported";
    case 0x6883: return "last command of the chain expected";
    case 0x6884: return "command chaining not supported";
    case 0x6981: return "command incompatible with file structure";
    case 0x6982: return "security status not satisfied";
    case 0x6983: return "authentication method blocked";
    case 0x6984: return "reference data not usable";
    case 0x6985: return "conditions of use not satisfied";
    case 0x6986: return "command not allowed (no current EF)";
    case 0x6999: return "applet selection failed";
    case 0x6A80: return "incorrect parameters in the data field";
    case 0x6A81: return "function not supported";
    case 0x6A82: return "file or application not found";
    case 0x6A83: return "record not found";
    case 0x6A84: return "not enough memory space";
    case 0x6A86: return "incorrect parameters P1-P2";
    case 0x6A88: return "referenced data not found";
    case 0x6B00: return "wrong parameters P1-P2";
    case 0x6D00: return "instruction code not supported or invalid";
    case 0x6E00: return "class not supported";
    case 0x6F00: return "no precise diagnosis";
    default: break;
    }
    // Then families where SW2 carries a value or the exact code is not listed.
    switch (sw >> 8) {
    case 0x61: return "response bytes still available";
    case 0x6C: return "wrong Le (SW2 gives the exact length)";
    case 0x91: return "success, proactive command pending";
    case 0x62: return "warning, memory unchanged";
    case 0x63: return (sw & 0xF0) == 0xC0 ? "verification failed, retries left in SW2" : "warning, memory changed";
    case 0x64: return "execution error, memory unchanged";
    case 0x65: return "execution error, memory changed";
    case 0x66: return "security-related error";
    case 0x67: return "wrong length";
    case 0x68: return "function in CLA not supported";
    case 0x69: return "command not allowed";
    case 0x6A: return "wrong parameters";
    default: return "unknown status word";
    }
}

std::string sw_text(std::uint16_t sw) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", sw);
    return std::string(buf) + " (" + std::string(sw_name(sw)) + ")";
}

std::uint8_t cla_for_channel(std::uint8_t base_cla, unsigned channel) {
    if ((base_cla & ~0x90) != 0)
        fail(Errc::InvalidArgument, "base CLA must be 00 or 80 (plus chaining bit), got " + to_hex({&base_cla, 1}));
    if (channel > 19) fail(Errc::InvalidArgument, "logical channel " + std::to_string(channel) + " is above 19");
    if (channel <= 3) return static_cast<std::uint8_t>(base_cla | channel);
    return static_cast<std::uint8_t>(base_cla | 0x40 | (channel - 4));
}

unsigned channel_of(std::uint8_t cla) {
    if (cla & 0x40) return (cla & 0x0F) + 4u;
    return cla & 0x03u;
}

Command manage_channel_open() { return Command{0x00, kInsManageChannel, 0x00, 0x00, {}, 1}; }

Command manage_channel_close(unsigned channel) {
    if (channel == 0 || channel > 19)
        fail(Errc::InvalidArgument, "cannot close logical channel " + std::to_string(channel));
    return Command{0x00, kInsManageChannel, 0x80, static_cast<std::uint8_t>(channel), {}, std::nullopt};
}

Command select_by_aid(unsigned channel, ByteView aid) {
    if (aid.size() < 5 || aid.size() > 16)
        fail(Errc::InvalidArgument, "AID must be 5 to 16 bytes, got " + std::to_string(aid.size()));
    return Command{cla_for_channel(0x00, channel), kInsSelect, 0x04, 0x00, Bytes(aid.begin(), aid.end()), 256};
}

Command get_response(unsigned channel, std::uint32_t le, std::uint8_t base_cla) {
    return Command{cla_for_channel(base_cla, channel), kInsGetResponse, 0x00, 0x00, {}, le};
}

std::vector<Command> store_data(ByteView es10_request, unsigned channel, std::size_t block_size, bool explicit_le) {
    if (block_size < 6 || block_size > 255)
        fail(Errc::InvalidArgument, "STORE DATA block size must be 6..255, got " + std::to_string(block_size));
    if (es10_request.empty()) fail(Errc::InvalidArgument, "STORE DATA of an empty ES10 request");
    const std::uint8_t cla = cla_for_channel(0x80, channel);
    std::vector<Command> out;
    for (std::size_t offset = 0, block = 0; offset < es10_request.size(); offset += block_size, ++block) {
        const std::size_t n = std::min(block_size, es10_request.size() - offset);
        const bool last = offset + n == es10_request.size();
        auto piece = es10_request.subspan(offset, n);
        out.push_back(Command{cla, kInsStoreData, static_cast<std::uint8_t>(last ? 0x91 : 0x11),
                              static_cast<std::uint8_t>(block & 0xFF), Bytes(piece.begin(), piece.end()),
                              explicit_le && last ? std::optional<std::uint32_t>(256) : std::nullopt});
    }
    return out;
}

}  // namespace lpad::apdu
