// SPDX-License-Identifier: Apache-2.0
// QMI messages as bytes, without GLib: the service message layout and its TLVs (Qualcomm MSM Interface, as libqmi's
// qmi-message.c frames it). This is the part of the QMI driver that must be exact, so it is plain C++ with tests
// (tests/unit/qmi) and a libFuzzer target (tests/fuzz/fuzz_qmi_response.cpp).
//
//   QMUX frame    : 01 | length u16 (bytes after the marker) | flags u8 | service u8 | client id u8 | SDU
//   service SDU   : flags u8 | transaction u16 | message id u16 | TLV length u16 | TLVs      (any service but CTL)
//   CTL SDU       : flags u8 | transaction u8  | message id u16 | TLV length u16 | TLVs
//   TLV           : type u8 | length u16 | value
// All integers little-endian. Service flags: 0 request, 2 response, 4 indication; CTL: 0, 1, 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libapdu/bytes.h"

namespace lpad::qmi {

struct Tlv {
    std::uint8_t type = 0;
    Bytes value;
    bool operator==(const Tlv&) const = default;
};
using TlvList = std::vector<Tlv>;

// TLVs in order. decode_tlvs throws Error(MalformedData) naming the offset when a TLV runs past the end; an encode
// of a value longer than 65535 bytes throws InvalidArgument.
Bytes encode_tlvs(const TlvList& tlvs);
TlvList decode_tlvs(ByteView data);
// The first TLV of `type`, or nullptr.
const Tlv* find_tlv(const TlvList& tlvs, std::uint8_t type);

struct ServiceMessage {
    std::uint8_t flags = 0;
    std::uint16_t transaction = 0;
    std::uint16_t message_id = 0;
    TlvList tlvs;
};
constexpr std::uint8_t kServiceFlagResponse = 0x02;
constexpr std::uint8_t kServiceFlagIndication = 0x04;

// A service SDU (what libqmi's qmi_message_get_data returns for a non-CTL message). decode throws MalformedData when
// the header is short, the TLV length disagrees with the bytes given, or a TLV is cut.
Bytes encode_service_message(const ServiceMessage& message);
ServiceMessage decode_service_message(ByteView sdu);

// Bounds-checked little-endian reader over a TLV value; every read past the end throws Error(MalformedData) naming
// `what` and the offset.
class Reader {
public:
    Reader(ByteView data, std::string what) : data_(data), what_(std::move(what)) {}
    std::uint8_t u8();
    std::uint16_t u16();
    std::uint32_t u32();
    Bytes bytes(std::size_t n);
    Bytes u8_prefixed() { return bytes(u8()); }
    Bytes u16_prefixed() { return bytes(u16()); }
    std::size_t remaining() const { return data_.size() - offset_; }
    void expect_end();  // trailing bytes are MalformedData too

private:
    void need(std::size_t n);
    ByteView data_;
    std::string what_;
    std::size_t offset_ = 0;
};

void put_u16(Bytes& out, std::uint16_t v);
void put_u32(Bytes& out, std::uint32_t v);

// The result TLV (0x02) every QMI response carries: status 0 success / 1 failure, and a QMI protocol error code.
struct Result {
    std::uint16_t status = 0;
    std::uint16_t error = 0;
    bool ok() const { return status == 0; }
};
constexpr std::uint8_t kResultTlv = 0x02;
// Throws MalformedData when the TLV is missing or not 4 bytes.
Result result_of(const TlvList& tlvs);
Tlv result_tlv(Result r);

}  // namespace lpad::qmi
