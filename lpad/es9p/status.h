// SPDX-License-Identifier: Apache-2.0
// ES9+/ES11 response header: header.functionExecutionStatus {status, statusCodeData} (SGP.22 §6.5.1.4, §6.5.1.3)
// and the subject/reason codes the LPA and our test servers use (SGP.22 §6.5.2 tables per function).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace lpad::es9p {

enum class ExecutionStatus { ExecutedSuccess, ExecutedWithWarning, Failed, Expired };

// "Executed-Success", "Executed-WithWarning", "Failed", "Expired".
std::string_view execution_status_name(ExecutionStatus status);

struct StatusCodeData {
    std::string subject_code;        // e.g. "8.2.6"
    std::string reason_code;         // e.g. "3.8"
    std::string subject_identifier;  // optional in JSON; empty if absent
    std::string message;             // optional in JSON; empty if absent
};

struct FunctionExecutionStatus {
    ExecutionStatus status = ExecutionStatus::ExecutedSuccess;
    std::optional<StatusCodeData> status_code_data;  // set for Failed/Expired, may be set for WithWarning
};

// Subject codes (SGP.22 §6.5.2.x "Specific status codes").
namespace subject {
inline constexpr std::string_view kEuicc = "8.1";
inline constexpr std::string_view kEid = "8.1.1";
inline constexpr std::string_view kEumCertificate = "8.1.2";
inline constexpr std::string_view kEuiccCertificate = "8.1.3";
inline constexpr std::string_view kProfile = "8.2";
inline constexpr std::string_view kProfileIccid = "8.2.1";
inline constexpr std::string_view kProfileType = "8.2.5";
inline constexpr std::string_view kMatchingId = "8.2.6";
inline constexpr std::string_view kConfirmationCode = "8.2.7";
inline constexpr std::string_view kSmdp = "8.8";
inline constexpr std::string_view kSmdpAddress = "8.8.1";
inline constexpr std::string_view kSecurityConfiguration = "8.8.2";  // no supported CI PKid
inline constexpr std::string_view kSpecificationVersion = "8.8.3";
inline constexpr std::string_view kSmdpCertificate = "8.8.4";
inline constexpr std::string_view kDownloadOrder = "8.8.5";
inline constexpr std::string_view kSmdsAddress = "8.9.1";
inline constexpr std::string_view kTransactionId = "8.10.1";
inline constexpr std::string_view kCiPublicKey = "8.11.1";
}  // namespace subject

// Reason codes (SGP.22 §6.5.2.x).
namespace reason {
inline constexpr std::string_view kNotAllowed = "1.2";             // authorisation
inline constexpr std::string_view kMandatoryElementMissing = "2.2";
inline constexpr std::string_view kUnsupported = "3.1";
inline constexpr std::string_view kAlreadyInUse = "3.3";
inline constexpr std::string_view kUnavailable = "3.7";
inline constexpr std::string_view kRefused = "3.8";
inline constexpr std::string_view kUnknown = "3.9";
inline constexpr std::string_view kInvalidAssociation = "3.10";
inline constexpr std::string_view kExecutionError = "4.2";
inline constexpr std::string_view kInsufficientMemory = "4.8";
inline constexpr std::string_view kTimeToLiveExpired = "4.10";
inline constexpr std::string_view kVerificationFailed = "6.1";
inline constexpr std::string_view kExpired = "6.3";
inline constexpr std::string_view kMaxRetriesExceeded = "6.4";
}  // namespace reason

// Client side. Reads response["header"]["functionExecutionStatus"] strictly: Error(MalformedData) naming the field
// when it is missing, of the wrong JSON type or an unknown status. `what` names the message in errors.
FunctionExecutionStatus decode_function_execution_status(const nlohmann::json& response, std::string_view what);
// Throws Error::server(subject, reason, message) for Failed/Expired (codes empty if the server sent none); logs
// Executed-WithWarning.
void check_function_execution_status(const FunctionExecutionStatus& status, std::string_view what);

// Server side. The "header" object of a response, and a complete failure response body.
nlohmann::json encode_header(const FunctionExecutionStatus& status);
nlohmann::json encode_success_header();
std::string encode_failure(std::string_view subject_code, std::string_view reason_code, std::string_view message,
                           ExecutionStatus status = ExecutionStatus::Failed, std::string_view subject_identifier = {});

}  // namespace lpad::es9p
