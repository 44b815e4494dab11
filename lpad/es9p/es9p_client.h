// SPDX-License-Identifier: Apache-2.0
// ES9+ (LPA -> SM-DP+) and ES11 (LPA -> SM-DS) function calls over an HttpClient (SGP.22 §6.5).
//
// Every call POSTs JSON to https://<address><path><function> with the headers of SGP.22 §6.5.1 / RSP-NOTES and
// returns the decoded response. Errors (lpad::Error):
//  - ServerError: functionExecutionStatus Failed/Expired, in a 2xx answer or in a non-2xx answer carrying a JSON
//    header (http_status is then set as well);
//  - HttpError (http_status set): a non-2xx answer without a JSON header (HTML error page, proxy refusal), a 3xx;
//  - MalformedData: a 2xx answer whose body is not the expected message;
//  - TlsError / Timeout / HttpError / InvalidArgument from the HttpClient.
// Requests and responses are logged at debug level as a summary: long binary members by size, matching-ID-like
// members (eventId, matchingId, confirmationCode ...) through log::redact().
#pragma once

#include <string>
#include <string_view>

#include "lpad/es9p/http.h"
#include "lpad/es9p/messages.h"

namespace lpad::es9p {

inline constexpr std::string_view kContentType = "application/json;charset=UTF-8";
inline constexpr std::string_view kAdminProtocol = "gsma/rsp/v2.2.0";
inline constexpr std::string_view kUserAgent = "gsma-rsp-lpad";
inline constexpr std::string_view kEs9pPath = "/gsma/rsp2/es9plus/";
// SGP.22 binds the ES11 functions to the same /gsma/rsp2/es9plus/ resource names as ES9+; deployed SM-DSs (GSMA's
// root lpa.ds.gsma.com) serve them there. Es11Client takes another path for servers that use /gsma/rsp2/es11/.
inline constexpr std::string_view kEs11DefaultPath = "/gsma/rsp2/es9plus/";
inline constexpr std::string_view kEs11AlternatePath = "/gsma/rsp2/es11/";

// "Host[:port]" as found in an activation code or EUICCConfiguredAddresses, lower-cased (RSP-NOTES: some servers
// reject upper case). Throws Error(InvalidArgument) for an empty address or one with a scheme, path, user info,
// query or white space.
std::string normalize_server_address(std::string_view address);

class Es9pClient {
public:
    // `http` must outlive the client. Throws Error(InvalidArgument) for a bad address.
    Es9pClient(HttpClient& http, std::string smdp_address);

    InitiateAuthenticationResponse initiate_authentication(const InitiateAuthenticationRequest& request);
    AuthenticateClientResponse authenticate_client(const AuthenticateClientRequest& request);
    GetBoundProfilePackageResponse get_bound_profile_package(const GetBoundProfilePackageRequest& request);
    // SGP.22 §6.5.2.4: success is HTTP 204 No Content. A 200 with an empty body or with a JSON header is accepted as
    // well (then a Failed header throws ServerError), since some servers answer so.
    void handle_notification(const HandleNotificationRequest& request);
    // Success is a header-only JSON answer; a 204 is accepted too.
    void cancel_session(const CancelSessionRequest& request);

    const std::string& address() const { return address_; }
    std::string url(std::string_view function) const;

private:
    HttpClient& http_;
    std::string address_;
};

class Es11Client {
public:
    Es11Client(HttpClient& http, std::string smds_address, std::string path = std::string(kEs11DefaultPath));

    InitiateAuthenticationResponse initiate_authentication(const Es11InitiateAuthenticationRequest& request);
    Es11AuthenticateClientResponse authenticate_client(const AuthenticateClientRequest& request);

    const std::string& address() const { return address_; }
    std::string url(std::string_view function) const;

private:
    HttpClient& http_;
    std::string address_;
    std::string path_;
};

}  // namespace lpad::es9p
