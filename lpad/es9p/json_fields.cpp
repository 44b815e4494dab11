// SPDX-License-Identifier: Apache-2.0
#include "lpad/es9p/json_fields.h"

#include <cctype>

#include "libapdu/error.h"

namespace lpad::es9p::detail {

namespace {

[[noreturn]] void malformed(std::string_view what, const char* field, std::string_view problem) {
    fail(Errc::MalformedData, std::string(what) + ": field '" + field + "' " + std::string(problem));
}

std::string_view type_name(const Json& v) { return v.type_name(); }

}  // namespace

Json parse_object(std::string_view text, std::string_view what) {
    Json value = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) fail(Errc::MalformedData, std::string(what) + ": body is not valid JSON");
    if (!value.is_object())
        fail(Errc::MalformedData, std::string(what) + ": expected a JSON object, got " + std::string(type_name(value)));
    return value;
}

std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

const Json& required(const Json& object, std::string_view what, const char* field) {
    auto it = object.find(field);
    if (it == object.end() || it->is_null()) malformed(what, field, "is missing");
    return *it;
}

const Json* optional(const Json& object, const char* field) {
    auto it = object.find(field);
    if (it == object.end() || it->is_null()) return nullptr;
    return &*it;
}

std::string required_string(const Json& object, std::string_view what, const char* field) {
    const Json& v = required(object, what, field);
    if (!v.is_string()) malformed(what, field, "must be a string, not " + std::string(type_name(v)));
    return v.get<std::string>();
}

std::optional<std::string> optional_string(const Json& object, std::string_view what, const char* field) {
    const Json* v = optional(object, field);
    if (!v) return std::nullopt;
    if (!v->is_string()) malformed(what, field, "must be a string, not " + std::string(type_name(*v)));
    return v->get<std::string>();
}

Bytes required_base64(const Json& object, std::string_view what, const char* field) {
    std::string text = required_string(object, what, field);
    try {
        return base64_decode(text);
    } catch (const Error& e) {
        malformed(what, field, std::string("is not valid base64: ") + e.what());
    }
}

std::string checked_transaction_id(const std::string& value, std::string_view what, const char* field) {
    // SGP.22 TransactionId ::= OCTET STRING (SIZE(1..16)), carried as a hex string.
    if (value.empty() || value.size() > 32 || value.size() % 2 != 0)
        malformed(what, field, "must be 2 to 32 hex digits, got " + std::to_string(value.size()) + " characters");
    for (char c : value)
        if (!std::isxdigit(static_cast<unsigned char>(c))) malformed(what, field, "must be hex digits");
    return value;
}

std::string required_transaction_id(const Json& object, std::string_view what, const char* field) {
    return checked_transaction_id(required_string(object, what, field), what, field);
}

}  // namespace lpad::es9p::detail
