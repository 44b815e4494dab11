// SPDX-License-Identifier: Apache-2.0
// HttpClient over libcurl: HTTPS only, TLS >= 1.2 verified against the GSMA CI trust anchors (not the system's web
// CAs) plus the host name, no redirects, connect and total timeouts, one easy handle (and so one TLS connection,
// where the server keeps it alive) for every request of one client object. RSP-NOTES "TLS trust".
// Proxies from the environment (https_proxy, no_proxy) are honoured, as libcurl does by default.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lpad/es9p/http.h"

namespace lpad::es9p {

struct CurlOptions {
    // Trust anchors: a PEM bundle in memory (preferred; see trust.h to_pem()) or a PEM file. Exactly one is set.
    std::string ca_pem;
    std::string ca_file;
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(15)};
    std::chrono::milliseconds total_timeout{std::chrono::seconds(120)};  // per request
    std::size_t max_response_bytes = 32 * 1024 * 1024;  // a Bound Profile Package is well below this
    // A kept-alive connection idle for longer than this is not reused (CURLOPT_MAXAGE_CONN; libcurl compares whole
    // seconds, so 3 s reuses a connection idle for less than 4 s). Servers commonly close idle connections after
    // 5 s (Apache httpd's KeepAliveTimeout default, cpp-httplib); a request sent on such a connection as it closes
    // fails with no answer, and authenticateClient and cancelSession are never sent twice (http.h Resend). A card
    // behind a slow modem spends that long between two ES9+ calls, so those calls start on a fresh connection.
    std::chrono::seconds max_idle_reuse{3};
    // CURLOPT_RESOLVE entries "host:port:address": pins a name to an address (tests, split-horizon setups).
    std::vector<std::string> resolve;
};

struct HttpStats {
    std::uint64_t requests = 0;    // completed transfers (any HTTP status)
    std::uint64_t connects = 0;    // new connections (TCP + TLS handshakes) libcurl had to make
    std::uint64_t bytes_up = 0;    // request bodies sent
    std::uint64_t bytes_down = 0;  // response bodies received
};

class CurlHttpClient final : public HttpClient {
public:
    // Throws Error(InvalidArgument) if no trust anchors or both sources are given, Internal if libcurl fails.
    explicit CurlHttpClient(CurlOptions options);
    ~CurlHttpClient() override;
    CurlHttpClient(const CurlHttpClient&) = delete;
    CurlHttpClient& operator=(const CurlHttpClient&) = delete;

    HttpResponse post(const HttpRequest& request) override;
    HttpStats stats() const { return stats_; }

private:
    struct Handle;
    std::unique_ptr<Handle> handle_;
    CurlOptions options_;
    HttpStats stats_;
};

}  // namespace lpad::es9p
