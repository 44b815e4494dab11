// SPDX-License-Identifier: Apache-2.0
// BER-TLV (ISO/IEC 8825-1) reader and writer, with the strict DER checks SGP.22 needs.
//
// Tags are packed big-endian into a uint32: 0x80, 0x5A, 0x5F20, 0xBF2D, up to 4 tag bytes. Lengths use the short
// form or the long form with up to 4 length bytes; the indefinite form is never accepted. In Mode::Der, lengths and
// tags must also be minimally encoded. Every read is bounds-checked; errors are Error(MalformedData) naming the tag
// and the offset (from the start of the outermost buffer) where parsing failed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bytes.h"

namespace lpad::tlv {

using Tag = std::uint32_t;

enum class Mode { Der, Ber };

// Human form of a tag for messages: "BF2D", "5A".
std::string tag_name(Tag tag);
// True if the first tag byte has the constructed bit (0x20).
bool is_constructed(Tag tag);

class Reader;

// One parsed TLV. Views point into the buffer given to the Reader: keep that buffer alive.
struct Element {
    Tag tag = 0;
    ByteView value;       // the V
    ByteView raw;         // T, L and V
    std::size_t offset = 0;  // offset of the first tag byte in the outermost buffer
    Mode mode = Mode::Der;

    bool constructed() const { return is_constructed(tag); }
    // A reader over the value, for constructed elements. Offsets stay relative to the outermost buffer.
    Reader reader() const;
    // All children of a constructed element.
    std::vector<Element> children() const;
};

class Reader {
public:
    explicit Reader(ByteView data, Mode mode = Mode::Der, std::size_t base_offset = 0)
        : data_(data), mode_(mode), base_(base_offset) {}

    bool at_end() const { return pos_ >= data_.size(); }
    // Offset of the next element in the outermost buffer.
    std::size_t offset() const { return base_ + pos_; }
    // The tag of the next element, if any (throws if the tag itself is malformed).
    std::optional<Tag> peek_tag() const;

    // Next element; throws at end of data.
    Element next();
    // Next element, which must carry `tag`.
    Element expect(Tag tag);
    // Consume and return the next element if it carries `tag`, else leave it.
    std::optional<Element> optional(Tag tag);
    // Skip elements until one with `tag` (for extensible SEQUENCEs); nullopt if none remains.
    std::optional<Element> find(Tag tag);
    // Throws unless every byte was consumed.
    void expect_end(Tag container = 0) const;

private:
    ByteView data_;
    Mode mode_;
    std::size_t base_;
    std::size_t pos_ = 0;
};

// Exactly one element filling all of `data`.
Element parse_one(ByteView data, Mode mode = Mode::Der);
// A sequence of elements filling all of `data`.
std::vector<Element> parse_all(ByteView data, Mode mode = Mode::Der);
// Parse a tag + length header at the start of `data`: returns {tag, header size, value length} without requiring
// the value to be present (used to split a Bound Profile Package). Throws on malformed header.
struct Header {
    Tag tag;
    std::size_t header_size;
    std::size_t length;
};
Header parse_header(ByteView data, Mode mode = Mode::Der);

// --- writing (always DER: minimal lengths) ---

void append_tag(Bytes& out, Tag tag);
void append_length(Bytes& out, std::size_t length);
// T + L only, for a value to be appended by the caller.
Bytes header(Tag tag, std::size_t length);
Bytes make(Tag tag, ByteView value);
inline Bytes make(Tag tag, const Bytes& value) { return make(tag, ByteView(value)); }
// A constructed element from already-encoded children.
Bytes make(Tag tag, std::initializer_list<ByteView> children);

// Incremental writer for nested structures:
//   Writer w; w.begin(0xBF2D).add(0x5C, tags).end(); Bytes out = w.take();
class Writer {
public:
    Writer& add(Tag tag, ByteView value);
    Writer& add(Tag tag, const Bytes& value) { return add(tag, ByteView(value)); }
    Writer& add_raw(ByteView encoded);
    Writer& add_uint(Tag tag, std::uint64_t value);
    Writer& add_int(Tag tag, std::int64_t value);
    Writer& add_bool(Tag tag, bool value);
    Writer& begin(Tag tag);
    Writer& end();
    Bytes take();

private:
    Bytes out_;
    std::vector<std::pair<Tag, std::size_t>> open_;  // tag, start offset of the value
};

// --- INTEGER / BOOLEAN content (X.690 §8.2, §8.3) ---

// Minimal two's complement content octets.
Bytes encode_int(std::int64_t value);
Bytes encode_uint(std::uint64_t value);
// Decode INTEGER content; throws if empty, not minimal (Mode::Der) or out of range.
std::int64_t decode_int(const Element& e);
std::uint64_t decode_uint(const Element& e);
bool decode_bool(const Element& e);

}  // namespace lpad::tlv
