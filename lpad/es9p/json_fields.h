// SPDX-License-Identifier: Apache-2.0
// Internal to lpad/es9p: strict access to ES9+/ES11 JSON members. Every failure is Error(MalformedData) naming the
// message and the field; unknown members are ignored (SGP.22 messages may grow).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "libapdu/bytes.h"

namespace lpad::es9p::detail {

using Json = nlohmann::json;

// Parses `text`, which must be one JSON object.
Json parse_object(std::string_view text, std::string_view what);
// Compact JSON text; invalid UTF-8 in strings is replaced, never thrown.
std::string dump(const Json& value);

const Json& required(const Json& object, std::string_view what, const char* field);
const Json* optional(const Json& object, const char* field);  // nullptr if absent or JSON null

std::string required_string(const Json& object, std::string_view what, const char* field);
std::optional<std::string> optional_string(const Json& object, std::string_view what, const char* field);
// A base64 string (RFC 4648, as ES9+ binary fields are) decoded to bytes.
Bytes required_base64(const Json& object, std::string_view what, const char* field);
// transactionId: hex digits (either case) of 1..16 bytes (SGP.22 TransactionId); returned as sent, so it is echoed
// back to the server byte for byte.
std::string required_transaction_id(const Json& object, std::string_view what, const char* field);
std::string checked_transaction_id(const std::string& value, std::string_view what, const char* field);

}  // namespace lpad::es9p::detail
