// SPDX-License-Identifier: Apache-2.0
#include "lpad/core/server_connector.h"

#include "libapdu/error.h"
#include "libapdu/log.h"
#include "lpad/es9p/trust.h"

namespace lpad::core {

ServerConnector::~ServerConnector() = default;

struct CurlServerConnector::Shared {
    std::mutex mutex;
    ConnectorStats stats;
};

namespace {

// Adds what one client did to the connector's totals as it goes.
class CountingClient final : public es9p::HttpClient {
public:
    CountingClient(es9p::CurlOptions options, std::shared_ptr<CurlServerConnector::Shared> shared)
        : inner_(std::move(options)), shared_(std::move(shared)) {}

    es9p::HttpResponse post(const es9p::HttpRequest& request) override {
        struct Account {
            CountingClient& c;
            es9p::HttpStats before;
            ~Account() {
                auto after = c.inner_.stats();
                std::lock_guard lock(c.shared_->mutex);
                auto& s = c.shared_->stats;
                s.requests += after.requests - before.requests;
                s.tls_handshakes += after.connects - before.connects;
                s.bytes_up += after.bytes_up - before.bytes_up;
                s.bytes_down += after.bytes_down - before.bytes_down;
            }
        } account{*this, inner_.stats()};
        return inner_.post(request);
    }

private:
    es9p::CurlHttpClient inner_;
    std::shared_ptr<CurlServerConnector::Shared> shared_;
};

}  // namespace

CurlServerConnector::CurlServerConnector(TrustSettings settings) : shared_(std::make_shared<Shared>()) {
    std::vector<es9p::TrustAnchor> anchors;
    auto add = [&](const std::string& path) {
        auto more = es9p::load_trust_anchors(path);
        anchors.insert(anchors.end(), more.begin(), more.end());
    };
    if (!settings.production_bundle.empty()) add(settings.production_bundle);
    if (settings.allow_test_ci && !settings.test_bundle.empty()) add(settings.test_bundle);
    for (const auto& p : settings.extra_bundles) add(p);
    if (anchors.empty()) fail(Errc::InvalidArgument, "no valid CI trust anchor configured");
    anchors_ = anchors.size();
    options_.ca_pem = es9p::to_pem(anchors);
    options_.connect_timeout = settings.connect_timeout;
    options_.total_timeout = settings.total_timeout;
    options_.resolve = std::move(settings.resolve);
}

std::unique_ptr<es9p::HttpClient> CurlServerConnector::connect(const std::string& address) {
    log::debug("core.http", "new HTTPS client for " + address);
    {
        std::lock_guard lock(shared_->mutex);
        ++shared_->stats.clients;
    }
    return std::make_unique<CountingClient>(options_, shared_);
}

ConnectorStats CurlServerConnector::stats() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->stats;
}

}  // namespace lpad::core
