// SPDX-License-Identifier: Apache-2.0
#include "tlv.h"

#include <cstdio>

#include "error.h"

namespace lpad::tlv {

std::string tag_name(Tag tag) {
    char buf[12];
    if (tag <= 0xFF) std::snprintf(buf, sizeof buf, "%02X", tag);
    else if (tag <= 0xFFFF) std::snprintf(buf, sizeof buf, "%04X", tag);
    else if (tag <= 0xFFFFFF) std::snprintf(buf, sizeof buf, "%06X", tag);
    else std::snprintf(buf, sizeof buf, "%08X", tag);
    return buf;
}

static std::uint8_t first_tag_byte(Tag tag) {
    while (tag > 0xFF) tag >>= 8;
    return static_cast<std::uint8_t>(tag);
}

bool is_constructed(Tag tag) { return (first_tag_byte(tag) & 0x20) != 0; }

[[noreturn]] static void malformed(std::size_t offset, const std::string& what) {
    fail(Errc::MalformedData, "TLV at offset " + std::to_string(offset) + ": " + what);
}

// Parses tag and length at data[pos]; returns header info. `base` is for messages only.
static Header read_header(ByteView data, std::size_t pos, Mode mode, std::size_t base) {
    const std::size_t start = pos;
    auto at = [&](std::size_t i) -> std::uint8_t {
        if (i >= data.size()) malformed(base + start, "truncated header");
        return data[i];
    };
    std::uint8_t b = at(pos++);
    if (b == 0x00 && mode == Mode::Der) malformed(base + start, "tag 00 is not allowed");
    Tag tag = b;
    if ((b & 0x1F) == 0x1F) {
        int n = 0;
        std::uint8_t c;
        do {
            c = at(pos++);
            if (n == 0 && c == 0x80) malformed(base + start, "tag number has a leading zero group");
            if (++n > 3) malformed(base + start, "tag longer than 4 bytes");
            tag = (tag << 8) | c;
        } while (c & 0x80);
        if (mode == Mode::Der && n == 1 && c < 0x1F) malformed(base + start, "tag " + tag_name(tag) + " should use the short form");
    }
    std::uint8_t l = at(pos++);
    std::size_t length = 0;
    if (l < 0x80) {
        length = l;
    } else if (l == 0x80) {
        malformed(base + start, "tag " + tag_name(tag) + " uses the indefinite length form");
    } else {
        int n = l & 0x7F;
        if (n > 4) malformed(base + start, "tag " + tag_name(tag) + " has a " + std::to_string(n) + "-byte length");
        for (int i = 0; i < n; ++i) length = (length << 8) | at(pos++);
        if (mode == Mode::Der) {
            bool minimal = (n == 1) ? length >= 0x80 : (length >> (8 * (n - 1))) != 0;
            if (!minimal) malformed(base + start, "tag " + tag_name(tag) + " length is not minimally encoded");
        }
    }
    return {tag, pos - start, length};
}

Header parse_header(ByteView data, Mode mode) { return read_header(data, 0, mode, 0); }

std::optional<Tag> Reader::peek_tag() const {
    if (at_end()) return std::nullopt;
    return read_header(data_, pos_, mode_, base_).tag;
}

Element Reader::next() {
    if (at_end()) malformed(base_ + pos_, "expected another element, data ended");
    Header h = read_header(data_, pos_, mode_, base_);
    std::size_t remaining = data_.size() - pos_ - h.header_size;
    if (h.length > remaining)
        malformed(base_ + pos_, "tag " + tag_name(h.tag) + " length " + std::to_string(h.length) + " exceeds the " +
                                    std::to_string(remaining) + " bytes left");
    Element e;
    e.tag = h.tag;
    e.offset = base_ + pos_;
    e.raw = data_.subspan(pos_, h.header_size + h.length);
    e.value = data_.subspan(pos_ + h.header_size, h.length);
    e.mode = mode_;
    pos_ += h.header_size + h.length;
    return e;
}

Element Reader::expect(Tag tag) {
    if (at_end()) malformed(base_ + pos_, "expected tag " + tag_name(tag) + ", data ended");
    std::size_t at = pos_;
    Element e = next();
    if (e.tag != tag) {
        pos_ = at;
        malformed(e.offset, "expected tag " + tag_name(tag) + ", found " + tag_name(e.tag));
    }
    return e;
}

std::optional<Element> Reader::optional(Tag tag) {
    auto t = peek_tag();
    if (!t || *t != tag) return std::nullopt;
    return next();
}

std::optional<Element> Reader::find(Tag tag) {
    while (!at_end()) {
        Element e = next();
        if (e.tag == tag) return e;
    }
    return std::nullopt;
}

void Reader::expect_end(Tag container) const {
    if (!at_end()) {
        Header h = read_header(data_, pos_, mode_, base_);
        malformed(base_ + pos_, "unexpected tag " + tag_name(h.tag) +
                                    (container ? " inside " + tag_name(container) : std::string(" after the end")));
    }
}

Reader Element::reader() const {
    if (!constructed()) malformed(offset, "tag " + tag_name(tag) + " is primitive, expected constructed");
    return Reader(value, mode, offset + (raw.size() - value.size()));
}

std::vector<Element> Element::children() const {
    std::vector<Element> out;
    Reader r = reader();
    while (!r.at_end()) out.push_back(r.next());
    return out;
}

Element parse_one(ByteView data, Mode mode) {
    Reader r(data, mode);
    Element e = r.next();
    r.expect_end();
    return e;
}

std::vector<Element> parse_all(ByteView data, Mode mode) {
    std::vector<Element> out;
    Reader r(data, mode);
    while (!r.at_end()) out.push_back(r.next());
    return out;
}

void append_tag(Bytes& out, Tag tag) {
    bool started = false;
    for (int shift = 24; shift >= 0; shift -= 8) {
        auto b = static_cast<std::uint8_t>(tag >> shift);
        if (b || started || shift == 0) {
            out.push_back(b);
            started = true;
        }
    }
}

void append_length(Bytes& out, std::size_t length) {
    if (length < 0x80) {
        out.push_back(static_cast<std::uint8_t>(length));
        return;
    }
    if (length > 0xFFFFFFFFu) fail(Errc::InvalidArgument, "TLV value too long to encode");
    int n = length > 0xFFFFFF ? 4 : length > 0xFFFF ? 3 : length > 0xFF ? 2 : 1;
    out.push_back(static_cast<std::uint8_t>(0x80 | n));
    for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(length >> (8 * i)));
}

Bytes header(Tag tag, std::size_t length) {
    Bytes out;
    append_tag(out, tag);
    append_length(out, length);
    return out;
}

Bytes make(Tag tag, ByteView value) {
    Bytes out = header(tag, value.size());
    append(out, value);
    return out;
}

Bytes make(Tag tag, std::initializer_list<ByteView> children) {
    std::size_t total = 0;
    for (auto c : children) total += c.size();
    Bytes out = header(tag, total);
    for (auto c : children) append(out, c);
    return out;
}

Writer& Writer::add(Tag tag, ByteView value) {
    append_tag(out_, tag);
    append_length(out_, value.size());
    append(out_, value);
    return *this;
}

Writer& Writer::add_raw(ByteView encoded) {
    append(out_, encoded);
    return *this;
}

Writer& Writer::add_uint(Tag tag, std::uint64_t value) { return add(tag, encode_uint(value)); }
Writer& Writer::add_int(Tag tag, std::int64_t value) { return add(tag, encode_int(value)); }
Writer& Writer::add_bool(Tag tag, bool value) {
    const std::uint8_t b = value ? 0xFF : 0x00;
    return add(tag, ByteView(&b, 1));
}

Writer& Writer::begin(Tag tag) {
    append_tag(out_, tag);
    open_.emplace_back(tag, out_.size());
    return *this;
}

Writer& Writer::end() {
    if (open_.empty()) fail(Errc::Internal, "tlv::Writer::end() without begin()");
    std::size_t start = open_.back().second;
    open_.pop_back();
    Bytes len;
    append_length(len, out_.size() - start);
    out_.insert(out_.begin() + static_cast<std::ptrdiff_t>(start), len.begin(), len.end());
    return *this;
}

Bytes Writer::take() {
    if (!open_.empty()) fail(Errc::Internal, "tlv::Writer::take() with " + tag_name(open_.back().first) + " still open");
    return std::move(out_);
}

Bytes encode_int(std::int64_t value) {
    Bytes out;
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> (8 * i)));
    // Drop redundant leading bytes (X.690 §8.3.2).
    std::size_t skip = 0;
    while (skip < 7 && ((out[skip] == 0x00 && !(out[skip + 1] & 0x80)) || (out[skip] == 0xFF && (out[skip + 1] & 0x80))))
        ++skip;
    return Bytes(out.begin() + static_cast<std::ptrdiff_t>(skip), out.end());
}

Bytes encode_uint(std::uint64_t value) {
    Bytes out;
    out.push_back(0);
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
    std::size_t skip = 0;
    while (skip < 8 && out[skip] == 0x00 && !(out[skip + 1] & 0x80)) ++skip;
    return Bytes(out.begin() + static_cast<std::ptrdiff_t>(skip), out.end());
}

static void check_int_content(const Element& e) {
    auto v = e.value;
    if (v.empty()) malformed(e.offset, "INTEGER " + tag_name(e.tag) + " is empty");
    if (e.mode == Mode::Der && v.size() > 1 && ((v[0] == 0x00 && !(v[1] & 0x80)) || (v[0] == 0xFF && (v[1] & 0x80))))
        malformed(e.offset, "INTEGER " + tag_name(e.tag) + " is not minimally encoded");
}

std::int64_t decode_int(const Element& e) {
    check_int_content(e);
    auto v = e.value;
    std::size_t start = 0;
    while (v.size() - start > 8 && (v[start] == 0x00 || v[start] == 0xFF) && v[start] == (v[start + 1] & 0x80 ? 0xFF : 0x00)) ++start;
    if (v.size() - start > 8) malformed(e.offset, "INTEGER " + tag_name(e.tag) + " out of range");
    std::uint64_t acc = (v[start] & 0x80) ? ~std::uint64_t{0} : 0;
    for (std::size_t i = start; i < v.size(); ++i) acc = (acc << 8) | v[i];
    return static_cast<std::int64_t>(acc);
}

std::uint64_t decode_uint(const Element& e) {
    check_int_content(e);
    auto v = e.value;
    if (v[0] & 0x80) malformed(e.offset, "INTEGER " + tag_name(e.tag) + " is negative");
    std::size_t start = (v[0] == 0x00 && v.size() > 1) ? 1 : 0;
    if (v.size() - start > 8) malformed(e.offset, "INTEGER " + tag_name(e.tag) + " out of range");
    std::uint64_t acc = 0;
    for (std::size_t i = start; i < v.size(); ++i) acc = (acc << 8) | v[i];
    return acc;
}

bool decode_bool(const Element& e) {
    if (e.value.size() != 1) malformed(e.offset, "BOOLEAN " + tag_name(e.tag) + " must be one byte");
    if (e.mode == Mode::Der && e.value[0] != 0x00 && e.value[0] != 0xFF)
        malformed(e.offset, "BOOLEAN " + tag_name(e.tag) + " must be 00 or FF in DER");
    return e.value[0] != 0;
}

}  // namespace lpad::tlv
