// SPDX-License-Identifier: Apache-2.0
// The virtual eUICC's APDU layer: an ISD-R as a real card presents it (ISO/IEC 7816-4, GlobalPlatform Card
// Specification, SGP.22 §5.7.1), in front of an Es10Handler that implements the ES10 functions.
//
//   command              | answer
//   ---------------------+---------------------------------------------------------------------------------------
//   00 70 00 00|nn [01]  | MANAGE CHANNEL open: channel number + 9000; 6A81 when no channel is free
//   00 70 80 nn          | MANAGE CHANNEL close: 9000; the application's session on nn ends (session_reset)
//   0x A4 04 00|0C AID   | SELECT by AID (right-truncated AIDs match): FCI 6F{84 AID, A5{...}}; unknown 6A82
//   8x E2 11|91 P2 data  | STORE DATA block P2 (from 00); P1 91 = last block: joined data -> Es10Handler::handle
//   0x|8x C0 00 00 Le    | GET RESPONSE: Le bytes of the pending answer; 61xx while more remain
//   80 AA 00 00 A9{...}  | TERMINAL CAPABILITY (ETSI TS 102 221 §11.1.19): 9000 (A9 template checked)
//
// Responses longer than Knobs::chunk, or answers to a command without Le, come as 61xx (T=0 style, ISO 7816-3
// §10.3.4) and are fetched with GET RESPONSE; a GET RESPONSE asking for more than remains gets 6Cxx.
//
// Thread-safe: every public method takes the card's lock; the application is called under it, one call at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "drivers/virtual/es10_handler.h"
#include "drivers/virtual/knobs.h"
#include "libapdu/apdu.h"
#include "libapdu/bytes.h"

namespace lpad::virtual_euicc {

// SGP.22 §2.2.3 default ISD-R AID.
Bytes default_isdr_aid();

struct CardConfig {
    // TS 3B, T0 80 (TD1), TD1 80 (T=0, TD2), TD2 01 (T=1), TCK 01: offers T=0 and T=1, no historical bytes.
    Bytes atr{0x3B, 0x80, 0x80, 0x01, 0x01};
    Bytes isdr_aid = default_isdr_aid();
    unsigned channels = 4;             // basic channel 0 plus logical channels 1..channels-1 (1..20)
    std::size_t max_command = 65536;   // largest ES10 command joined from STORE DATA blocks; more answers 6A84
    std::uint8_t isdr_version[3]{2, 2, 0};  // the E0/82 version field of the ISD-R's FCI, as field eUICCs report it

    // Throws Error(InvalidArgument) for an ATR outside 2..33 bytes, an AID outside 5..16 bytes, channels outside 1..20.
    void validate() const;
};

class VirtualCard {
public:
    // The card starts powered, as if just inserted and reset. Throws InvalidArgument for a bad config or knobs.
    VirtualCard(std::unique_ptr<Es10Handler> application, CardConfig config = {}, Knobs knobs = {});

    // One command APDU -> the response APDU (data || SW1 SW2). Bad commands get a status word, never an exception.
    // Throws Error(TransportError) when the card is powered off, or when a DropLink fault fires (the card is then
    // powered off, as when pulled from the reader).
    Bytes process(ByteView command_apdu);

    Bytes atr() const;
    // Power off: every open channel's session ends (Es10Handler::session_reset), all channels close.
    void power_off();
    // Cold or warm reset: powered, only the basic channel open, nothing selected.
    void reset();
    bool powered() const;

    const CardConfig& config() const { return config_; }
    Knobs knobs() const;
    void set_knobs(Knobs knobs);  // validates, then replaces; fault occurrence counts start again
    Counters counters() const;
    void reset_counters();        // also restarts the APDU numbering used by Fault::at_apdu
    std::vector<std::uint8_t> open_channels() const;

private:
    struct Channel {
        bool open = false;
        bool isdr_selected = false;
        bool sequence_open = false;   // a STORE DATA sequence is being received
        std::uint8_t next_block = 0;  // expected P2 of the next STORE DATA block
        Bytes command;                // STORE DATA blocks received so far
        Bytes pending;                // answer waiting for GET RESPONSE
        std::size_t pending_offset = 0;
        std::uint16_t pending_sw = 0x9000;
        bool has_pending = false;
    };
    struct ArmedFault {
        Fault fault;
        std::vector<tlv::Tag> tags;
        std::size_t seen = 0;  // matching ES10 commands so far
        bool spent = false;
    };
    struct Cla {
        std::uint16_t error = 0;  // status word when the class is refused
        unsigned channel = 0;
        bool proprietary = false;  // GlobalPlatform class (b8 set), as STORE DATA uses
    };

    static Cla decode_cla(std::uint8_t cla);
    Bytes dispatch(const apdu::Command& c, const Cla& cla);
    Bytes manage_channel(const apdu::Command& c, unsigned origin);
    Bytes select(const apdu::Command& c, Channel& ch);
    Bytes store_data(const apdu::Command& c, unsigned channel, Channel& ch);
    Bytes get_response(const apdu::Command& c, Channel& ch);
    Bytes terminal_capability(const apdu::Command& c);
    Bytes deliver(unsigned channel, Channel& ch, Bytes command, std::optional<std::uint32_t> le);
    Bytes respond(Channel& ch, Bytes data, std::uint16_t sw, std::optional<std::uint32_t> le);
    Bytes take_pending(Channel& ch, std::size_t n);
    Bytes fci() const;
    void close_channel(unsigned n);
    void power_off_locked();
    [[noreturn]] void drop_link(const std::string& where);
    std::optional<Fault> fault_at_apdu(std::size_t apdu);
    std::optional<Fault> fault_at_step(tlv::Tag tag);
    void arm(const Knobs& knobs);

    std::unique_ptr<Es10Handler> application_;
    const CardConfig config_;
    mutable std::mutex mutex_;
    Knobs knobs_;
    std::vector<ArmedFault> armed_;
    Counters counters_;
    bool powered_ = true;
    std::vector<Channel> channels_;
};

}  // namespace lpad::virtual_euicc
