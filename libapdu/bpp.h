// SPDX-License-Identifier: Apache-2.0
// The Bound Profile Package (SGP.22 §2.5.4, §5.5) and its loading in pieces (ES10b LoadBoundProfilePackage,
// SGP.22 §2.5.5 / RSP-NOTES "Bound Profile Package loading").
//
//   LPA:  BoundProfilePackage::decode(bpp) ... split_for_loading(bpp) -> one ES10 command per piece, in order:
//         [BF36 T+L + whole BF23] [whole A0] [A1 T+L] [88]... [whole A2]? [A3 T+L] [86]...
//   card: BppAssembler::feed(piece) for each command, which checks the order and every announced length and says
//         what the piece is, so the card can process it and name the failing bppCommandId.
// Segment TLVs (87/88/86) are kept whole (tag, length, value) as the SCP03t MAC covers them; segments larger than
// SGP.22's 1,020 bytes are passed through (some servers send them). Message conventions: see notification.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "libapdu/bytes.h"
#include "libapdu/notification.h"
#include "libapdu/tlv.h"

namespace lpad::es10 {

// ControlRefTemplate (A6, implicit): key agreement parameters, GlobalPlatform Amendment F §6.5.2.3.
struct ControlRefTemplate {
    std::uint8_t key_type = 0x88;  // AES
    std::uint8_t key_len = 0x10;   // 16 bytes
    Bytes host_id;                 // 1..16 bytes
};

// InitialiseSecureChannelRequest (BF23), signed by the SM-DP+ (smdpSign).
struct InitialiseSecureChannelRequest {
    static constexpr tlv::Tag tag = 0xBF23;
    static constexpr std::int64_t installBoundProfilePackage = 1;  // RemoteOpId
    std::int64_t remote_op_id = installBoundProfilePackage;
    Bytes transaction_id;
    ControlRefTemplate control_ref_template;
    Bytes smdp_otpk;  // 5F49: otPK.DP.ECKA
    Bytes smdp_sign;  // 5F37 content
    Bytes raw;

    // SGP.22 §5.5.1: smdpSign is over the remoteOpId..smdpOtpk TLVs (as in der(), without the BF23 header)
    // followed by the 5F49 TLV of euiccOtpk from EUICCSigned2.
    Bytes signed_data(ByteView euicc_otpk) const;
    Bytes encode() const;
    Bytes der() const { return raw.empty() ? encode() : raw; }
    static InitialiseSecureChannelRequest decode(ByteView der);
};

struct BoundProfilePackage {
    static constexpr tlv::Tag tag = 0xBF36;
    InitialiseSecureChannelRequest initialise_secure_channel_request;
    std::vector<Bytes> first_sequence_of_87;  // whole 87 TLVs (ConfigureISDP)
    std::vector<Bytes> sequence_of_88;        // whole 88 TLVs (StoreMetadata)
    std::optional<std::vector<Bytes>> second_sequence_of_87;  // whole 87 TLVs (ReplaceSessionKeys)
    std::vector<Bytes> sequence_of_86;        // whole 86 TLVs (profile elements)

    Bytes encode() const;  // InvalidArgument if a segment is not a single TLV with the right tag
    static BoundProfilePackage decode(ByteView der);
};

// The ES10b LoadBoundProfilePackage payloads, in sending order. The byte form keeps every header exactly as
// received; unknown elements inside BF36 are refused (MalformedData) since no card would expect them.
std::vector<Bytes> split_for_loading(ByteView bpp_der);
std::vector<Bytes> split_for_loading(const BoundProfilePackage& bpp);

// What one LoadBoundProfilePackage payload is.
enum class BppPart {
    InitialiseSecureChannel,  // BF36 T+L + BF23: `element` is the BF23 TLV
    ConfigureIsdp,            // whole A0: `segments` are its 87 TLVs
    StoreMetadataHeader,      // A1 T+L only
    StoreMetadata,            // one 88 TLV
    ReplaceSessionKeys,       // whole A2: `segments` are its 87 TLVs
    ProfileElementsHeader,    // A3 T+L only
    ProfileElement,           // one 86 TLV
};

struct BppPiece {
    BppPart part;
    BppCommandId command_id;          // for ErrorResult.bppCommandId if processing this piece fails
    ByteView element;                 // BF23 / A0 / A2 / 88 / 86 TLV within the fed payload; empty for headers
    std::vector<ByteView> segments;   // 87 TLVs of A0/A2; the 88/86 TLV itself for those parts
    bool last = false;                // the BPP is complete: the card answers ProfileInstallationResult
};

// Card side: accepts the payloads of split_for_loading() one by one. Views in a BppPiece point into the payload
// passed to feed(). A payload out of order, with a wrong tag, or overrunning an announced length throws
// MalformedData and leaves the assembler unchanged (the card then aborts the installation).
class BppAssembler {
public:
    BppPiece feed(ByteView payload);
    bool complete() const { return state_ == State::Done; }
    // bppCommandId of the piece expected next (what the card reports when that piece cannot even be parsed).
    BppCommandId expected_command_id() const;
    std::size_t pieces() const { return pieces_; }

private:
    enum class State { Start, FirstSequenceOf87, SequenceOf88Header, Sequence88, AfterSequenceOf88, SequenceOf86Header, Sequence86, Done };
    State state_ = State::Start;
    std::size_t bpp_remaining_ = 0;  // bytes of BF36's value not yet announced
    std::size_t seq_remaining_ = 0;  // bytes of the current A1/A3 value not yet received
    std::size_t seq_count_ = 0;      // 88 TLVs received
    std::size_t pieces_ = 0;
};

}  // namespace lpad::es10
