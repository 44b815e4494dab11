// SPDX-License-Identifier: Apache-2.0
#include "lpad/es9p/es9p_client.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "libapdu/error.h"
#include "libapdu/log.h"
#include "lpad/es9p/json_fields.h"

namespace lpad::es9p {

using detail::Json;

namespace {

constexpr std::string_view kLog = "es9p";

// Members whose value is (or is as good as) a matching ID or confirmation code.
constexpr std::array<std::string_view, 5> kSecretMembers = {"eventId", "matchingId", "confirmationCode",
                                                             "activationCode", "activationCodeToken"};

bool is_secret(std::string_view member) {
    return std::find(kSecretMembers.begin(), kSecretMembers.end(), member) != kSecretMembers.end();
}

void summarize(const Json& value, std::string_view member, std::string& out) {
    if (value.is_object()) {
        out += '{';
        bool first = true;
        for (const auto& [key, item] : value.items()) {
            if (!first) out += ", ";
            first = false;
            out += key + ": ";
            summarize(item, key, out);
        }
        out += '}';
    } else if (value.is_array()) {
        out += '[';
        for (std::size_t i = 0; i < value.size(); ++i) {
            if (i) out += ", ";
            summarize(value[i], member, out);
        }
        out += ']';
    } else if (value.is_string()) {
        const auto& s = value.get_ref<const std::string&>();
        if (is_secret(member)) out += log::redact(s);
        else if (s.size() > 80) out += "<" + std::to_string(s.size()) + " chars>";
        else out += detail::dump(value);
    } else {
        out += detail::dump(value);
    }
}

// A loggable, secret-free summary of a JSON body.
std::string summary(std::string_view body) {
    if (body.empty()) return "(empty)";
    Json value = Json::parse(body.begin(), body.end(), nullptr, false);
    if (value.is_discarded()) return "<" + std::to_string(body.size()) + " bytes, not JSON>";
    std::string out;
    summarize(value, {}, out);
    return out;
}

// Start of a body that is not what we expected, printable, for an error message.
std::string snippet(std::string_view body) {
    std::string out;
    for (char c : body.substr(0, 120)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '.';
    if (body.size() > 120) out += "...";
    return out;
}

// One ES9+/ES11 function call. Returns the body of a 2xx answer, or nullopt for "no content" (204, or an empty 2xx
// body) when `no_content_ok`.
std::optional<std::string> exchange(HttpClient& http, const std::string& url, std::string_view function,
                                    const std::string& body, bool no_content_ok, Resend resend) {
    HttpRequest request{url,
                        {{"Content-Type", std::string(kContentType)},
                         {"X-Admin-Protocol", std::string(kAdminProtocol)},
                         {"User-Agent", std::string(kUserAgent)}},
                        body,
                        resend};
    if (log::enabled(log::Level::Debug)) log::debug(kLog, std::string(function) + " -> " + url + " " + summary(body));
    HttpResponse response = http.post(request);
    if (log::enabled(log::Level::Debug))
        log::debug(kLog, std::string(function) + " <- HTTP " + std::to_string(response.status) + " " +
                             summary(response.body));

    if (response.status >= 200 && response.status < 300) {
        if (response.status == 204 || response.body.empty()) {
            if (no_content_ok) return std::nullopt;
            Error e(Errc::MalformedData, std::string(function) + ": HTTP " + std::to_string(response.status) +
                                             " without the expected JSON body");
            e.http_status = response.status;
            throw e;
        }
        return std::move(response.body);
    }

    // Non-2xx: a JSON header with Failed/Expired is the server's answer; anything else is an HTTP failure.
    std::optional<FunctionExecutionStatus> status;
    try {
        Json object = detail::parse_object(response.body, function);
        status = decode_function_execution_status(object, function);
    } catch (const Error&) {
    }
    if (status && (status->status == ExecutionStatus::Failed || status->status == ExecutionStatus::Expired)) {
        try {
            check_function_execution_status(*status, function);
        } catch (Error& e) {
            e.http_status = response.status;
            throw;
        }
    }
    Error e(Errc::HttpError, std::string(function) + ": HTTP " + std::to_string(response.status) +
                                 (response.content_type.empty() ? "" : " (" + response.content_type + ")") +
                                 (response.body.empty() ? "" : ": " + snippet(response.body)));
    e.http_status = response.status;
    throw e;
}

std::string make_url(const std::string& address, std::string_view path, std::string_view function) {
    return "https://" + address + std::string(path) + std::string(function);
}

}  // namespace

std::string normalize_server_address(std::string_view address) {
    if (address.empty()) fail(Errc::InvalidArgument, "empty server address");
    std::string out;
    for (char c : address) {
        auto u = static_cast<unsigned char>(c);
        bool ok = std::isalnum(u) || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']';
        if (!ok)
            fail(Errc::InvalidArgument, "server address '" + snippet(address) +
                                            "' must be host[:port] without scheme, path or spaces");
        out += static_cast<char>(std::tolower(u));
    }
    if (out.front() == ':' || out.front() == '.')
        fail(Errc::InvalidArgument, "server address '" + out + "' has no host name");
    // An optional ":port" after the host (or after "]" of an IPv6 literal): 1 to 5 digits.
    std::size_t host_end = out.front() == '[' ? out.find(']') : out.find(':');
    if (out.front() == '[' && host_end == std::string::npos)
        fail(Errc::InvalidArgument, "server address '" + out + "' has an unterminated IPv6 literal");
    if (host_end != std::string::npos && out.front() == '[') ++host_end;
    if (host_end != std::string::npos && host_end < out.size()) {
        std::string_view port = std::string_view(out).substr(host_end);
        bool ok = port.size() >= 2 && port.size() <= 6 && port[0] == ':' &&
                  std::all_of(port.begin() + 1, port.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!ok) fail(Errc::InvalidArgument, "server address '" + out + "' has a bad port");
    }
    return out;
}

// --- ES9+ -------------------------------------------------------------------------------------------------------
//
// A request whose kept-alive connection closed before any answer may or may not have been processed (http.h
// Resend). Sent once more, on a new connection, only where a second submission cannot act twice:
//   InitiateAuthentication  yes: it only opens an RSP session; an unused one expires on the server
//   AuthenticateClient      no: it binds the order (matching ID, attempts) to the session
//   GetBoundProfilePackage  yes: same transaction, same one-time key; the card installs only what the LPA loads,
//                           once, and a server that refuses the repeat answers with an error
//   HandleNotification      yes: delivery is at-least-once anyway (the LPA retries until acknowledged)
//   CancelSession           no: a repeat could only answer "unknown transaction" for a cancel that worked
// ES11: InitiateAuthentication yes, AuthenticateClient no, for the same reasons.

Es9pClient::Es9pClient(HttpClient& http, std::string smdp_address)
    : http_(http), address_(normalize_server_address(smdp_address)) {}

std::string Es9pClient::url(std::string_view function) const { return make_url(address_, kEs9pPath, function); }

InitiateAuthenticationResponse Es9pClient::initiate_authentication(const InitiateAuthenticationRequest& request) {
    auto body = exchange(http_, url("initiateAuthentication"), "ES9+.InitiateAuthentication", request.encode(), false,
                         Resend::OnceOnFresh);
    return InitiateAuthenticationResponse::decode(*body);
}

AuthenticateClientResponse Es9pClient::authenticate_client(const AuthenticateClientRequest& request) {
    auto body = exchange(http_, url("authenticateClient"), "ES9+.AuthenticateClient", request.encode(), false,
                         Resend::Never);
    return AuthenticateClientResponse::decode(*body);
}

GetBoundProfilePackageResponse Es9pClient::get_bound_profile_package(const GetBoundProfilePackageRequest& request) {
    auto body =
        exchange(http_, url("getBoundProfilePackage"), "ES9+.GetBoundProfilePackage", request.encode(), false,
                 Resend::OnceOnFresh);
    return GetBoundProfilePackageResponse::decode(*body);
}

void Es9pClient::handle_notification(const HandleNotificationRequest& request) {
    constexpr std::string_view function = "ES9+.HandleNotification";
    auto body = exchange(http_, url("handleNotification"), function, request.encode(), true, Resend::OnceOnFresh);
    if (body) decode_status_only(*body, function);
}

void Es9pClient::cancel_session(const CancelSessionRequest& request) {
    constexpr std::string_view function = "ES9+.CancelSession";
    auto body = exchange(http_, url("cancelSession"), function, request.encode(), true, Resend::Never);
    if (body) decode_status_only(*body, function);
}

// --- ES11 -------------------------------------------------------------------------------------------------------

Es11Client::Es11Client(HttpClient& http, std::string smds_address, std::string path)
    : http_(http), address_(normalize_server_address(smds_address)), path_(std::move(path)) {
    if (path_.empty() || path_.front() != '/' || path_.back() != '/')
        fail(Errc::InvalidArgument, "ES11 path '" + path_ + "' must start and end with '/'");
}

std::string Es11Client::url(std::string_view function) const { return make_url(address_, path_, function); }

InitiateAuthenticationResponse Es11Client::initiate_authentication(const Es11InitiateAuthenticationRequest& request) {
    auto body = exchange(http_, url("initiateAuthentication"), "ES11.InitiateAuthentication", request.encode(), false,
                         Resend::OnceOnFresh);
    return InitiateAuthenticationResponse::decode(*body);
}

Es11AuthenticateClientResponse Es11Client::authenticate_client(const AuthenticateClientRequest& request) {
    auto body = exchange(http_, url("authenticateClient"), "ES11.AuthenticateClient", request.encode(), false,
                         Resend::Never);
    return Es11AuthenticateClientResponse::decode(*body);
}

}  // namespace lpad::es9p
