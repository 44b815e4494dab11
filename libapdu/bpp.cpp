// SPDX-License-Identifier: Apache-2.0
#include "libapdu/bpp.h"

#include "libapdu/error.h"
#include "libapdu/es10_codec.h"

namespace lpad::es10 {

using codec::Reader;

namespace {

constexpr std::string_view kBpp = "BoundProfilePackage";

[[noreturn]] void bad(std::string_view field, const std::string& problem) { codec::malformed(kBpp, field, problem); }

// Children of a SEQUENCE OF [n] OCTET STRING: every one a primitive `seg_tag` TLV.
std::vector<ByteView> segments_of(const tlv::Element& seq, tlv::Tag seg_tag) {
    std::vector<ByteView> out;
    tlv::Reader r = seq.reader();
    while (!r.at_end()) {
        auto s = r.next();
        if (s.tag != seg_tag)
            bad("", tlv::tag_name(seq.tag) + " must hold only " + tlv::tag_name(seg_tag) + " segments, found " +
                        tlv::tag_name(s.tag) + " at offset " + std::to_string(s.offset));
        out.push_back(s.raw);
    }
    return out;
}

std::vector<Bytes> copies(const std::vector<ByteView>& views) {
    std::vector<Bytes> out;
    out.reserve(views.size());
    for (auto v : views) out.push_back(codec::copy(v));
    return out;
}

void write_sequence(tlv::Writer& w, tlv::Tag tag, tlv::Tag seg_tag, const std::vector<Bytes>& segments) {
    w.begin(tag);
    for (const auto& s : segments) {
        auto e = codec::framed(kBpp, [&] { return tlv::parse_one(s); });
        if (e.tag != seg_tag)
            codec::invalid(kBpp, "", tlv::tag_name(tag) + " segment must be a " + tlv::tag_name(seg_tag) + " TLV");
        w.add_raw(s);
    }
    w.end();
}

// The BF36 children in order; throws on anything else.
struct BppLayout {
    tlv::Element bpp, iscr, first87, seq88;
    std::optional<tlv::Element> second87;
    tlv::Element seq86;
};

BppLayout layout(ByteView der, bool allow_extensions) {
    BppLayout l;
    Reader s(der, BoundProfilePackage::tag, std::string(kBpp));
    l.bpp = s.element();
    l.iscr = s.required(InitialiseSecureChannelRequest::tag, "initialiseSecureChannelRequest");
    l.first87 = s.required(0xA0, "firstSequenceOf87");
    l.seq88 = s.required(0xA1, "sequenceOf88");
    l.second87 = s.optional(0xA2);
    l.seq86 = s.required(0xA3, "sequenceOf86");
    if (allow_extensions) s.finish();
    else if (!s.at_end()) bad("", "unexpected tag " + tlv::tag_name(*s.peek()) + " after sequenceOf86");
    return l;
}

ByteView header_of(const tlv::Element& e) { return e.raw.first(e.raw.size() - e.value.size()); }

}  // namespace

// --- InitialiseSecureChannelRequest ---

Bytes InitialiseSecureChannelRequest::encode() const {
    constexpr std::string_view msg = "InitialiseSecureChannelRequest";
    tlv::Writer w;
    w.begin(tag).add_int(0x82, remote_op_id);
    codec::write_transaction_id(w, 0x80, transaction_id, msg);
    const std::uint8_t key_type = control_ref_template.key_type, key_len = control_ref_template.key_len;
    w.begin(0xA6)
        .add(0x80, ByteView(&key_type, 1))
        .add(0x81, ByteView(&key_len, 1))
        .add(0x84, codec::checked_size(control_ref_template.host_id, 1, 16, msg, "controlRefTemplate.hostId"))
        .end();
    return w.add(0x5F49, smdp_otpk).add(0x5F37, smdp_sign).end().take();
}

InitialiseSecureChannelRequest InitialiseSecureChannelRequest::decode(ByteView der) {
    Reader s(der, tag, "InitialiseSecureChannelRequest");
    InitialiseSecureChannelRequest r;
    r.remote_op_id = s.int64(s.required(0x82, "remoteOpId"), "remoteOpId");
    r.transaction_id = s.transaction_id();
    Reader crt = s.nested(s.required(0xA6, "controlRefTemplate"), "controlRefTemplate");
    r.control_ref_template.key_type = crt.octets(0x80, "keyType", 1, 1)[0];
    r.control_ref_template.key_len = crt.octets(0x81, "keyLen", 1, 1)[0];
    r.control_ref_template.host_id = crt.octets(0x84, "hostId", 1, 16);
    crt.finish();
    r.smdp_otpk = s.octets(0x5F49, "smdpOtpk");
    r.smdp_sign = s.octets(0x5F37, "smdpSign");
    s.finish();
    r.raw = codec::copy(s.element().raw);
    return r;
}

Bytes InitialiseSecureChannelRequest::signed_data(ByteView euicc_otpk) const {
    Bytes full = der();
    Bytes out;
    auto e = codec::open(full, tag, "InitialiseSecureChannelRequest");
    tlv::Reader r = e.reader();
    while (!r.at_end()) {
        auto c = r.next();
        if (c.tag == 0x5F37) break;
        append(out, c.raw);
    }
    append(out, tlv::make(0x5F49, euicc_otpk));
    return out;
}

// --- BoundProfilePackage ---

Bytes BoundProfilePackage::encode() const {
    tlv::Writer w;
    w.begin(tag).add_raw(initialise_secure_channel_request.der());
    write_sequence(w, 0xA0, 0x87, first_sequence_of_87);
    write_sequence(w, 0xA1, 0x88, sequence_of_88);
    if (second_sequence_of_87) write_sequence(w, 0xA2, 0x87, *second_sequence_of_87);
    write_sequence(w, 0xA3, 0x86, sequence_of_86);
    return w.end().take();
}

BoundProfilePackage BoundProfilePackage::decode(ByteView der) {
    return codec::framed(kBpp, [&] {
        auto l = layout(der, true);
        BoundProfilePackage b;
        b.initialise_secure_channel_request = InitialiseSecureChannelRequest::decode(l.iscr.raw);
        b.first_sequence_of_87 = copies(segments_of(l.first87, 0x87));
        b.sequence_of_88 = copies(segments_of(l.seq88, 0x88));
        if (l.second87) b.second_sequence_of_87 = copies(segments_of(*l.second87, 0x87));
        b.sequence_of_86 = copies(segments_of(l.seq86, 0x86));
        return b;
    });
}

std::vector<Bytes> split_for_loading(ByteView bpp_der) {
    return codec::framed(kBpp, [&] {
        auto l = layout(bpp_der, false);
        std::vector<Bytes> out;
        out.push_back(concat(header_of(l.bpp), l.iscr.raw));
        out.push_back(codec::copy(l.first87.raw));
        out.push_back(codec::copy(header_of(l.seq88)));
        for (auto s : segments_of(l.seq88, 0x88)) out.push_back(codec::copy(s));
        if (l.second87) {
            segments_of(*l.second87, 0x87);  // validates
            out.push_back(codec::copy(l.second87->raw));
        }
        out.push_back(codec::copy(header_of(l.seq86)));
        for (auto s : segments_of(l.seq86, 0x86)) out.push_back(codec::copy(s));
        segments_of(l.first87, 0x87);
        return out;
    });
}

std::vector<Bytes> split_for_loading(const BoundProfilePackage& bpp) { return split_for_loading(bpp.encode()); }

// --- BppAssembler ---

BppCommandId BppAssembler::expected_command_id() const {
    switch (state_) {
    case State::Start: return BppCommandId::initialiseSecureChannel;
    case State::FirstSequenceOf87: return BppCommandId::configureISDP;
    case State::SequenceOf88Header: return BppCommandId::storeMetadata;
    case State::Sequence88: return seq_count_ == 0 ? BppCommandId::storeMetadata : BppCommandId::storeMetadata2;
    case State::AfterSequenceOf88: return BppCommandId::replaceSessionKeys;
    case State::SequenceOf86Header:
    case State::Sequence86:
    case State::Done: return BppCommandId::loadProfileElements;
    }
    return BppCommandId::loadProfileElements;
}

BppPiece BppAssembler::feed(ByteView payload) {
    return codec::framed(kBpp, [&] {
        BppPiece p{BppPart::InitialiseSecureChannel, expected_command_id(), {}, {}, false};
        // Work on copies so a rejected payload leaves the assembler as it was.
        State state = state_;
        std::size_t bpp_remaining = bpp_remaining_, seq_remaining = seq_remaining_, seq_count = seq_count_;

        auto take_from_bpp = [&](std::size_t n, std::string_view what) {
            if (n > bpp_remaining)
                bad("", std::string(what) + " overruns the BF36 length by " + std::to_string(n - bpp_remaining) + " bytes");
            bpp_remaining -= n;
        };
        // A1/A3 announced by tag + length only: the payload must be exactly that header.
        auto sequence_header = [&](tlv::Tag tag, std::string_view what) {
            auto h = tlv::parse_header(payload);
            if (h.tag != tag) bad("", "expected " + std::string(what) + " header " + tlv::tag_name(tag) + ", found " + tlv::tag_name(h.tag));
            if (h.header_size != payload.size()) bad("", std::string(what) + " header piece must hold only tag and length");
            take_from_bpp(h.header_size + h.length, what);
            seq_remaining = h.length;
            seq_count = 0;
        };
        auto segment = [&](tlv::Tag tag) {
            auto e = tlv::parse_one(payload);
            if (e.tag != tag) bad("", "expected a " + tlv::tag_name(tag) + " segment, found " + tlv::tag_name(e.tag));
            if (e.raw.size() > seq_remaining)
                bad("", "segment " + tlv::tag_name(tag) + " overruns its sequence by " + std::to_string(e.raw.size() - seq_remaining) + " bytes");
            seq_remaining -= e.raw.size();
            p.element = e.raw;
            p.segments = {e.raw};
        };
        auto whole_sequence = [&](tlv::Tag tag, std::string_view what) {
            auto e = tlv::parse_one(payload);
            if (e.tag != tag) bad("", "expected " + std::string(what) + " " + tlv::tag_name(tag) + ", found " + tlv::tag_name(e.tag));
            take_from_bpp(e.raw.size(), what);
            p.element = e.raw;
            p.segments = segments_of(e, 0x87);
        };

        switch (state) {
        case State::Start: {
            auto h = tlv::parse_header(payload);
            if (h.tag != BoundProfilePackage::tag) bad("", "first piece must start with BF36, found " + tlv::tag_name(h.tag));
            auto iscr = tlv::parse_one(payload.subspan(h.header_size));
            if (iscr.tag != InitialiseSecureChannelRequest::tag)
                bad("", "first piece must hold BF23 after the BF36 header, found " + tlv::tag_name(iscr.tag));
            bpp_remaining = h.length;
            take_from_bpp(iscr.raw.size(), "initialiseSecureChannelRequest");
            p.element = payload.subspan(h.header_size, iscr.raw.size());
            state = State::FirstSequenceOf87;
            break;
        }
        case State::FirstSequenceOf87:
            whole_sequence(0xA0, "firstSequenceOf87");
            p.part = BppPart::ConfigureIsdp;
            state = State::SequenceOf88Header;
            break;
        case State::SequenceOf88Header:
            sequence_header(0xA1, "sequenceOf88");
            p.part = BppPart::StoreMetadataHeader;
            state = seq_remaining ? State::Sequence88 : State::AfterSequenceOf88;
            break;
        case State::Sequence88:
            segment(0x88);
            p.part = BppPart::StoreMetadata;
            ++seq_count;
            if (seq_remaining == 0) state = State::AfterSequenceOf88;
            break;
        case State::AfterSequenceOf88:
        case State::SequenceOf86Header: {
            auto h = tlv::parse_header(payload);
            if (state == State::AfterSequenceOf88 && h.tag == 0xA2) {
                whole_sequence(0xA2, "secondSequenceOf87");
                p.part = BppPart::ReplaceSessionKeys;
                state = State::SequenceOf86Header;
                break;
            }
            p.command_id = BppCommandId::loadProfileElements;
            sequence_header(0xA3, "sequenceOf86");
            if (bpp_remaining != 0)
                bad("", "BF36 announces " + std::to_string(bpp_remaining) + " bytes after sequenceOf86");
            p.part = BppPart::ProfileElementsHeader;
            state = seq_remaining ? State::Sequence86 : State::Done;
            break;
        }
        case State::Sequence86:
            segment(0x86);
            p.part = BppPart::ProfileElement;
            if (seq_remaining == 0) state = State::Done;
            break;
        case State::Done:
            bad("", "piece after the last profile element");
        }
        state_ = state;
        bpp_remaining_ = bpp_remaining;
        seq_remaining_ = seq_remaining;
        seq_count_ = seq_count;
        ++pieces_;
        p.last = state_ == State::Done;
        return p;
    });
}

}  // namespace lpad::es10
