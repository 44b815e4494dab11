// SPDX-License-Identifier: Apache-2.0
#include "lpad/es9p/status.h"

#include "libapdu/error.h"
#include "libapdu/log.h"
#include "lpad/es9p/json_fields.h"

namespace lpad::es9p {

using detail::Json;

std::string_view execution_status_name(ExecutionStatus status) {
    switch (status) {
    case ExecutionStatus::ExecutedSuccess: return "Executed-Success";
    case ExecutionStatus::ExecutedWithWarning: return "Executed-WithWarning";
    case ExecutionStatus::Failed: return "Failed";
    case ExecutionStatus::Expired: return "Expired";
    }
    return "Failed";
}

FunctionExecutionStatus decode_function_execution_status(const Json& response, std::string_view what) {
    const Json& header = detail::required(response, what, "header");
    if (!header.is_object()) fail(Errc::MalformedData, std::string(what) + ": field 'header' must be an object");
    std::string in_header = std::string(what) + " header";
    const Json& fes = detail::required(header, in_header, "functionExecutionStatus");
    if (!fes.is_object())
        fail(Errc::MalformedData, std::string(what) + ": field 'functionExecutionStatus' must be an object");

    std::string in_fes = std::string(what) + " functionExecutionStatus";
    std::string status_text = detail::required_string(fes, in_fes, "status");
    FunctionExecutionStatus out;
    bool known = false;
    for (auto s : {ExecutionStatus::ExecutedSuccess, ExecutionStatus::ExecutedWithWarning, ExecutionStatus::Failed,
                   ExecutionStatus::Expired}) {
        if (status_text == execution_status_name(s)) {
            out.status = s;
            known = true;
        }
    }
    if (!known) fail(Errc::MalformedData, in_fes + ": unknown status '" + status_text + "'");

    if (const Json* scd = detail::optional(fes, "statusCodeData")) {
        if (!scd->is_object())
            fail(Errc::MalformedData, in_fes + ": field 'statusCodeData' must be an object");
        std::string in_scd = std::string(what) + " statusCodeData";
        StatusCodeData data;
        data.subject_code = detail::required_string(*scd, in_scd, "subjectCode");
        data.reason_code = detail::required_string(*scd, in_scd, "reasonCode");
        data.subject_identifier = detail::optional_string(*scd, in_scd, "subjectIdentifier").value_or("");
        data.message = detail::optional_string(*scd, in_scd, "message").value_or("");
        out.status_code_data = std::move(data);
    }
    return out;
}

void check_function_execution_status(const FunctionExecutionStatus& status, std::string_view what) {
    const StatusCodeData none;
    const StatusCodeData& data = status.status_code_data ? *status.status_code_data : none;
    switch (status.status) {
    case ExecutionStatus::ExecutedSuccess: return;
    case ExecutionStatus::ExecutedWithWarning:
        log::warning("es9p", std::string(what) + ": Executed-WithWarning (subject " + data.subject_code + ", reason " +
                                 data.reason_code + ") " + data.message);
        return;
    case ExecutionStatus::Failed:
    case ExecutionStatus::Expired: {
        std::string message = std::string(what) + " " + std::string(execution_status_name(status.status));
        if (!data.message.empty()) message += ": " + data.message;
        throw Error::server(data.subject_code, data.reason_code, message);
    }
    }
}

Json encode_header(const FunctionExecutionStatus& status) {
    Json fes = {{"status", execution_status_name(status.status)}};
    if (status.status_code_data) {
        const StatusCodeData& d = *status.status_code_data;
        Json scd = {{"subjectCode", d.subject_code}, {"reasonCode", d.reason_code}};
        if (!d.subject_identifier.empty()) scd["subjectIdentifier"] = d.subject_identifier;
        if (!d.message.empty()) scd["message"] = d.message;
        fes["statusCodeData"] = std::move(scd);
    }
    return Json{{"functionExecutionStatus", std::move(fes)}};
}

Json encode_success_header() { return encode_header(FunctionExecutionStatus{}); }

std::string encode_failure(std::string_view subject_code, std::string_view reason_code, std::string_view message,
                           ExecutionStatus status, std::string_view subject_identifier) {
    FunctionExecutionStatus fes;
    fes.status = status;
    fes.status_code_data = StatusCodeData{std::string(subject_code), std::string(reason_code),
                                          std::string(subject_identifier), std::string(message)};
    return detail::dump(Json{{"header", encode_header(fes)}});
}

}  // namespace lpad::es9p
