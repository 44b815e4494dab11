// SPDX-License-Identifier: Apache-2.0
// The seam inside the virtual eUICC: the ISD-R's APDU layer (card.h: channels, SELECT, STORE DATA reassembly,
// GET RESPONSE, fault injection) hands each complete ES10 command to an Es10Handler (the eUICC application:
// euicc.h), which knows SGP.22 and nothing about APDUs.
#pragma once

#include <cstdint>

#include "libapdu/bytes.h"

namespace lpad::virtual_euicc {

struct Es10Reply {
    Bytes data;              // the ES10 response TLV; empty for accepted intermediate BPP segments
    std::uint16_t sw = 0x9000;  // status word the APDU layer returns with it (e.g. 6A80 for an unparsable command)
};

class Es10Handler {
public:
    virtual ~Es10Handler() = default;

    // One ES10 command: the data of all its STORE DATA blocks joined (one BER-TLV, or one piece of a Bound Profile
    // Package as RSP-NOTES.md "Bound Profile Package loading" lists). Never throws for bad input: bad input gets the
    // status word or the SGP.22 error response a real eUICC gives.
    virtual Es10Reply handle(std::uint8_t channel, ByteView command) = 0;

    // The logical channel that carried an RSP session was closed, or the card was reset/powered off: forget any
    // session state (SGP.22: the session ends with the channel), persist nothing half-done.
    virtual void session_reset(std::uint8_t channel) = 0;
};

}  // namespace lpad::virtual_euicc
