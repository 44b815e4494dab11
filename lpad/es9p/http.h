// SPDX-License-Identifier: Apache-2.0
// The HTTP seam: one blocking POST. Es9pClient/Es11Client speak ES9+/ES11 through it; CurlHttpClient is the real
// implementation, tests substitute fakes.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lpad::es9p {

// What the client may do when a kept-alive connection it reused turns out closed before any answer arrived (the
// server, or something between, closed it as the request went out). The request may or may not have been
// processed; only the caller knows whether a second submission is harmless.
enum class Resend {
    Never,        // fail with HttpError: a second submission could act twice (the default)
    OnceOnFresh,  // send it once more, on a fresh connection, and log that it did
};

struct HttpRequest {
    std::string url;                                           // absolute https:// URL
    std::vector<std::pair<std::string, std::string>> headers;  // sent as given, in order
    std::string body;
    Resend resend = Resend::Never;
    // Caps the client's own total timeout for this request (a caller's overall deadline); absent: the client's.
    std::optional<std::chrono::milliseconds> timeout{};
};

struct HttpResponse {
    int status = 0;            // final HTTP status code
    std::string body;
    std::string content_type;  // empty if the server sent none
};

class HttpClient {
public:
    virtual ~HttpClient();

    // Sends one POST and returns the server's final answer, whatever its status (2xx, 4xx, 5xx) — except 3xx:
    // redirects are never followed and throw Error(HttpError) with http_status set.
    // Blocks until the response is complete or a timeout expires; may be called again on the same object (one
    // connection is reused where the server allows), not concurrently from two threads. A request is sent at most
    // once, or at most twice with Resend::OnceOnFresh (see there); never more.
    // Throws lpad::Error: TlsError (handshake, certificate chain or host name), Timeout (connect or total time
    // exceeded), HttpError (name resolution, connect, send/receive failure, oversized answer, 3xx),
    // InvalidArgument (a URL the client refuses, e.g. not https).
    virtual HttpResponse post(const HttpRequest& request) = 0;
};

}  // namespace lpad::es9p
