// SPDX-License-Identifier: Apache-2.0
#include "drivers/pcsc/pcsc_errors.h"

#include <cstdio>
#include <iterator>

namespace lpad::pcsc {

namespace {

// Values as in pcsc-lite's pcsclite.h (and Windows winerror.h); tests compare them with the header's macros.
// Unavailable = "not there right now, try again later"; the daemon turns it into a retry, not a failure report.
constexpr PcscErrorInfo kTable[] = {
    {0x80100001, "SCARD_F_INTERNAL_ERROR", Errc::TransportError, "pcscd reported an internal error; see its log"},
    {0x80100002, "SCARD_E_CANCELLED", Errc::Cancelled, "the wait was cancelled (SCardCancel)"},
    {0x80100003, "SCARD_E_INVALID_HANDLE", Errc::Unavailable,
     "the PC/SC context or card handle is no longer valid (pcscd restarted?)"},
    {0x80100004, "SCARD_E_INVALID_PARAMETER", Errc::Internal, ""},
    {0x80100006, "SCARD_E_NO_MEMORY", Errc::Internal, ""},
    {0x80100008, "SCARD_E_INSUFFICIENT_BUFFER", Errc::Internal, "the card answered more than the receive buffer"},
    {0x80100009, "SCARD_E_UNKNOWN_READER", Errc::Unavailable, "the reader is gone (unplugged?); check `pcsc_scan`"},
    {0x8010000A, "SCARD_E_TIMEOUT", Errc::Timeout, ""},
    {0x8010000B, "SCARD_E_SHARING_VIOLATION", Errc::Busy,
     "another program holds the card exclusively or in a transaction; retry, or stop that program"},
    {0x8010000C, "SCARD_E_NO_SMARTCARD", Errc::Unavailable, "no card in the reader; insert the eUICC"},
    {0x8010000F, "SCARD_E_PROTO_MISMATCH", Errc::TransportError,
     "the card speaks neither T=0 nor T=1 as requested; check the reader and card"},
    {0x80100010, "SCARD_E_NOT_READY", Errc::Unavailable, "the reader or card is not ready; retry"},
    {0x80100011, "SCARD_E_INVALID_VALUE", Errc::Internal, ""},
    {0x80100012, "SCARD_E_SYSTEM_CANCELLED", Errc::Cancelled, "the system is shutting down"},
    {0x80100013, "SCARD_F_COMM_ERROR", Errc::Unavailable,
     "lost the connection to pcscd (it stopped or restarted)"},
    {0x80100014, "SCARD_F_UNKNOWN_ERROR", Errc::TransportError, "see the pcscd log"},
    {0x80100016, "SCARD_E_NOT_TRANSACTED", Errc::TransportError,
     "the reader failed to exchange the APDU with the card (card removed, or reader/driver fault)"},
    {0x80100017, "SCARD_E_READER_UNAVAILABLE", Errc::Unavailable,
     "the reader is not available (unplugged, or its driver failed); check `pcsc_scan`"},
    {0x80100018, "SCARD_P_SHUTDOWN", Errc::Unavailable, "pcscd is shutting down"},
    {0x8010001C, "SCARD_E_CARD_UNSUPPORTED", Errc::TransportError, "the reader cannot use this card"},
    {0x8010001D, "SCARD_E_NO_SERVICE", Errc::Unavailable,
     "the PC/SC daemon is not running: start pcscd (systemctl start pcscd.socket) and check its socket"},
    {0x8010001E, "SCARD_E_SERVICE_STOPPED", Errc::Unavailable, "pcscd stopped; restart it"},
    {0x8010001F, "SCARD_E_UNSUPPORTED_FEATURE", Errc::TransportError, "the reader does not support this"},
    {0x8010002E, "SCARD_E_NO_READERS_AVAILABLE", Errc::Unavailable,
     "no readers available: is pcscd running and the reader plugged in? (check with `pcsc_scan`)"},
    {0x8010002F, "SCARD_E_COMM_DATA_LOST", Errc::TransportError, "communication with the card failed; retry"},
    {0x80100031, "SCARD_E_SERVER_TOO_BUSY", Errc::Busy, "pcscd is too busy; retry"},
    {0x80100065, "SCARD_W_UNSUPPORTED_CARD", Errc::TransportError, "the reader cannot talk to the card (ATR)"},
    {0x80100066, "SCARD_W_UNRESPONSIVE_CARD", Errc::Unavailable,
     "the card does not answer a reset; reinsert it, or it is not a working card"},
    {0x80100067, "SCARD_W_UNPOWERED_CARD", Errc::Unavailable, "the card is not powered; reinsert it"},
    {0x80100068, "SCARD_W_RESET_CARD", Errc::Unavailable,
     "another program reset the card: open logical channels are lost; retry the operation"},
    {0x80100069, "SCARD_W_REMOVED_CARD", Errc::Unavailable, "the card was removed; reinsert it and retry"},
    {0x8010006A, "SCARD_W_SECURITY_VIOLATION", Errc::PermissionDenied, "access to the reader was refused"},
};

}  // namespace

const PcscErrorInfo* find_pcsc_error(std::uint32_t code) {
    for (const auto& e : kTable)
        if (e.code == code) return &e;
    return nullptr;
}

std::string pcsc_error_name(std::uint32_t code) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08X", static_cast<unsigned>(code));
    if (const auto* e = find_pcsc_error(code)) return std::string(e->name) + " (" + hex + ")";
    return std::string("PC/SC error ") + hex;
}

Errc pcsc_errc(std::uint32_t code) {
    const auto* e = find_pcsc_error(code);
    return e ? e->errc : Errc::TransportError;
}

std::string describe_pcsc_error(std::uint32_t code, std::string_view what) {
    std::string out = std::string(what) + ": " + pcsc_error_name(code);
    if (const auto* e = find_pcsc_error(code); e && !e->hint.empty()) out += std::string(": ") + std::string(e->hint);
    return out;
}

void throw_pcsc_error(std::uint32_t code, std::string_view what) {
    throw Error(pcsc_errc(code), describe_pcsc_error(code, what));
}

PcscErrorTable pcsc_error_table() { return {std::begin(kTable), std::end(kTable)}; }

}  // namespace lpad::pcsc
