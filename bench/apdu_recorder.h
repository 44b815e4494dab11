// SPDX-License-Identifier: Apache-2.0
// The benchmark's view of the card link: a Transport that passes every APDU to the real one and records it, so
// the ES10 commands can be rebuilt from their STORE DATA blocks (SGP.22 §5.7.2) and the answers from their
// GET RESPONSE chunks (ISO 7816-3 §10.3.4), and the floor computed from the payloads actually exchanged.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

#include "libapdu/bytes.h"
#include "libapdu/tlv.h"
#include "libapdu/transport.h"

namespace lpad::bench {

enum class ApduKind { ManageChannel, Select, StoreData, GetResponse, Other };
inline constexpr std::size_t kApduKinds = 5;
std::string_view name(ApduKind kind);

// One ES10 function as it crossed the link: the joined STORE DATA data and the joined answer data.
struct Es10Exchange {
    tlv::Tag tag = 0;                 // outer tag of the request (a BPP piece by its own tag)
    std::size_t request_bytes = 0;
    std::size_t response_bytes = 0;
    std::size_t store_data_apdus = 0;
    std::size_t get_response_apdus = 0;
};

struct ApduTally {
    std::array<std::size_t, kApduKinds> by_kind{};
    std::size_t bytes_to_card = 0;    // command APDUs
    std::size_t bytes_from_card = 0;  // response APDUs (data + SW)
    std::size_t channels_opened = 0;  // MANAGE CHANNEL open commands
    std::size_t total() const;
};

// Forwards to `inner` (which must outlive it). Logical channels go through this class's own transmit() (MANAGE
// CHANNEL + SELECT, as ApduTransport does), so they are recorded too.
class RecordingTransport final : public ApduTransport {
public:
    explicit RecordingTransport(Transport& inner) : inner_(inner) {}

    void open() override { inner_.open(); }
    void close() noexcept override { inner_.close(); }
    Bytes transmit(ByteView command_apdu) override;
    TransportLimits limits() const override { return inner_.limits(); }

    const std::vector<Es10Exchange>& exchanges() const { return exchanges_; }
    const ApduTally& tally() const { return tally_; }
    void reset();

private:
    Transport& inner_;
    std::vector<Es10Exchange> exchanges_;
    ApduTally tally_;
    Bytes request_;                    // STORE DATA blocks of the command being sent
    std::size_t request_blocks_ = 0;
    bool answer_open_ = false;         // GET RESPONSE chunks now belong to exchanges_.back()
};

// SGP.22 §5.7.6 / RSP-NOTES: the commands loading a Bound Profile Package (BF36 + BF23, A0, A1, 88, A2, A3, 86).
bool is_bpp_piece(tlv::Tag tag);
// "AuthenticateServer", "ProfileElement segment", ... or the tag in hex.
std::string es10_name(tlv::Tag tag);

// The fewest APDUs that can carry these exchanges over short APDUs (ISO 7816-4): each request in
// ceil(bytes / block) STORE DATA blocks; each answer of L bytes in ceil(L / 256) response APDUs, the first of them
// the last STORE DATA's own answer when it carries Le (so ceil(L/256) - 1 GET RESPONSE); and per logical channel
// one MANAGE CHANNEL open, one SELECT (P2 0C, no FCI) and one MANAGE CHANNEL close.
struct Floor {
    std::size_t channel = 0;
    std::size_t store_data = 0;
    std::size_t get_response = 0;         // with Le on the last block
    std::size_t get_response_no_le = 0;   // without Le (T=0 case 4, or explicit_le off)
    std::size_t total() const { return channel + store_data + get_response; }
};
Floor floor_of(const std::vector<Es10Exchange>& exchanges, std::size_t channels_opened, std::size_t block);

}  // namespace lpad::bench
