// SPDX-License-Identifier: Apache-2.0
#include "error.h"

#include <cstdio>

namespace lpad {

std::string_view errc_name(Errc code) {
    switch (code) {
    case Errc::InvalidArgument: return "InvalidArgument";
    case Errc::MalformedData: return "MalformedData";
    case Errc::CardError: return "CardError";
    case Errc::EuiccError: return "EuiccError";
    case Errc::ServerError: return "ServerError";
    case Errc::ProtocolViolation: return "ProtocolViolation";
    case Errc::CryptoError: return "CryptoError";
    case Errc::TransportError: return "TransportError";
    case Errc::TlsError: return "TlsError";
    case Errc::HttpError: return "HttpError";
    case Errc::Timeout: return "Timeout";
    case Errc::Cancelled: return "Cancelled";
    case Errc::Rejected: return "Rejected";
    case Errc::NotFound: return "NotFound";
    case Errc::PermissionDenied: return "PermissionDenied";
    case Errc::Busy: return "Busy";
    case Errc::Unavailable: return "Unavailable";
    case Errc::Internal: return "Internal";
    }
    return "Internal";
}

Error Error::card(std::uint16_t sw, const std::string& what) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", sw);
    Error e(Errc::CardError, what + ": card answered SW " + buf);
    e.status_word = sw;
    return e;
}

Error Error::euicc(std::string_view function, int result, std::string_view result_name) {
    Error e(Errc::EuiccError, std::string(function) + " failed on the eUICC: " + std::string(result_name) + " (" +
                                  std::to_string(result) + ")");
    e.euicc_function = std::string(function);
    e.euicc_result = result;
    return e;
}

Error Error::server(const std::string& subject, const std::string& reason, const std::string& message) {
    Error e(Errc::ServerError, "server refused (subject " + subject + ", reason " + reason + ")" +
                                   (message.empty() ? "" : ": " + message));
    e.subject_code = subject;
    e.reason_code = reason;
    return e;
}

}  // namespace lpad
