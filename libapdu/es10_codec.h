// SPDX-License-Identifier: Apache-2.0
// Decode/encode helpers shared by every ES10 message file (es10a/b/c, euicc_info, notification, bpp). Not a
// public API: only libapdu/es10*.cpp, euicc_info.cpp, notification.cpp and bpp.cpp include it.
//
// One error format everywhere: "Message.field: problem" ("ProfileInfo.iccid: expected 10 bytes, got 9"), or
// "Message: problem" when no single field is at fault. Decoding throws Error(MalformedData), encoding
// Error(InvalidArgument). rsp.asn has EXTENSIBILITY IMPLIED: unknown elements after the known fields of a
// SEQUENCE are skipped by Reader::finish().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "libapdu/asn1.h"
#include "libapdu/bytes.h"
#include "libapdu/error.h"
#include "libapdu/es10_types.h"
#include "libapdu/tlv.h"

namespace lpad::es10::codec {

inline constexpr std::size_t unlimited = std::numeric_limits<std::size_t>::max();

// "message.field: problem" ("message: problem" for an empty field).
std::string describe_error(std::string_view message, std::string_view field, std::string_view problem);
[[noreturn]] void malformed(std::string_view message, std::string_view field, std::string_view problem);
[[noreturn]] void invalid(std::string_view message, std::string_view field, std::string_view problem);

// Runs f(); a MalformedData error (from tlv.h, asn1.h, ...) that does not yet name `message` gets "message: " in
// front.
void rethrow_named(const Error& e, std::string_view message);
template <class F>
auto framed(std::string_view message, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const Error& e) {
        rethrow_named(e, message);
        throw;
    }
}

inline Bytes copy(ByteView v) { return Bytes(v.begin(), v.end()); }

// Exactly one DER element carrying `tag` and filling `der`.
tlv::Element open(ByteView der, tlv::Tag tag, std::string_view message);

// Reads the components of one SEQUENCE (or the alternative of a CHOICE) in order.
class Reader {
public:
    Reader(const tlv::Element& container, std::string message);
    // open(der, tag, message), then read its components.
    Reader(ByteView der, tlv::Tag tag, std::string message);

    const tlv::Element& element() const { return container_; }
    const std::string& message() const { return message_; }
    // A Reader over a constructed component, its errors named "message.field.<sub>".
    Reader nested(const tlv::Element& e, std::string_view field) const;

    std::optional<tlv::Element> optional(tlv::Tag tag);
    tlv::Element required(tlv::Tag tag, std::string_view field);
    // The next element whatever its tag (a CHOICE alternative).
    tlv::Element any(std::string_view field);
    bool at_end() const { return reader_.at_end(); }
    std::optional<tlv::Tag> peek();
    // Skips the remaining (extension) elements, checking their framing; a remaining element whose tag was asked
    // for earlier is a known field out of order or repeated, and throws.
    void finish();
    // For a CHOICE: nothing may follow the alternative.
    void only_one(std::string_view field);

    [[noreturn]] void fail(std::string_view field, std::string_view problem) const;

    // Value decoders; the tag overloads read required(tag, field) first.
    Bytes octets(const tlv::Element& e, std::string_view field, std::size_t min = 0, std::size_t max = unlimited) const;
    Bytes octets(tlv::Tag tag, std::string_view field, std::size_t min = 0, std::size_t max = unlimited);
    std::string utf8(const tlv::Element& e, std::string_view field, std::size_t max = unlimited) const;
    std::string utf8(tlv::Tag tag, std::string_view field, std::size_t max = unlimited);
    int integer(const tlv::Element& e, std::string_view field) const;  // fits an int (enumerations, results)
    int integer(tlv::Tag tag, std::string_view field);
    std::int64_t int64(const tlv::Element& e, std::string_view field, bool non_negative = false) const;
    bool boolean(const tlv::Element& e, std::string_view field) const;
    asn1::BitString bits(const tlv::Element& e, std::string_view field) const;
    asn1::BitString bits(tlv::Tag tag, std::string_view field);
    std::string version(const tlv::Element& e, std::string_view field) const;  // VersionType as "2.2.0"
    std::string oid(const tlv::Element& e, std::string_view field) const;      // dotted OBJECT IDENTIFIER
    // A Certificate / CertificateList: its whole TLV (tag 30) as received.
    Bytes whole(tlv::Tag tag, std::string_view field);
    // TransactionId ::= OCTET STRING (SIZE(1..16)).
    Bytes transaction_id(tlv::Tag tag = 0x80) { return octets(tag, "transactionId", 1, 16); }
    // Children of a constructed component (SEQUENCE OF, CHOICE wrapper), framing errors named.
    std::vector<tlv::Element> children(const tlv::Element& e) const;
    // The single element of a CHOICE wrapper.
    tlv::Element only_child(const tlv::Element& e, std::string_view field) const;

private:
    tlv::Element container_;
    tlv::Reader reader_;
    std::string message_;
    std::vector<tlv::Tag> asked_;
};

// Encoding side: throw Error(InvalidArgument) "message.field: ..." when a value breaks its rsp.asn constraint.
const Bytes& checked_size(const Bytes& value, std::size_t min, std::size_t max, std::string_view message,
                          std::string_view field);
ByteView checked_utf8(const std::string& value, std::size_t max, std::string_view message, std::string_view field);
Bytes checked_version(const std::string& value, std::string_view message, std::string_view field);
void write_transaction_id(tlv::Writer& w, tlv::Tag tag, const Bytes& id, std::string_view message);

// Name of `value` in `table`, or unknown_name ("unknown"); nothing is allocated for unknown values.
std::string_view lookup(int value, std::initializer_list<std::pair<int, std::string_view>> table);
// Name of bit `bit` in `names` (indexed by bit number), or "" for an unnamed bit.
std::string_view bit_lookup(std::size_t bit, std::initializer_list<std::string_view> names);

// Single-INTEGER result responses: [tag] SEQUENCE { result [0] INTEGER }.
Bytes encode_result(tlv::Tag tag, int result);
int decode_result(ByteView der, tlv::Tag tag, std::string_view message, std::string_view field);
// Messages with no mandatory content (GetEuiccInfo1Request, GetRatRequest, ...): checks the tag, skips extensions.
void decode_empty(ByteView der, tlv::Tag tag, std::string_view message);
// Throws Error::euicc(function, r, describe(r)) unless r is ok.
template <typename Result>
void check_result(std::string_view function, Result r) {
    if (r != Result::ok) throw Error::euicc(function, static_cast<int>(r), describe(r));
}

// --- Responses shaped [tag] CHOICE { ok [0] SEQUENCE {...}, error [1] ... } ---
// SGP.22 AuthenticateServerResponse, PrepareDownloadResponse, CancelSessionResponse, LoadCRLResponse. An enum Err
// is a bare [1] INTEGER (tag 81); any other Err is a constructed [1] SEQUENCE (tag A1). The callbacks read or write
// the content of a constructed alternative; these helpers do the framing, the naming and the CHOICE checks.
struct ChoiceNames {
    std::string_view message;  // "AuthenticateServerResponse"
    std::string_view ok;       // the [0] alternative, "authenticateResponseOk"
    std::string_view error;    // the [1] alternative, "authenticateResponseError"
};

template <class Err>
inline constexpr tlv::Tag error_alternative_tag = std::is_enum_v<Err> ? 0x81 : 0xA1;

// Decodes into `result` with read_ok(Reader&) -> Ok and, for a SEQUENCE error, read_error(Reader&) -> Err. Returns
// the response TLV as received.
template <class Ok, class Err, class ReadOk, class ReadError = std::nullptr_t>
Bytes decode_choice(ByteView der, tlv::Tag tag, const ChoiceNames& names, std::variant<Ok, Err>& result,
                    ReadOk read_ok, ReadError read_error = nullptr) {
    Reader s(der, tag, std::string(names.message));
    tlv::Element alt = s.any("result");
    if (alt.tag == 0xA0) {
        Reader a = s.nested(alt, names.ok);
        result = read_ok(a);
        a.finish();
    } else if (alt.tag == error_alternative_tag<Err>) {
        if constexpr (std::is_enum_v<Err>) {
            result = Err(s.integer(alt, names.error));
        } else {
            Reader a = s.nested(alt, names.error);
            result = read_error(a);
            a.finish();
        }
    } else {
        s.fail("result", "unknown alternative " + tlv::tag_name(alt.tag));
    }
    s.only_one("result");
    return copy(s.element().raw);
}

// write_ok(Writer&, const Ok&) and, for a SEQUENCE error, write_error(Writer&, const Err&) add the content of the
// alternative held.
template <class Ok, class Err, class WriteOk, class WriteError = std::nullptr_t>
Bytes encode_choice(tlv::Tag tag, const std::variant<Ok, Err>& result, WriteOk write_ok,
                    WriteError write_error = nullptr) {
    tlv::Writer w;
    w.begin(tag);
    if (const Ok* ok = std::get_if<Ok>(&result)) {
        w.begin(0xA0);
        write_ok(w, *ok);
        w.end();
    } else if constexpr (std::is_enum_v<Err>) {
        w.add_int(0x81, static_cast<int>(std::get<Err>(result)));
    } else {
        w.begin(0xA1);
        write_error(w, std::get<Err>(result));
        w.end();
    }
    return w.end().take();
}

// Throws Error::euicc(function, code, describe(code)) when `result` holds the error. code_of maps a SEQUENCE error
// to its code enum (a pointer to that member will do); an enum error is its own code.
template <class Ok, class Err, class CodeOf = std::identity>
void check_choice(const std::variant<Ok, Err>& result, std::string_view function, CodeOf code_of = {}) {
    if (const Err* err = std::get_if<Err>(&result)) {
        const auto code = std::invoke(code_of, *err);
        throw Error::euicc(function, static_cast<int>(code), describe(code));
    }
}

// The shared profile types of es10_types.h (defined in es10_types.cpp).
void write(tlv::Writer& w, tlv::Tag tag, const OperatorId& op, std::string_view message);
OperatorId read_operator_id(const tlv::Element& e);
void write(tlv::Writer& w, const std::vector<NotificationConfigurationInformation>& list, std::string_view message);
std::vector<NotificationConfigurationInformation> read_notification_configs(const Reader& r, const tlv::Element& b6);

}  // namespace lpad::es10::codec
