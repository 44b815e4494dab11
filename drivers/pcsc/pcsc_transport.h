// SPDX-License-Identifier: Apache-2.0
// The `pcsc:` driver: an eUICC in a PC/SC reader through pcsc-lite (see docs/drivers/pcsc.md).
//
//   pcsc:[?reader=SUBSTRING | index=N][&exclusive=1][&transaction=0][&aid=HEX]
//
// - reader / index: which reader (reader_selection.h). Without either, every reader is probed in order (connect,
//   open a logical channel, SELECT the ISD-R, close) and the first eUICC wins; readers without a card or whose card
//   refuses the SELECT are skipped with an Info log line naming the reason.
// - exclusive=1: SCARD_SHARE_EXCLUSIVE. The default is shared: other PC/SC programs keep working, and the logical
//   channel keeps lpad's ISD-R session apart from theirs.
// - transaction (default 1): hold a PC/SC transaction (SCardBeginTransaction) from open_logical_channel to the
//   matching close_logical_channel, i.e. for one ISD-R session (one daemon job), so no other program's APDU lands
//   between a command and its GET RESPONSE or resets the card mid-job. Other programs wait until it ends.
// - aid: the ISD-R AID used to probe readers (default SGP.22's A0000005591010FFFFFFFF8900000100).
//
// Limits: short APDUs (255), logical channels, 61xx/6Cxx resolved by exchange() (pcsc-lite passes T=0 procedure
// bytes through). The card is never reset or powered down: disconnect is SCARD_LEAVE_CARD.
// Errors: no pcscd, no reader, no card, card removed or reset → Error(Unavailable); a failed exchange →
// TransportError. Both name the PC/SC code and a hint (pcsc_errors.h). After either the transport is closed, and
// the next open() connects again.
#pragma once

#include <memory>
#include <string>

#include "drivers/pcsc/pcsc_context.h"
#include "drivers/pcsc/reader_selection.h"
#include "drivers/registry.h"
#include "libapdu/error.h"
#include "libapdu/transport.h"

namespace lpad::pcsc {

struct PcscOptions {
    ReaderSelector selector;
    ShareMode share = ShareMode::Shared;
    bool transactions = true;
    Bytes probe_aid{0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00};

    // From the driver URI; unknown parameters and bad values → Error(InvalidArgument).
    static PcscOptions from_uri(const drivers::DriverUri& uri);
};

class PcscTransport : public ApduTransport {
public:
    explicit PcscTransport(PcscOptions options);
    ~PcscTransport() override;

    void open() override;
    void close() noexcept override;
    std::uint8_t open_logical_channel(ByteView aid) override;
    void close_logical_channel(std::uint8_t channel) override;
    Bytes transmit(ByteView command_apdu) override;
    TransportLimits limits() const override { return TransportLimits{255, false, true, false}; }

    bool is_open() const { return card_ != nullptr; }
    // The reader in use; empty when not open.
    std::string reader() const;

private:
    // Connect to `reader` and, when `probe`, check for the ISD-R. nullptr (with `why` set) when the reader has no
    // card or no eUICC; other errors are thrown.
    std::unique_ptr<PcscCard> try_reader(const std::string& reader, bool probe, std::string& why);
    [[noreturn]] void lost_card(const Error& e);

    PcscOptions options_;
    std::unique_ptr<PcscContext> context_;
    std::unique_ptr<PcscCard> card_;
    unsigned open_channels_ = 0;  // channels inside the current transaction
    bool in_transaction_ = false;
};

}  // namespace lpad::pcsc
