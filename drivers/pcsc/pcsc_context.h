// SPDX-License-Identifier: Apache-2.0
// RAII around pcsc-lite's handles: PcscContext (SCARDCONTEXT) and PcscCard (SCARDHANDLE), plus ReaderMonitor, the
// reader/card status watch (SCardGetStatusChange) for the daemon. Every failure is an lpad::Error from the
// pcsc_errors table, naming the PC/SC code and the reader.
#pragma once

#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "libapdu/bytes.h"

namespace lpad::pcsc {

class PcscContext {
public:
    // SCardEstablishContext(SCARD_SCOPE_SYSTEM). pcscd not running → Error(Unavailable) with SCARD_E_NO_SERVICE.
    PcscContext();
    ~PcscContext();  // SCardReleaseContext
    PcscContext(const PcscContext&) = delete;
    PcscContext& operator=(const PcscContext&) = delete;

    SCARDCONTEXT handle() const { return context_; }

    // SCardListReaders; empty when there are none (SCARD_E_NO_READERS_AVAILABLE is not an error here).
    std::vector<std::string> reader_names() const;

    // SCardCancel: a blocking SCardGetStatusChange on this context returns (thread-safe, never throws).
    void cancel() noexcept;

private:
    SCARDCONTEXT context_ = 0;
};

enum class ShareMode { Shared, Exclusive };

// A connection to the card in one reader. Disconnects with SCARD_LEAVE_CARD: lpad never resets or powers down
// the card for routine work (other programs and the modem keep their state).
class PcscCard {
public:
    // SCardConnect asking for T=0 first: pcsc-lite keeps the protocol of the first connection until the card is
    // reset, and would pick T=1 from T=0|T=1, which then locks out T=0-only programs (lpac and others:
    // SCARD_E_PROTO_MISMATCH). T=0|T=1 only when T=0 is refused (a T=1-only card, or one another program already
    // uses with T=1). No card → Error(Unavailable, SCARD_E_NO_SMARTCARD).
    PcscCard(const PcscContext& context, std::string reader, ShareMode mode);
    ~PcscCard();
    PcscCard(const PcscCard&) = delete;
    PcscCard& operator=(const PcscCard&) = delete;

    const std::string& reader() const { return reader_; }
    // "T=0" or "T=1"
    std::string protocol_name() const;

    // SCardTransmit with the PCI of the active protocol; returns data || SW1 SW2 as the card sent it.
    Bytes transmit(ByteView command_apdu);

    // SCardBeginTransaction / SCardEndTransaction(SCARD_LEAVE_CARD): other programs' commands wait (or get
    // SCARD_E_SHARING_VIOLATION) until the transaction ends. end_transaction never throws.
    void begin_transaction();
    void end_transaction() noexcept;

    // The ATR from SCardStatus.
    Bytes atr() const;

private:
    std::string reader_;
    SCARDHANDLE card_ = 0;
    DWORD protocol_ = 0;
};

// This process's own use of a reader: PcscCard connections open now, and how many were ever made (counted before
// SCardConnect, so a state change caused by one is already counted when a watcher sees it). The presence watch
// tells lpad's use of a card from another program's by it.
struct OwnUse {
    unsigned active = 0;
    std::uint64_t connects = 0;
};
OwnUse own_use(const std::string& reader);

struct ReaderState {
    std::string name;
    bool card_present = false;  // SCARD_STATE_PRESENT
    bool in_use = false;        // SCARD_STATE_INUSE (some program is connected)
    bool exclusive = false;     // SCARD_STATE_EXCLUSIVE
    bool mute = false;          // SCARD_STATE_MUTE: a card that does not answer reset
    Bytes atr;                  // empty without a card
    std::uint32_t event_state = 0;  // raw dwEventState (pcsc-lite keeps a card event counter in the high 16 bits)
};

// Watches readers and cards for the daemon: hot-plugged readers, inserted and removed cards. One thread at a time;
// cancel() may be called from any thread.
class ReaderMonitor {
public:
    ReaderMonitor() = default;

    // The state of every reader now; becomes the baseline for wait_for_change().
    std::vector<ReaderState> list_readers();

    // Blocks until some reader's state differs from the baseline (card inserted or removed, a program connected,
    // a reader added or removed) or `timeout` passes. On a change the baseline is refreshed (readers()) and true is
    // returned; false on timeout. Throws Cancelled after cancel(), Unavailable when pcscd goes away.
    bool wait_for_change(std::chrono::milliseconds timeout);

    const std::vector<ReaderState>& readers() const { return baseline_; }
    void cancel() noexcept { context_.cancel(); }

private:
    PcscContext context_;
    std::vector<ReaderState> baseline_;
    bool have_baseline_ = false;
};

}  // namespace lpad::pcsc
