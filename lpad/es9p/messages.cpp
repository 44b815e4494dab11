// SPDX-License-Identifier: Apache-2.0
#include "lpad/es9p/messages.h"

#include "libapdu/error.h"
#include "lpad/es9p/json_fields.h"

namespace lpad::es9p {

using detail::Json;

namespace {

// Parses a response and checks its header before any other member is looked at.
Json response_object(std::string_view json, std::string_view what) {
    Json object = detail::parse_object(json, what);
    check_function_execution_status(decode_function_execution_status(object, what), what);
    return object;
}

Json with_header(const FunctionExecutionStatus& status) { return Json{{"header", encode_header(status)}}; }

std::string b64(ByteView data) { return base64_encode(data); }

}  // namespace

std::string transaction_id_hex(ByteView transaction_id) { return to_hex(transaction_id, /*upper=*/true); }

// --- InitiateAuthentication -------------------------------------------------------------------------------------

std::string InitiateAuthenticationRequest::encode() const {
    return detail::dump(Json{{"euiccChallenge", b64(euicc_challenge)},
                             {"euiccInfo1", b64(euicc_info1)},
                             {"smdpAddress", smdp_address}});
}

InitiateAuthenticationRequest InitiateAuthenticationRequest::decode(std::string_view json) {
    constexpr std::string_view what = "InitiateAuthenticationRequest";
    Json o = detail::parse_object(json, what);
    return {detail::required_base64(o, what, "euiccChallenge"), detail::required_base64(o, what, "euiccInfo1"),
            detail::required_string(o, what, "smdpAddress")};
}

std::string InitiateAuthenticationResponse::encode(const FunctionExecutionStatus& status) const {
    Json o = with_header(status);
    o["transactionId"] = transaction_id;
    o["serverSigned1"] = b64(server_signed1);
    o["serverSignature1"] = b64(server_signature1);
    o["euiccCiPKIdToBeUsed"] = b64(euicc_ci_pkid_to_be_used);
    o["serverCertificate"] = b64(server_certificate);
    return detail::dump(o);
}

InitiateAuthenticationResponse InitiateAuthenticationResponse::decode(std::string_view json) {
    constexpr std::string_view what = "InitiateAuthenticationResponse";
    Json o = response_object(json, what);
    InitiateAuthenticationResponse r;
    r.transaction_id = detail::required_transaction_id(o, what, "transactionId");
    r.server_signed1 = detail::required_base64(o, what, "serverSigned1");
    r.server_signature1 = detail::required_base64(o, what, "serverSignature1");
    r.euicc_ci_pkid_to_be_used = detail::required_base64(o, what, "euiccCiPKIdToBeUsed");
    r.server_certificate = detail::required_base64(o, what, "serverCertificate");
    return r;
}

// --- AuthenticateClient -----------------------------------------------------------------------------------------

std::string AuthenticateClientRequest::encode() const {
    return detail::dump(
        Json{{"transactionId", transaction_id}, {"authenticateServerResponse", b64(authenticate_server_response)}});
}

AuthenticateClientRequest AuthenticateClientRequest::decode(std::string_view json) {
    constexpr std::string_view what = "AuthenticateClientRequest";
    Json o = detail::parse_object(json, what);
    return {detail::required_transaction_id(o, what, "transactionId"),
            detail::required_base64(o, what, "authenticateServerResponse")};
}

std::string AuthenticateClientResponse::encode(const FunctionExecutionStatus& status) const {
    Json o = with_header(status);
    o["transactionId"] = transaction_id;
    o["profileMetadata"] = b64(profile_metadata);
    o["smdpSigned2"] = b64(smdp_signed2);
    o["smdpSignature2"] = b64(smdp_signature2);
    o["smdpCertificate"] = b64(smdp_certificate);
    return detail::dump(o);
}

AuthenticateClientResponse AuthenticateClientResponse::decode(std::string_view json) {
    constexpr std::string_view what = "AuthenticateClientResponse";
    Json o = response_object(json, what);
    AuthenticateClientResponse r;
    r.transaction_id = detail::required_transaction_id(o, what, "transactionId");
    r.profile_metadata = detail::required_base64(o, what, "profileMetadata");
    r.smdp_signed2 = detail::required_base64(o, what, "smdpSigned2");
    r.smdp_signature2 = detail::required_base64(o, what, "smdpSignature2");
    r.smdp_certificate = detail::required_base64(o, what, "smdpCertificate");
    return r;
}

// --- GetBoundProfilePackage -------------------------------------------------------------------------------------

std::string GetBoundProfilePackageRequest::encode() const {
    return detail::dump(
        Json{{"transactionId", transaction_id}, {"prepareDownloadResponse", b64(prepare_download_response)}});
}

GetBoundProfilePackageRequest GetBoundProfilePackageRequest::decode(std::string_view json) {
    constexpr std::string_view what = "GetBoundProfilePackageRequest";
    Json o = detail::parse_object(json, what);
    return {detail::required_transaction_id(o, what, "transactionId"),
            detail::required_base64(o, what, "prepareDownloadResponse")};
}

std::string GetBoundProfilePackageResponse::encode(const FunctionExecutionStatus& status) const {
    Json o = with_header(status);
    o["transactionId"] = transaction_id;
    o["boundProfilePackage"] = b64(bound_profile_package);
    return detail::dump(o);
}

GetBoundProfilePackageResponse GetBoundProfilePackageResponse::decode(std::string_view json) {
    constexpr std::string_view what = "GetBoundProfilePackageResponse";
    Json o = response_object(json, what);
    return {detail::required_transaction_id(o, what, "transactionId"),
            detail::required_base64(o, what, "boundProfilePackage")};
}

// --- HandleNotification, CancelSession --------------------------------------------------------------------------

std::string HandleNotificationRequest::encode() const {
    return detail::dump(Json{{"pendingNotification", b64(pending_notification)}});
}

HandleNotificationRequest HandleNotificationRequest::decode(std::string_view json) {
    constexpr std::string_view what = "HandleNotificationRequest";
    Json o = detail::parse_object(json, what);
    return {detail::required_base64(o, what, "pendingNotification")};
}

std::string CancelSessionRequest::encode() const {
    return detail::dump(
        Json{{"transactionId", transaction_id}, {"cancelSessionResponse", b64(cancel_session_response)}});
}

CancelSessionRequest CancelSessionRequest::decode(std::string_view json) {
    constexpr std::string_view what = "CancelSessionRequest";
    Json o = detail::parse_object(json, what);
    return {detail::required_transaction_id(o, what, "transactionId"),
            detail::required_base64(o, what, "cancelSessionResponse")};
}

FunctionExecutionStatus decode_status_only(std::string_view json, std::string_view what) {
    Json o = detail::parse_object(json, what);
    FunctionExecutionStatus status = decode_function_execution_status(o, what);
    check_function_execution_status(status, what);
    return status;
}

std::string encode_status_only(const FunctionExecutionStatus& status) { return detail::dump(with_header(status)); }

// --- ES11 -------------------------------------------------------------------------------------------------------

std::string Es11InitiateAuthenticationRequest::encode() const {
    return detail::dump(Json{{"euiccChallenge", b64(euicc_challenge)},
                             {"euiccInfo1", b64(euicc_info1)},
                             {"smdsAddress", smds_address}});
}

Es11InitiateAuthenticationRequest Es11InitiateAuthenticationRequest::decode(std::string_view json) {
    constexpr std::string_view what = "ES11 InitiateAuthenticationRequest";
    Json o = detail::parse_object(json, what);
    return {detail::required_base64(o, what, "euiccChallenge"), detail::required_base64(o, what, "euiccInfo1"),
            detail::required_string(o, what, "smdsAddress")};
}

std::string Es11AuthenticateClientResponse::encode(const FunctionExecutionStatus& status) const {
    Json o = with_header(status);
    if (transaction_id) o["transactionId"] = *transaction_id;
    Json entries = Json::array();
    for (const auto& e : event_entries)
        entries.push_back(Json{{"eventId", e.event_id}, {"rspServerAddress", e.rsp_server_address}});
    o["eventEntries"] = std::move(entries);
    return detail::dump(o);
}

Es11AuthenticateClientResponse Es11AuthenticateClientResponse::decode(std::string_view json) {
    constexpr std::string_view what = "ES11 AuthenticateClientResponse";
    Json o = response_object(json, what);
    Es11AuthenticateClientResponse r;
    if (auto id = detail::optional_string(o, what, "transactionId"))
        r.transaction_id = detail::checked_transaction_id(*id, what, "transactionId");
    const Json& entries = detail::required(o, what, "eventEntries");
    if (!entries.is_array()) fail(Errc::MalformedData, std::string(what) + ": field 'eventEntries' must be an array");
    for (std::size_t i = 0; i < entries.size(); ++i) {
        std::string in_entry = std::string(what) + " eventEntries[" + std::to_string(i) + "]";
        if (!entries[i].is_object()) fail(Errc::MalformedData, in_entry + ": must be an object");
        r.event_entries.push_back({detail::required_string(entries[i], in_entry, "eventId"),
                                   detail::required_string(entries[i], in_entry, "rspServerAddress")});
    }
    return r;
}

}  // namespace lpad::es9p
