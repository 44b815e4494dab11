// SPDX-License-Identifier: Apache-2.0
// The transport seam: the one interface every card driver (pcsc, at, qmi, virtual) implements.
//
// Five operations, blocking, called from one thread at a time (the eUICC's worker). A Transport knows APDUs and
// logical channels, never SGP.22. Errors are lpad::Error: TransportError when the link fails, CardError (with
// status_word) when the card refuses, Unavailable when the card or reader is not there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "libapdu/apdu.h"
#include "libapdu/bytes.h"

namespace lpad {

// What the link can carry; Es10Client and exchange() adapt to it.
struct TransportLimits {
    std::size_t max_command_data = 255;  // largest Lc the link carries (255 = short APDUs only)
    bool extended_length = false;        // extended Lc/Le accepted end to end
    bool logical_channels = true;        // MANAGE CHANNEL (or the link's equivalent) is available
    bool handles_get_response = false;   // the link already resolves 61xx/6Cxx (e.g. QMI, some AT stacks)
};

class Transport {
public:
    virtual ~Transport() = default;

    // Connect to the card (reader, modem port, virtual card). Idempotent: opening an open transport is a no-op.
    // Throws Unavailable if there is no card, TransportError if the link fails.
    virtual void open() = 0;

    // Release the link and everything open on it. Never throws; safe to call when not open.
    virtual void close() noexcept = 0;

    // Open a logical channel and SELECT `aid` (5..16 bytes) on it; returns the channel number (1..19, or 0 when the
    // link has no logical channels and the AID was selected on the basic channel). Throws Error::card with the
    // status word if the card refuses, e.g. 6A82 when the AID is not on the card; no channel is left open then.
    virtual std::uint8_t open_logical_channel(ByteView aid) = 0;

    // Close a channel returned by open_logical_channel. Throws CardError/TransportError; callers that are cleaning
    // up catch and ignore.
    virtual void close_logical_channel(std::uint8_t channel) = 0;

    // Send one command APDU (already carrying its channel in CLA) and return the raw response: data || SW1 SW2,
    // at least 2 bytes. A status word is not an error here. Throws TransportError if the link fails.
    virtual Bytes transmit(ByteView command_apdu) = 0;

    virtual TransportLimits limits() const { return {}; }

    // The IMEI (15 digits) or IMEISV (16 digits) of the device the card sits in, when the link can ask it (a modem:
    // QMI DMS, MBIM device caps, AT+CGSN); empty when it cannot. Called on the worker thread after open(). Never
    // throws: a modem that does not say returns empty. Core puts it in deviceInfo when lpad.conf sets no IMEI.
    virtual std::string device_imei() { return {}; }
};

// A Transport whose channel operations are plain APDUs over transmit(): MANAGE CHANNEL + SELECT (ISO 7816-4,
// GlobalPlatform §11.9). For links that pass APDUs through (PC/SC, the virtual eUICC, AT+CSIM). When
// limits().logical_channels is false the AID is selected on the basic channel and channel 0 is returned.
class ApduTransport : public Transport {
public:
    std::uint8_t open_logical_channel(ByteView aid) override;
    void close_logical_channel(std::uint8_t channel) override;
};

// Traffic counted by exchange() when given a counters pointer (every APDU, including GET RESPONSE).
struct ExchangeCounters {
    std::size_t apdus = 0;
    std::size_t get_response_apdus = 0;
    std::size_t bytes_sent = 0;
    std::size_t bytes_received = 0;
};
constexpr std::size_t kMaxGetResponseRounds = 1024;

// Send one command and resolve the T=0 procedure bytes, unless transport.limits().handles_get_response:
//  - 6Cxx: resend the same command once with Le = SW2 (00 = 256);
//  - 61xx: GET RESPONSE (in the class and channel of the command) with Le = SW2, repeated while 61xx, the data
//    of each answer concatenated; more than kMaxGetResponseRounds rounds throws ProtocolViolation.
// The returned status word is the card's final one; it is not checked here.
apdu::Response exchange(Transport& transport, const apdu::Command& command, ExchangeCounters* counters = nullptr);

}  // namespace lpad
