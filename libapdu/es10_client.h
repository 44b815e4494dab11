// SPDX-License-Identifier: Apache-2.0
// ES10 over APDUs: one ISD-R session on a Transport, one ES10 function per transceive().
//
// Takes raw request bytes; typed ES10 messages (es10 headers) plug in through call(). Retry and fallback policy
// (smaller STORE DATA blocks after 6700/6601, explicit Le) belongs to core: this class only reports, and core
// lowers the block size with set_store_data_block().
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "libapdu/bytes.h"
#include "libapdu/transport.h"

namespace lpad {

struct Es10Options {
    // ISD-R AIDs tried in order: the SGP.22 default first; some removable eUICCs use others (RSP-NOTES).
    std::vector<Bytes> isdr_aids{Bytes{0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00,
                                       0x00, 0x01, 0x00}};
    std::size_t store_data_block = 255;  // STORE DATA data bytes per APDU, 6..255
    bool explicit_le = false;            // Le 00 on the last STORE DATA block (some cards/modems need it, others reject it)
};

class Es10Client {
public:
    // Does no I/O. Throws InvalidArgument for an empty AID list or an AID that is not 5..16 bytes.
    Es10Client(Transport& transport, Es10Options options = {});
    ~Es10Client();  // close(), never throws
    Es10Client(const Es10Client&) = delete;
    Es10Client& operator=(const Es10Client&) = delete;

    // transport.open(), then a logical channel with the ISD-R selected, trying each AID in order (any CardError
    // moves on to the next). If none answers, closes the transport and throws the last CardError.
    void open();
    // Close the channel (errors ignored) and the transport. Safe when not open.
    void close() noexcept;

    // STORE DATA data bytes per APDU for later transceive() calls (Es10Options::store_data_block). Throws
    // InvalidArgument outside 6..255.
    void set_store_data_block(std::size_t block);
    std::size_t store_data_block() const { return options_.store_data_block; }
    // Whether the last STORE DATA block carries Le 00 (a fallback turns it off for cards that refuse it).
    void set_explicit_le(bool on) { options_.explicit_le = on; }
    bool explicit_le() const { return options_.explicit_le; }

    bool is_open() const { return open_; }
    std::uint8_t channel() const { return channel_; }
    const Bytes& isdr_aid() const { return isdr_aid_; }  // the AID that answered, empty when not open

    // One ES10 function (SGP.22 §5.7, ES10a/b/c): the BER-TLV request as STORE DATA blocks of
    // min(store_data_block, limits().max_command_data) bytes; returns the response data of the last block (with
    // 61xx resolved). Every block must answer 9000 or 91xx, else Error::card(sw, "STORE DATA block N of M for
    // ES10 function <tag>"); intermediate blocks must answer without data (ProtocolViolation). Throws Unavailable
    // when not open.
    Bytes transceive(ByteView es10_request);

    // Typed form: Req has `Bytes encode() const` and `using Response = ...` with `static Response decode(ByteView)`.
    template <class Req>
    typename Req::Response call(const Req& request) {
        return Req::Response::decode(transceive(request.encode()));
    }

    // True when the last transceive() ended with 91xx: the card has a proactive command pending (ETSI TS 102 221
    // §10.2.1.1), typically a REFRESH after enable/disable. The modem/terminal fetches it; the LPA only reports.
    bool proactive_pending() const { return proactive_pending_; }

    // ES10 traffic since construction (channel open/close and SELECT not included).
    struct Stats {
        std::size_t apdus = 0;
        std::size_t store_data_apdus = 0;
        std::size_t get_response_apdus = 0;
        std::size_t bytes_sent = 0;
        std::size_t bytes_received = 0;
    };
    Stats stats() const;

private:
    Transport& transport_;
    Es10Options options_;
    bool open_ = false;
    std::uint8_t channel_ = 0;
    Bytes isdr_aid_;
    bool proactive_pending_ = false;
    ExchangeCounters counters_;
    std::size_t store_data_apdus_ = 0;
};

}  // namespace lpad
