// SPDX-License-Identifier: Apache-2.0
// ServerConnector: how core reaches an SM-DP+ or SM-DS. One connect() gives one HttpClient, i.e. one TLS connection
// kept for a whole download or discovery session (RSP-NOTES "ES9+ / ES11 over HTTPS").
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lpad/es9p/curl_http_client.h"
#include "lpad/es9p/http.h"

namespace lpad::core {

class ServerConnector {
public:
    virtual ~ServerConnector();
    // A client for `address` ("host[:port]", normalized). Throws lpad::Error (InvalidArgument, ...).
    virtual std::unique_ptr<es9p::HttpClient> connect(const std::string& address) = 0;
};

// Which CIs a server's TLS certificate may chain to (RSP-NOTES "TLS trust").
struct TrustSettings {
    std::string production_bundle = "/usr/share/lpad/trust/gsma-ci-production.pem";  // empty: none
    std::string test_bundle = "/usr/share/lpad/trust/gsma-ci-test.pem";
    bool allow_test_ci = false;              // test_bundle is used only when set
    std::vector<std::string> extra_bundles;  // more PEM bundles, always trusted
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(15)};
    std::chrono::milliseconds total_timeout{std::chrono::seconds(120)};
    std::vector<std::string> resolve;        // CURLOPT_RESOLVE "host:port:address" pins
};

// Totals over every client a connector handed out (benchmarks, logs).
struct ConnectorStats {
    std::uint64_t clients = 0;
    std::uint64_t requests = 0;
    std::uint64_t tls_handshakes = 0;
    std::uint64_t bytes_up = 0;
    std::uint64_t bytes_down = 0;
};

// libcurl clients verifying against the configured CI anchors. The bundles are read once, at construction: expired
// anchors are skipped (trust.h); none left throws Error(InvalidArgument).
class CurlServerConnector final : public ServerConnector {
public:
    explicit CurlServerConnector(TrustSettings settings);
    std::unique_ptr<es9p::HttpClient> connect(const std::string& address) override;
    ConnectorStats stats() const;
    std::size_t anchor_count() const { return anchors_; }

    struct Shared;

private:
    es9p::CurlOptions options_;
    std::size_t anchors_ = 0;
    std::shared_ptr<Shared> shared_;
};

}  // namespace lpad::core
