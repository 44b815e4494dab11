// SPDX-License-Identifier: Apache-2.0
#include "tests/fakes/mbim_proxy/mbim_wire.h"

#include <algorithm>

namespace lpad::fake_mbim {

const Uuid kBasicConnect{0xa2, 0x89, 0xcc, 0x33, 0xbc, 0xbb, 0x8b, 0x4f, 0xb6, 0xb0, 0x13, 0x3e, 0xc2, 0xaa, 0xe6, 0xdf};
const Uuid kMsBasicConnectExt{0x3d, 0x01, 0xdc, 0xc5, 0xfe, 0xf5, 0x4d, 0x05, 0x0d, 0x3a, 0xbe, 0xf7, 0x05, 0x8e, 0x9a, 0xaf};
const Uuid kMsUiccLowLevel{0xc2, 0xf6, 0x58, 0x8e, 0xf0, 0x37, 0x4b, 0xc9, 0x86, 0x65, 0xf4, 0xd4, 0x4b, 0xd0, 0x93, 0x67};
const Uuid kProxyControl{0x83, 0x8c, 0xf7, 0xfb, 0x8d, 0x0d, 0x4d, 0x7f, 0x87, 0x1e, 0xd7, 0x1d, 0xbe, 0xfb, 0xb3, 0x9b};

namespace {
std::uint32_t le32(ByteView b, std::size_t at) {
    if (at > b.size() || b.size() - at < 4) fail(Errc::MalformedData, "mbim: field at " + std::to_string(at) + " past the end");
    return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
           static_cast<std::uint32_t>(b[at + 2]) << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}
void put32(Bytes& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void push32(Bytes& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
ByteView span_at(ByteView info, std::uint32_t offset, std::uint32_t size) {
    if (offset > info.size() || size > info.size() - offset)
        fail(Errc::MalformedData, "mbim: data (offset " + std::to_string(offset) + ", size " + std::to_string(size) +
                                      ") outside the information buffer of " + std::to_string(info.size()) + " bytes");
    return info.subspan(offset, size);
}
}  // namespace

std::optional<std::size_t> message_length(ByteView prefix) {
    if (prefix.size() < kHeaderSize) return std::nullopt;
    const std::uint32_t length = le32(prefix, 4);
    if (length < kHeaderSize || length > kMaxMessage)
        fail(Errc::MalformedData, "mbim: message length " + std::to_string(length) + " out of range");
    return length;
}

Message decode(ByteView raw) {
    auto length = message_length(raw);
    if (!length || *length != raw.size()) fail(Errc::MalformedData, "mbim: message length does not match");
    Message m;
    m.type = le32(raw, 0);
    m.transaction_id = le32(raw, 8);
    if (m.type != kCommand) return m;
    constexpr std::size_t kFixed = kHeaderSize + 8 + 16 + 12;  // header, fragment header, uuid, cid, type, length
    if (raw.size() < kFixed) fail(Errc::MalformedData, "mbim: command shorter than its fixed part");
    m.fragment_total = le32(raw, 12);
    m.fragment_current = le32(raw, 16);
    std::copy_n(raw.begin() + 20, 16, m.service.begin());
    m.cid = le32(raw, 36);
    m.command_type = le32(raw, 40);
    const std::uint32_t info_length = le32(raw, 44);
    if (info_length != raw.size() - kFixed)
        fail(Errc::MalformedData, "mbim: information buffer length " + std::to_string(info_length) + " does not match");
    m.info.assign(raw.begin() + kFixed, raw.end());
    return m;
}

std::uint32_t u32_at(ByteView info, std::size_t offset) { return le32(info, offset); }

Bytes ref_bytes(ByteView info, std::size_t at, bool swapped) {
    const std::uint32_t a = le32(info, at), b = le32(info, at + 4);
    ByteView v = swapped ? span_at(info, b, a) : span_at(info, a, b);
    return Bytes(v.begin(), v.end());
}

std::string ref_string(ByteView info, std::size_t at) {
    Bytes raw = ref_bytes(info, at, false);
    if (raw.size() % 2) fail(Errc::MalformedData, "mbim: UTF-16 string of odd length");
    std::string out;
    for (std::size_t i = 0; i < raw.size(); i += 2) {
        const unsigned unit = raw[i] | raw[i + 1] << 8;
        if (unit == 0 || unit > 0x7E) fail(Errc::MalformedData, "mbim: string has a non-ASCII character");
        out.push_back(static_cast<char>(unit));
    }
    return out;
}

std::size_t InfoBuilder::append(ByteView data) {
    const std::size_t offset = out_.size();
    out_.insert(out_.end(), data.begin(), data.end());
    while (out_.size() % 4) out_.push_back(0);
    return offset;
}

void InfoBuilder::u32(std::size_t at, std::uint32_t v) { put32(out_, at, v); }

void InfoBuilder::bytes(std::size_t at, ByteView data, bool swapped) {
    const std::uint32_t offset = data.empty() ? 0 : static_cast<std::uint32_t>(append(data));
    const auto size = static_cast<std::uint32_t>(data.size());
    put32(out_, at, swapped ? size : offset);
    put32(out_, at + 4, swapped ? offset : size);
}

void InfoBuilder::string(std::size_t at, const std::string& ascii) {
    Bytes utf16;
    for (char c : ascii) {
        utf16.push_back(static_cast<std::uint8_t>(c));
        utf16.push_back(0);
    }
    bytes(at, utf16, false);
}

Bytes encode_command_done(std::uint32_t tid, const Uuid& service, std::uint32_t cid, std::uint32_t status,
                          ByteView info) {
    Bytes m;
    push32(m, kCommandDone);
    push32(m, 0);  // length, below
    push32(m, tid);
    push32(m, 1);  // fragments: total
    push32(m, 0);  // current
    m.insert(m.end(), service.begin(), service.end());
    push32(m, cid);
    push32(m, status);
    push32(m, static_cast<std::uint32_t>(info.size()));
    m.insert(m.end(), info.begin(), info.end());
    put32(m, 4, static_cast<std::uint32_t>(m.size()));
    return m;
}

Bytes encode_done(std::uint32_t type, std::uint32_t tid, std::uint32_t status) {
    Bytes m;
    push32(m, type);
    push32(m, 16);
    push32(m, tid);
    push32(m, status);
    return m;
}

Bytes encode_function_error(std::uint32_t tid, std::uint32_t error) { return encode_done(kFunctionError, tid, error); }

}  // namespace lpad::fake_mbim
