// SPDX-License-Identifier: Apache-2.0
// Test and benchmark controls of the virtual card (card.h): latency, block and chunk sizes, fault injection, and
// the traffic counters. Set at construction and changed at run time through VirtualCard::set_knobs().
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libapdu/tlv.h"

namespace lpad::virtual_euicc {

enum class FaultAction {
    StatusWord,  // answer `sw` instead of executing the command
    DropLink,    // lose the link: TransportError in the in-process driver, a disconnect in the vpcd bridge
};

// One fault. It fires either at an APDU number or at an ES10 step (when the last STORE DATA block of that command
// arrives, before the eUICC application sees it).
struct Fault {
    FaultAction action = FaultAction::StatusWord;
    std::uint16_t sw = 0x6F00;
    std::size_t at_apdu = 0;     // the Nth APDU since construction or reset_counters() (1-based); 0 = use at_step
    std::string at_step;         // ES10 function name ("PrepareDownload") or outer tag in hex ("BF21")
    std::size_t occurrence = 1;  // the Nth command of that step (1-based); ignored for at_apdu
    bool persistent = false;     // also fire on every later match, not only the first

    // Text form used by the URI and the bridge: ACTION@WHERE[#N][+]
    //   ACTION = "drop" or a status word in hex ("6A88"); WHERE = an APDU number or a step name / tag;
    //   #N = occurrence of the step; a trailing '+' = persistent.
    //   e.g. "drop@12", "6A88@PrepareDownload", "drop@LoadBoundProfilePackage#3", "6F00@5+".
    // Throws Error(InvalidArgument) naming the problem.
    static Fault parse(std::string_view text);
    std::string to_string() const;
};

struct Knobs {
    unsigned latency_ms = 0;       // added before every APDU
    std::size_t max_block = 255;   // STORE DATA data bytes accepted per APDU (1..65535); more answers 6700
    std::size_t chunk = 256;       // response data bytes per APDU before 61xx (1..256)
    std::vector<Fault> faults;

    // Throws Error(InvalidArgument) for out-of-range values or an unknown step name.
    void validate() const;
};

// Traffic seen by the card since construction or reset_counters().
struct Counters {
    std::size_t apdus = 0;
    std::size_t manage_channel = 0;
    std::size_t select = 0;
    std::size_t store_data = 0;
    std::size_t get_response = 0;
    std::size_t other = 0;
    std::size_t bytes_in = 0;   // command APDU bytes
    std::size_t bytes_out = 0;  // response APDU bytes (data + SW)
    std::map<tlv::Tag, std::size_t> es10;  // complete ES10 commands by outer tag (BPP pieces by their own tag)
    std::size_t faults_fired = 0;
};

// The outer tags of the ES10 commands that make up a step, e.g. "EnableProfile" -> {BF31}; "LoadBoundProfilePackage"
// -> every Bound Profile Package piece (BF36, A0, A1, 88, A2, A3, 86: RSP-NOTES "Bound Profile Package loading").
// A hex tag ("BF21") names itself. Throws Error(InvalidArgument) for an unknown name.
std::vector<tlv::Tag> es10_step_tags(std::string_view step);

}  // namespace lpad::virtual_euicc
