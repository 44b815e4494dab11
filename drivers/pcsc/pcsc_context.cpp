// SPDX-License-Identifier: Apache-2.0
#include "drivers/pcsc/pcsc_context.h"

#include <PCSC/pcsclite.h>

#include <map>
#include <mutex>
#include <utility>

#include "drivers/pcsc/pcsc_errors.h"
#include "libapdu/error.h"

namespace lpad::pcsc {

namespace {

std::uint32_t code(LONG rv) { return static_cast<std::uint32_t>(rv); }

void check(LONG rv, std::string_view what) {
    if (rv != SCARD_S_SUCCESS) throw_pcsc_error(code(rv), what);
}

// pcsc-lite's pseudo reader: its state changes when a reader is added or removed. The high 16 bits of
// dwCurrentState carry the number of readers the caller knows about.
constexpr const char* kPnpReader = "\\\\?PnP?\\Notification";

ReaderState to_state(const SCARD_READERSTATE& s) {
    ReaderState r;
    r.name = s.szReader;
    r.event_state = static_cast<std::uint32_t>(s.dwEventState);
    r.card_present = (s.dwEventState & SCARD_STATE_PRESENT) != 0;
    r.in_use = (s.dwEventState & SCARD_STATE_INUSE) != 0;
    r.exclusive = (s.dwEventState & SCARD_STATE_EXCLUSIVE) != 0;
    r.mute = (s.dwEventState & SCARD_STATE_MUTE) != 0;
    if (r.card_present) r.atr.assign(s.rgbAtr, s.rgbAtr + std::min<DWORD>(s.cbAtr, sizeof s.rgbAtr));
    return r;
}

std::mutex own_mutex;
std::map<std::string, OwnUse>& own_uses() {
    static std::map<std::string, OwnUse> uses;
    return uses;
}

void own_connecting(const std::string& reader) {
    std::lock_guard lock(own_mutex);
    OwnUse& u = own_uses()[reader];
    ++u.active;
    ++u.connects;
}

void own_released(const std::string& reader) noexcept {
    std::lock_guard lock(own_mutex);
    OwnUse& u = own_uses()[reader];
    if (u.active > 0) --u.active;
}

}  // namespace

OwnUse own_use(const std::string& reader) {
    std::lock_guard lock(own_mutex);
    auto it = own_uses().find(reader);
    return it == own_uses().end() ? OwnUse{} : it->second;
}

PcscContext::PcscContext() {
    check(SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context_), "pcsc: connect to pcscd");
}

PcscContext::~PcscContext() {
    if (context_) SCardReleaseContext(context_);
}

std::vector<std::string> PcscContext::reader_names() const {
    DWORD size = 0;
    LONG rv = SCardListReaders(context_, nullptr, nullptr, &size);
    if (rv == SCARD_E_NO_READERS_AVAILABLE) return {};
    check(rv, "pcsc: list readers");
    std::string buffer(size, '\0');
    rv = SCardListReaders(context_, nullptr, buffer.data(), &size);
    if (rv == SCARD_E_NO_READERS_AVAILABLE) return {};
    check(rv, "pcsc: list readers");
    // A multi-string: names separated by NUL, ended by an empty one.
    std::vector<std::string> names;
    for (std::size_t pos = 0; pos < buffer.size() && buffer[pos] != '\0';) {
        std::string name(buffer.c_str() + pos);
        pos += name.size() + 1;
        names.push_back(std::move(name));
    }
    return names;
}

void PcscContext::cancel() noexcept {
    if (context_) SCardCancel(context_);
}

PcscCard::PcscCard(const PcscContext& context, std::string reader, ShareMode mode) : reader_(std::move(reader)) {
    const DWORD share = mode == ShareMode::Exclusive ? SCARD_SHARE_EXCLUSIVE : SCARD_SHARE_SHARED;
    own_connecting(reader_);
    LONG rv = SCardConnect(context.handle(), reader_.c_str(), share, SCARD_PROTOCOL_T0, &card_, &protocol_);
    if (rv == SCARD_E_PROTO_MISMATCH)
        rv = SCardConnect(context.handle(), reader_.c_str(), share, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card_,
                          &protocol_);
    if (rv != SCARD_S_SUCCESS) {
        own_released(reader_);
        throw_pcsc_error(code(rv), "pcsc: connect to the card in '" + reader_ + "'");
    }
}

PcscCard::~PcscCard() {
    if (card_) SCardDisconnect(card_, SCARD_LEAVE_CARD);
    own_released(reader_);
}

std::string PcscCard::protocol_name() const {
    return protocol_ == SCARD_PROTOCOL_T0 ? "T=0" : protocol_ == SCARD_PROTOCOL_T1 ? "T=1" : "T=?";
}

Bytes PcscCard::transmit(ByteView command_apdu) {
    const SCARD_IO_REQUEST* pci = protocol_ == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
    Bytes response(MAX_BUFFER_SIZE_EXTENDED);
    DWORD length = static_cast<DWORD>(response.size());
    check(SCardTransmit(card_, pci, command_apdu.data(), static_cast<DWORD>(command_apdu.size()), nullptr,
                        response.data(), &length),
          "pcsc: transmit to '" + reader_ + "'");
    if (length < 2) {
        // A reader that lost the card mid-command may still report success with no status word (vpcd does).
        DWORD state = 0, protocol = 0, atr_len = 0;
        const LONG status = SCardStatus(card_, nullptr, nullptr, &state, &protocol, nullptr, &atr_len);
        if (status != SCARD_S_SUCCESS) throw_pcsc_error(code(status), "pcsc: transmit to '" + reader_ + "'");
        fail(Errc::TransportError, "pcsc: transmit to '" + reader_ + "': SCardTransmit returned " +
                                       std::to_string(length) + " bytes, no status word (card removed or link lost)");
    }
    response.resize(length);
    return response;
}

void PcscCard::begin_transaction() {
    check(SCardBeginTransaction(card_), "pcsc: begin transaction on '" + reader_ + "'");
}

void PcscCard::end_transaction() noexcept { SCardEndTransaction(card_, SCARD_LEAVE_CARD); }

Bytes PcscCard::atr() const {
    BYTE atr[MAX_ATR_SIZE];
    DWORD atr_len = sizeof atr;
    DWORD state = 0, protocol = 0;
    check(SCardStatus(card_, nullptr, nullptr, &state, &protocol, atr, &atr_len), "pcsc: status of '" + reader_ + "'");
    return Bytes(atr, atr + atr_len);
}

std::vector<ReaderState> ReaderMonitor::list_readers() {
    std::vector<std::string> names = context_.reader_names();
    std::vector<SCARD_READERSTATE> states(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        states[i].szReader = names[i].c_str();
        states[i].dwCurrentState = SCARD_STATE_UNAWARE;
    }
    baseline_.clear();
    if (!states.empty()) {
        check(SCardGetStatusChange(context_.handle(), 0, states.data(), static_cast<DWORD>(states.size())),
              "pcsc: reader status");
        for (const auto& s : states) baseline_.push_back(to_state(s));
    }
    have_baseline_ = true;
    return baseline_;
}

bool ReaderMonitor::wait_for_change(std::chrono::milliseconds timeout) {
    if (!have_baseline_) list_readers();
    std::vector<SCARD_READERSTATE> states(baseline_.size() + 1);
    for (std::size_t i = 0; i < baseline_.size(); ++i) {
        states[i].szReader = baseline_[i].name.c_str();
        states[i].dwCurrentState = baseline_[i].event_state & ~DWORD{SCARD_STATE_CHANGED};
    }
    states.back().szReader = kPnpReader;
    states.back().dwCurrentState = static_cast<DWORD>(baseline_.size()) << 16;
    const LONG rv = SCardGetStatusChange(context_.handle(), static_cast<DWORD>(timeout.count()), states.data(),
                                         static_cast<DWORD>(states.size()));
    if (rv == SCARD_E_TIMEOUT) return false;
    // A reader that vanished while we waited: the list below no longer has it, which is the change.
    if (rv != SCARD_E_UNKNOWN_READER && rv != SCARD_E_READER_UNAVAILABLE) check(rv, "pcsc: wait for reader changes");
    list_readers();
    return true;
}

}  // namespace lpad::pcsc
