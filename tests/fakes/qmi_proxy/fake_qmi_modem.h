// SPDX-License-Identifier: Apache-2.0
// A fake Qualcomm modem behind a fake qmi-proxy, for tests: it speaks QMUX as libqmi-glib's qmi-proxy does
// (abstract socket, CTL Internal Proxy Open 0xFF00 carrying the port path, CTL client-id allocation) and answers
// the messages the `qmi:` driver sends, with the virtual eUICC (drivers/virtual) as the card in one UIM slot.
//
//   CTL  Get Version Info 0x0021, Allocate CID 0x0022, Release CID 0x0023, Sync 0x0027, Internal Proxy Open 0xFF00
//   DMS  Get IDs 0x0025 (IMEI)
//   UIM  Send APDU 0x003B, Logical Channel 0x003F, Open Logical Channel 0x0042, Switch Slot 0x0046,
//        Get Slot Status 0x0047
//
// CTL Sync releases every client id, as the modem does. It keeps the books tests assert on: client ids allocated per service, logical channels open (and which client
// opened them), APDUs whose CLA disagrees with the channel id. As the proxy does, a connection that closes has its
// client ids released; releasing a UIM client closes the channels it opened (as the modem's UIM service does).
// Faults fire at the Nth occurrence of a message: a QMI error, a delay, a dropped connection or no answer.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "drivers/qmi/qmi_tlv.h"
#include "drivers/virtual/card.h"

namespace lpad::fake_qmi {

// "<Message>[~HEX]#<N>:<action>" — Message: ProxyOpen AllocateCid ReleaseCid GetIds OpenLogicalChannel SendApdu
// LogicalChannel GetSlotStatus SwitchSlot; ~HEX: only Send APDUs whose APDU contains these bytes count (e.g.
// SendApdu~BF21 = the STORE DATA carrying PrepareDownloadRequest); N: 1-based occurrence (N+ = from the Nth on);
// action: error=CODE (hex or decimal QMI error), delay=MS, drop (close the client's connection), silent (no answer).
struct Fault {
    std::string message;
    Bytes contains;
    unsigned occurrence = 1;
    bool repeat = false;
    enum class Kind { Error, Delay, Drop, Silent } kind = Kind::Error;
    std::uint16_t error = 0;
    unsigned delay_ms = 0;
    static Fault parse(const std::string& text);  // throws Error(InvalidArgument)
};

struct ModemConfig {
    std::string device;         // the port path clients must name in Proxy Open; empty accepts any
    std::string imei = "356938035643809";
    unsigned slots = 1;         // physical slots
    unsigned euicc_slot = 1;    // the physical slot holding the virtual eUICC
    unsigned active_slot = 1;   // mapped to logical slot 1
    bool resolve_61xx = false;  // answer Send APDU with the whole response (the modem sends GET RESPONSE itself),
                                // as some firmware does; otherwise 61xx goes back to the client as the card said it
    std::vector<Fault> faults;
};

struct Counters {
    std::map<std::uint8_t, std::size_t> clients;  // live client ids by service
    std::size_t channels = 0;                     // logical channels open now
    std::size_t channels_opened = 0;
    std::size_t channels_released_with_client = 0;
    std::size_t cla_mismatches = 0;
    std::size_t apdus = 0;
    std::size_t faults_fired = 0;
    std::size_t connections = 0;                  // open now
    std::size_t switch_slots = 0;
    std::size_t syncs = 0;                        // CTL Sync requests (each releases every client id)
    std::map<std::string, std::size_t> messages;  // by name
    std::string to_json() const;
};

// One reply to write back, or an instruction for the connection.
struct Reply {
    Bytes frame;                          // QMUX frame; empty for none
    std::chrono::milliseconds delay{0};
    bool drop = false;                    // close the connection instead of answering
};

class FakeModem {
public:
    FakeModem(std::shared_ptr<virtual_euicc::VirtualCard> card, ModemConfig config);

    // A connection opened / closed (closing releases its client ids, as qmi-proxy does).
    void connected(int connection);
    void disconnected(int connection);
    // One complete QMUX frame (marker included) from `connection` → what to send back.
    Reply handle(int connection, ByteView frame);

    Counters counters() const;
    const std::shared_ptr<virtual_euicc::VirtualCard>& card() const { return card_; }

private:
    struct Client {
        int connection = -1;
        std::uint8_t service = 0;
    };
    Reply ctl(int connection, std::uint8_t transaction, std::uint16_t id, const qmi::TlvList& tlvs);
    qmi::TlvList dms(std::uint16_t id);
    qmi::TlvList uim(std::uint8_t cid, std::uint16_t id, const qmi::TlvList& tlvs);
    qmi::TlvList open_channel(std::uint8_t cid, const qmi::TlvList& tlvs);
    qmi::TlvList close_channel(const qmi::TlvList& tlvs);
    qmi::TlvList send_apdu(const qmi::TlvList& tlvs);
    qmi::TlvList slot_status() const;
    bool card_reachable(std::uint8_t slot) const;
    Bytes card_exchange(Bytes apdu);  // resolves 61xx as a modem's UIM does for its own SELECT
    void release_client(std::uint8_t service, std::uint8_t cid);
    std::optional<Fault> fault_for(const std::string& message, ByteView payload);

    std::shared_ptr<virtual_euicc::VirtualCard> card_;
    ModemConfig config_;
    mutable std::mutex mutex_;
    std::map<std::pair<std::uint8_t, std::uint8_t>, Client> clients_;  // (service, cid)
    std::map<std::uint8_t, std::uint8_t> channels_;                    // channel -> owning UIM cid
    std::set<int> connections_;
    std::vector<unsigned> seen_;  // per configured fault: matching messages so far
    Counters counters_;
};

// QMUX framing: the length of the first complete frame in `buffer` (0 when more bytes are needed); throws
// MalformedData when the buffer does not start with the QMUX marker.
std::size_t qmux_frame_length(ByteView buffer);

}  // namespace lpad::fake_qmi
