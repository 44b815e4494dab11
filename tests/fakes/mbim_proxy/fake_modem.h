// SPDX-License-Identifier: Apache-2.0
// The fake MBIM modem behind the fake mbim-proxy: answers what the mbim: driver (through libmbim) asks, with the
// virtual eUICC as the card in its slot.
//
//   proxy control Configuration  accepted when DevicePath is the configured port; else the client is hung up on
//                                (as mbim-proxy does when it cannot open the device)
//   OPEN / CLOSE                 OPEN_DONE / CLOSE_DONE (the proxy answers these itself)
//   basic connect Device Caps    DeviceId = the IMEI
//   MS basic connect ext.        Device Slot Mappings (executor 0 -> the mapped slot), Slot Info Status
//   MS UICC low-level access     Open Channel (MANAGE CHANNEL + SELECT on the card), APDU, Close Channel (channel 0
//                                = every channel of the group); channels belong to the modem, not to the client, so
//                                a client that goes away leaves its channels open (as on a real modem)
//   anything else                status NoDeviceSupport
//
// SELECT: the virtual card answers SELECT with P2 00 (FCI) and 0C only; SelectP2Arg 04 (FCP, what ModemManager and
// hermes send) is recorded and the SELECT sent with P2 00. The modem puts the channel into the class byte itself
// (ISO/IEC 7816-4 §5.4.1) from the Channel field, as real modems do, and counts APDUs whose class byte named another
// channel.
//
// Faults (--fault WHAT[:TAG]@N=ACTION): at the Nth command of kind WHAT (config, device-caps, slot-mappings,
// slot-info, open-channel, close-channel, apdu; apdu:BF36 = the first STORE DATA block of an ES10 command with that
// tag): ACTION drop (hang up on the client), status:HEX (answer that MBIM status), delay:MS (answer late), silent
// (never answer).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "drivers/virtual/card.h"
#include "tests/fakes/mbim_proxy/mbim_wire.h"

namespace lpad::fake_mbim {

struct Fault {
    std::string text;  // as given
    std::string what;
    Bytes tag;  // apdu only: STORE DATA first block starting with these bytes
    std::size_t at = 1;
    enum class Action { Drop, Status, Delay, Silent } action = Action::Drop;
    std::uint32_t status = 0;
    unsigned delay_ms = 0;
    std::size_t seen = 0;
    bool fired = false;

    static Fault parse(const std::string& text);  // throws Error(InvalidArgument)
};

struct ModemConfig {
    std::string device;        // DevicePath the proxy accepts
    std::string imei = "356938035643809";
    std::uint32_t slots = 1;         // physical slots
    std::uint32_t mapped_slot = 0;   // 0-based slot executor 0 uses, the one with the eUICC
    bool slot_mappings = true;       // false: the MS basic connect extensions commands answer NoDeviceSupport
    std::vector<Fault> faults;
};

// What to do with one client message.
struct Reply {
    std::optional<Bytes> message;  // to send back (none: silent)
    bool hang_up = false;          // close the client's connection (after sending nothing)
    unsigned delay_ms = 0;
};

class FakeModem {
public:
    FakeModem(ModemConfig config, std::shared_ptr<virtual_euicc::VirtualCard> card);

    // `client_configured` is the per-connection proxy state: set by a good Configuration.
    Reply handle(const Message& m, bool& client_configured);

    // Open a channel the way ModemManager would (its channel group 1), so tests can check lpad leaves it alone.
    void open_foreign_channel(std::uint32_t group);
    nlohmann::json stats() const;

private:
    struct Channel {
        std::uint32_t group;
    };
    Reply command(const Message& m);
    std::optional<Reply> fault_for(const std::string& what, const Message& m);
    Reply open_channel(const Message& m);
    Reply close_channel(const Message& m);
    Reply apdu(const Message& m);
    Reply device_caps(const Message& m);
    Reply slot_mappings(const Message& m);
    Reply slot_info(const Message& m);
    Bytes card(ByteView apdu);
    bool close_card_channel(std::uint32_t channel);

    ModemConfig config_;
    std::shared_ptr<virtual_euicc::VirtualCard> card_;
    std::map<std::uint32_t, Channel> channels_;  // card channel -> owner group
    std::size_t configured_ = 0, opened_ = 0, closed_ = 0, apdus_ = 0, cla_mismatch_ = 0, without_le_ = 0;
    std::size_t stale_released_ = 0, faults_fired_ = 0;
    bool in_delay_ = false;  // answering a delayed command: not counted twice
    std::vector<std::string> fired_;
    std::set<std::uint32_t> select_p2_;
    std::set<std::uint32_t> class_byte_types_;
};

}  // namespace lpad::fake_mbim
