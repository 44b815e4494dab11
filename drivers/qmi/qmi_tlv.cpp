// SPDX-License-Identifier: Apache-2.0
#include "drivers/qmi/qmi_tlv.h"

#include "libapdu/error.h"

namespace lpad::qmi {

void put_u16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
}

void put_u32(Bytes& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void Reader::need(std::size_t n) {
    if (n > remaining())
        fail(Errc::MalformedData, "qmi: " + what_ + ": " + std::to_string(n) + " bytes wanted at offset " +
                                      std::to_string(offset_) + ", " + std::to_string(remaining()) + " left");
}

std::uint8_t Reader::u8() {
    need(1);
    return data_[offset_++];
}

std::uint16_t Reader::u16() {
    need(2);
    auto v = static_cast<std::uint16_t>(data_[offset_] | (data_[offset_ + 1] << 8));
    offset_ += 2;
    return v;
}

std::uint32_t Reader::u32() {
    need(4);
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | data_[offset_ + static_cast<std::size_t>(i)];
    offset_ += 4;
    return v;
}

Bytes Reader::bytes(std::size_t n) {
    need(n);
    Bytes out(data_.begin() + static_cast<std::ptrdiff_t>(offset_),
              data_.begin() + static_cast<std::ptrdiff_t>(offset_ + n));
    offset_ += n;
    return out;
}

void Reader::expect_end() {
    if (remaining() != 0)
        fail(Errc::MalformedData,
             "qmi: " + what_ + ": " + std::to_string(remaining()) + " unexpected bytes at offset " +
                 std::to_string(offset_));
}

Bytes encode_tlvs(const TlvList& tlvs) {
    Bytes out;
    for (const Tlv& t : tlvs) {
        if (t.value.size() > 0xFFFF)
            fail(Errc::InvalidArgument, "qmi: TLV 0x" + to_hex(Bytes{t.type}) + " value longer than 65535 bytes");
        out.push_back(t.type);
        put_u16(out, static_cast<std::uint16_t>(t.value.size()));
        append(out, t.value);
    }
    return out;
}

TlvList decode_tlvs(ByteView data) {
    TlvList tlvs;
    Reader r(data, "TLVs");
    while (r.remaining() > 0) {
        Tlv t;
        t.type = r.u8();
        t.value = r.u16_prefixed();
        tlvs.push_back(std::move(t));
    }
    return tlvs;
}

const Tlv* find_tlv(const TlvList& tlvs, std::uint8_t type) {
    for (const Tlv& t : tlvs)
        if (t.type == type) return &t;
    return nullptr;
}

Bytes encode_service_message(const ServiceMessage& message) {
    Bytes tlvs = encode_tlvs(message.tlvs);
    if (tlvs.size() > 0xFFFF) fail(Errc::InvalidArgument, "qmi: message TLVs longer than 65535 bytes");
    Bytes out{message.flags};
    put_u16(out, message.transaction);
    put_u16(out, message.message_id);
    put_u16(out, static_cast<std::uint16_t>(tlvs.size()));
    append(out, tlvs);
    return out;
}

ServiceMessage decode_service_message(ByteView sdu) {
    Reader r(sdu, "service message header");
    ServiceMessage m;
    m.flags = r.u8();
    m.transaction = r.u16();
    m.message_id = r.u16();
    const std::uint16_t length = r.u16();
    if (length != r.remaining())
        fail(Errc::MalformedData, "qmi: service message says " + std::to_string(length) + " bytes of TLVs, has " +
                                      std::to_string(r.remaining()));
    m.tlvs = decode_tlvs(r.bytes(length));
    return m;
}

Result result_of(const TlvList& tlvs) {
    const Tlv* t = find_tlv(tlvs, kResultTlv);
    if (!t) fail(Errc::MalformedData, "qmi: response without a result TLV (0x02)");
    Reader r(t->value, "result TLV");
    Result result;
    result.status = r.u16();
    result.error = r.u16();
    r.expect_end();
    return result;
}

Tlv result_tlv(Result r) {
    Tlv t{kResultTlv, {}};
    put_u16(t.value, r.status);
    put_u16(t.value, r.error);
    return t;
}

}  // namespace lpad::qmi
