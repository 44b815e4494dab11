// SPDX-License-Identifier: Apache-2.0
// The MBIM wire format as the fake modem needs it (MBIM 1.0 §9: message header, fragment header, command and
// command-done; information buffer fields: offset/size pairs with 4-byte aligned data, UTF-16LE strings), written
// from the specification and independent of libmbim, so the driver's libmbim is checked against a second reading
// of the protocol. Every read is bounds-checked: a bad message throws Error(MalformedData).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "libapdu/bytes.h"
#include "libapdu/error.h"

namespace lpad::fake_mbim {

using Uuid = std::array<std::uint8_t, 16>;
extern const Uuid kBasicConnect;      // a289cc33-bcbb-8b4f-b6b0-133ec2aae6df
extern const Uuid kMsBasicConnectExt; // 3d01dcc5-fef5-4d05-0d3a-bef7058e9aaf
extern const Uuid kMsUiccLowLevel;    // c2f6588e-f037-4bc9-8665-f4d44bd09367
extern const Uuid kProxyControl;      // 838cf7fb-8d0d-4d7f-871e-d71dbefbb39b

enum MessageType : std::uint32_t {
    kOpen = 1,
    kClose = 2,
    kCommand = 3,
    kHostError = 4,
    kOpenDone = 0x80000001,
    kCloseDone = 0x80000002,
    kCommandDone = 0x80000003,
    kFunctionError = 0x80000004,
    kIndicateStatus = 0x80000007,
};
constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxMessage = 64 * 1024;

struct Message {
    std::uint32_t type = 0;
    std::uint32_t transaction_id = 0;
    // kCommand only:
    std::uint32_t fragment_total = 0, fragment_current = 0;
    Uuid service{};
    std::uint32_t cid = 0;
    std::uint32_t command_type = 0;  // 0 query, 1 set
    Bytes info;                      // the information buffer
};

// The length field of a message header (bytes 4..7), once 12 bytes are there; checked against kMaxMessage.
std::optional<std::size_t> message_length(ByteView prefix);
// One whole message (exactly `length` bytes).
Message decode(ByteView raw);

// Information-buffer readers (offsets relative to the buffer start, as MBIM defines them).
std::uint32_t u32_at(ByteView info, std::size_t offset);
// A byte array given by an (offset, size) pair at `at` (MBIM "ref-byte-array"), or (size, offset) when `swapped`
// (the MS UICC low-level access service's order).
Bytes ref_bytes(ByteView info, std::size_t at, bool swapped);
// A UTF-16LE string given by an (offset, size) pair at `at`; non-ASCII code units are refused.
std::string ref_string(ByteView info, std::size_t at);

// Builds an information buffer: fixed fields first, variable data after them, each padded to 4 bytes; the
// offset/size pairs are patched in when the data is added.
class InfoBuilder {
public:
    explicit InfoBuilder(std::size_t fixed_size) : out_(fixed_size, 0) {}
    void u32(std::size_t at, std::uint32_t v);
    void bytes(std::size_t at, ByteView data, bool swapped);  // pair at `at`, data appended
    void string(std::size_t at, const std::string& ascii);    // UTF-16LE
    Bytes take() { return std::move(out_); }

private:
    std::size_t append(ByteView data);
    Bytes out_;
};

Bytes encode_command_done(std::uint32_t tid, const Uuid& service, std::uint32_t cid, std::uint32_t status,
                          ByteView info);
Bytes encode_done(std::uint32_t type, std::uint32_t tid, std::uint32_t status);  // OPEN_DONE / CLOSE_DONE
Bytes encode_function_error(std::uint32_t tid, std::uint32_t error);

}  // namespace lpad::fake_mbim
