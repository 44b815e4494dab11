// SPDX-License-Identifier: Apache-2.0
#include "libapdu/es10_codec.h"

#include <algorithm>

namespace lpad::es10::codec {

namespace {

// "expected 10 bytes, got 9" / "expected 1..16 bytes, ..." / "expected at most 64 bytes, ...".
std::string size_problem(std::size_t size, std::size_t min, std::size_t max) {
    std::string want = min == max         ? std::to_string(min)
                       : max == unlimited ? "at least " + std::to_string(min)
                       : min == 0         ? "at most " + std::to_string(max)
                                          : std::to_string(min) + ".." + std::to_string(max);
    return "expected " + want + " bytes, got " + std::to_string(size);
}

}  // namespace

std::string describe_error(std::string_view message, std::string_view field, std::string_view problem) {
    std::string out(message);
    if (!field.empty()) out.append(".").append(field);
    return out.append(": ").append(problem);
}

void malformed(std::string_view message, std::string_view field, std::string_view problem) {
    lpad::fail(Errc::MalformedData, describe_error(message, field, problem));
}

void invalid(std::string_view message, std::string_view field, std::string_view problem) {
    lpad::fail(Errc::InvalidArgument, describe_error(message, field, problem));
}

void rethrow_named(const Error& e, std::string_view message) {
    if (e.code() != Errc::MalformedData) return;
    std::string_view what = e.what();
    if (what.starts_with(message) && what.size() > message.size() &&
        (what[message.size()] == ':' || what[message.size()] == '.'))
        return;
    malformed(message, "", what);
}

tlv::Element open(ByteView der, tlv::Tag tag, std::string_view message) {
    tlv::Element e = framed(message, [&] { return tlv::parse_one(der, tlv::Mode::Der); });
    if (e.tag != tag) malformed(message, "", "expected tag " + tlv::tag_name(tag) + ", found " + tlv::tag_name(e.tag));
    if (!e.constructed()) malformed(message, "", "tag " + tlv::tag_name(tag) + " is not constructed");
    return e;
}

// --- Reader ---

Reader::Reader(const tlv::Element& container, std::string message)
    : container_(container), reader_(container_.reader()), message_(std::move(message)) {}

Reader::Reader(ByteView der, tlv::Tag tag, std::string message) : Reader(open(der, tag, message), message) {}

Reader Reader::nested(const tlv::Element& e, std::string_view field) const {
    if (!e.constructed()) fail(field, "must be constructed");
    return Reader(e, message_ + "." + std::string(field));
}

std::optional<tlv::Element> Reader::optional(tlv::Tag tag) {
    asked_.push_back(tag);
    return framed(message_, [&] { return reader_.optional(tag); });
}

std::optional<tlv::Tag> Reader::peek() {
    return framed(message_, [&] { return reader_.peek_tag(); });
}

tlv::Element Reader::required(tlv::Tag tag, std::string_view field) {
    if (auto e = optional(tag)) return *e;
    auto next = peek();
    fail(field, "missing (expected tag " + tlv::tag_name(tag) +
                    (next ? " at offset " + std::to_string(reader_.offset()) + ", found " + tlv::tag_name(*next) + ")"
                          : ", data ended)"));
}

tlv::Element Reader::any(std::string_view field) {
    if (reader_.at_end()) fail(field, "missing (data ended)");
    return framed(message_, [&] { return reader_.next(); });
}

void Reader::finish() {
    while (!reader_.at_end()) {
        tlv::Element e = framed(message_, [&] { return reader_.next(); });
        if (std::find(asked_.begin(), asked_.end(), e.tag) != asked_.end())
            fail("", "element " + tlv::tag_name(e.tag) + " is out of order or repeated");
    }
}

void Reader::only_one(std::string_view field) {
    if (!reader_.at_end()) fail(field, "CHOICE holds more than one alternative");
}

void Reader::fail(std::string_view field, std::string_view problem) const { malformed(message_, field, problem); }

Bytes Reader::octets(const tlv::Element& e, std::string_view field, std::size_t min, std::size_t max) const {
    if (e.constructed()) fail(field, "must be primitive");
    if (e.value.size() < min || e.value.size() > max) fail(field, size_problem(e.value.size(), min, max));
    return copy(e.value);
}

Bytes Reader::octets(tlv::Tag tag, std::string_view field, std::size_t min, std::size_t max) {
    return octets(required(tag, field), field, min, max);
}

std::string Reader::utf8(const tlv::Element& e, std::string_view field, std::size_t max) const {
    if (e.constructed()) fail(field, "must be primitive");
    if (e.value.size() > max) fail(field, size_problem(e.value.size(), 0, max));
    std::string s = to_string(e.value);
    if (!asn1::is_valid_utf8(s)) fail(field, "not valid UTF-8");
    return s;
}

std::string Reader::utf8(tlv::Tag tag, std::string_view field, std::size_t max) {
    return utf8(required(tag, field), field, max);
}

std::int64_t Reader::int64(const tlv::Element& e, std::string_view field, bool non_negative) const {
    if (e.constructed()) fail(field, "must be primitive");
    std::int64_t v = 0;
    try {
        v = tlv::decode_int(e);
    } catch (const Error& x) {
        fail(field, x.what());
    }
    if (non_negative && v < 0) fail(field, "must not be negative");
    return v;
}

int Reader::integer(const tlv::Element& e, std::string_view field) const {
    std::int64_t v = int64(e, field);
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
        fail(field, "value " + std::to_string(v) + " out of range");
    return static_cast<int>(v);
}

int Reader::integer(tlv::Tag tag, std::string_view field) { return integer(required(tag, field), field); }

bool Reader::boolean(const tlv::Element& e, std::string_view field) const {
    try {
        return tlv::decode_bool(e);
    } catch (const Error& x) {
        fail(field, x.what());
    }
}

asn1::BitString Reader::bits(const tlv::Element& e, std::string_view field) const {
    if (e.constructed()) fail(field, "must be primitive");
    try {
        return asn1::BitString::decode_content(e.value);
    } catch (const Error& x) {
        fail(field, x.what());
    }
}

asn1::BitString Reader::bits(tlv::Tag tag, std::string_view field) { return bits(required(tag, field), field); }

std::string Reader::version(const tlv::Element& e, std::string_view field) const {
    if (e.value.size() != 3) fail(field, "VersionType " + size_problem(e.value.size(), 3, 3));
    return asn1::version_string(e.value);
}

std::string Reader::oid(const tlv::Element& e, std::string_view field) const {
    if (e.constructed()) fail(field, "must be primitive");
    try {
        return asn1::oid_string(e.value);
    } catch (const Error& x) {
        fail(field, x.what());
    }
}

Bytes Reader::whole(tlv::Tag tag, std::string_view field) { return copy(required(tag, field).raw); }

std::vector<tlv::Element> Reader::children(const tlv::Element& e) const {
    return framed(message_, [&] { return e.children(); });
}

tlv::Element Reader::only_child(const tlv::Element& e, std::string_view field) const {
    auto list = children(e);
    if (list.size() != 1) fail(field, "CHOICE must hold exactly one element, found " + std::to_string(list.size()));
    return list.front();
}

// --- encoding ---

const Bytes& checked_size(const Bytes& value, std::size_t min, std::size_t max, std::string_view message,
                          std::string_view field) {
    if (value.size() < min || value.size() > max) invalid(message, field, size_problem(value.size(), min, max));
    return value;
}

ByteView checked_utf8(const std::string& value, std::size_t max, std::string_view message, std::string_view field) {
    if (value.size() > max) invalid(message, field, size_problem(value.size(), 0, max));
    if (!asn1::is_valid_utf8(value)) invalid(message, field, "not valid UTF-8");
    return as_bytes(value);
}

Bytes checked_version(const std::string& value, std::string_view message, std::string_view field) {
    try {
        return asn1::version_bytes(value);
    } catch (const Error& e) {
        invalid(message, field, e.what());
    }
}

void write_transaction_id(tlv::Writer& w, tlv::Tag tag, const Bytes& id, std::string_view message) {
    w.add(tag, checked_size(id, 1, 16, message, "transactionId"));
}

std::string_view lookup(int value, std::initializer_list<std::pair<int, std::string_view>> table) {
    for (const auto& [v, n] : table)
        if (v == value) return n;
    return unknown_name;
}

std::string_view bit_lookup(std::size_t bit, std::initializer_list<std::string_view> names) {
    return bit < names.size() ? names.begin()[bit] : std::string_view{};
}

Bytes encode_result(tlv::Tag tag, int result) { return tlv::Writer().begin(tag).add_int(0x80, result).end().take(); }

int decode_result(ByteView der, tlv::Tag tag, std::string_view message, std::string_view field) {
    Reader r(der, tag, std::string(message));
    int v = r.integer(0x80, field);
    r.finish();
    return v;
}

void decode_empty(ByteView der, tlv::Tag tag, std::string_view message) {
    Reader(der, tag, std::string(message)).finish();
}

}  // namespace lpad::es10::codec
