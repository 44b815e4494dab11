// SPDX-License-Identifier: Apache-2.0
// Byte buffers and their text forms (hex, base64).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lpad {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Lower-case hex by default. from_hex accepts either case, no separators; odd length or a non-hex
// character throws Error(MalformedData) naming the offset.
std::string to_hex(ByteView data, bool upper = false);
Bytes from_hex(std::string_view hex);

// Standard base64 (RFC 4648 §4) with padding, as ES9+ uses. base64_decode is strict: it rejects characters
// outside the alphabet, bad padding and non-zero trailing bits, but ignores CR/LF/space (some servers wrap lines).
std::string base64_encode(ByteView data);
Bytes base64_decode(std::string_view text);

inline ByteView as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string to_string(ByteView b) { return {b.begin(), b.end()}; }

inline void append(Bytes& out, ByteView more) { out.insert(out.end(), more.begin(), more.end()); }

template <typename... Views>
Bytes concat(const Views&... parts) {
    Bytes out;
    (append(out, ByteView(parts)), ...);
    return out;
}

inline bool equal(ByteView a, ByteView b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace lpad
