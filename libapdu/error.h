// SPDX-License-Identifier: Apache-2.0
// lpad's one error model: a typed exception that keeps the protocol codes.
//
// Every layer below the D-Bus boundary throws lpad::Error; the D-Bus adaptors convert it once, through one table,
// to `org.lpad.Lpad1.Error.<errc_name(code)>`. Messages are for people; the code and the detail fields are the API.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lpad {

enum class Errc {
    InvalidArgument,    // bad input from the user or caller (activation code, ICCID, option)
    MalformedData,      // bytes or JSON from a card, modem or server that do not parse
    CardError,          // ISO 7816 status word other than success (status_word set)
    EuiccError,         // an ES10 function answered an SGP.22 error result (euicc_function, euicc_result set)
    ServerError,        // ES9+/ES11 functionExecutionStatus Failed/Expired (subject_code, reason_code set)
    ProtocolViolation,  // a peer broke an SGP.22 rule the LPA checks (address, transactionId, CI key id ...)
    CryptoError,        // signature, MAC, certificate chain or key agreement failed
    TransportError,     // the link to the card or modem failed (driver detail in the message)
    TlsError,           // TLS handshake or verification failed
    HttpError,          // network or HTTP failure talking to a server (http_status set if one came back)
    Timeout,
    Cancelled,
    Rejected,           // the user refused (consent, confirmation code)
    NotFound,
    PermissionDenied,
    Busy,
    Unavailable,        // the card, reader or daemon is not there right now
    Internal,
};

// Stable name, also the D-Bus error suffix: "InvalidArgument", "CardError", ...
std::string_view errc_name(Errc code);

class Error : public std::runtime_error {
public:
    Error(Errc code, const std::string& message) : std::runtime_error(message), code_(code) {}

    Errc code() const { return code_; }

    // ISO 7816 status word (CardError, and TransportError when the link reported one).
    std::optional<std::uint16_t> status_word;
    // SGP.22 ES10 result code and the function that returned it (EuiccError), e.g. "EnableProfile", 2.
    std::string euicc_function;
    std::optional<int> euicc_result;
    // ES9+/ES11 statusCodeData (ServerError), e.g. subject "8.2.6", reason "3.8".
    std::string subject_code;
    std::string reason_code;
    // HTTP status when a server answered (HttpError).
    std::optional<int> http_status;

    static Error card(std::uint16_t sw, const std::string& what);
    static Error euicc(std::string_view function, int result, std::string_view result_name);
    static Error server(const std::string& subject, const std::string& reason, const std::string& message);

private:
    Errc code_;
};

[[noreturn]] inline void fail(Errc code, const std::string& message) { throw Error(code, message); }

}  // namespace lpad
