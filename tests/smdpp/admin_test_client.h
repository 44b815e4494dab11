// SPDX-License-Identifier: Apache-2.0
// Test-only client of the admin interface (/admin/...): over the SM-DP+'s HTTPS listener (verified against the
// test CI and the host name, like the LPA) or over the plain-HTTP --admin-port listener.
#pragma once

#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#include <doctest/doctest.h>
#include <httplib.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/smdpp/smdpp_test_client.h"

namespace lpad::smdpp::testing {

struct AdminAnswer {
    int status = 0;
    nlohmann::json body;  // null when the body is not JSON
    std::string text;
};

class AdminClient {
public:
    // HTTPS to kHost:port, the name pinned to `peer_address`, certificate and host name verified.
    static AdminClient https(int port, const std::string& peer_address = "127.0.0.1", const std::string& host = kHost) {
        auto c = std::make_unique<httplib::SSLClient>(host, port);
        c->set_hostname_addr_map({{host, peer_address}});
        c->set_ca_cert_path((pki_dir() + "/trust/test-ci.pem").c_str());
        c->enable_server_certificate_verification(true);
        return AdminClient(std::move(c));
    }
    // Plain HTTP (the --admin-port listener).
    static AdminClient http(int port) { return AdminClient(std::make_unique<httplib::ClientImpl>("127.0.0.1", port)); }

    AdminAnswer get(const std::string& path) { return answer(client_->Get(path), path); }
    AdminAnswer del(const std::string& path) { return answer(client_->Delete(path), path); }
    AdminAnswer post(const std::string& path, const std::string& body) {
        return answer(client_->Post(path, body, "application/json"), path);
    }
    AdminAnswer post(const std::string& path, const nlohmann::json& body) { return post(path, body.dump()); }
    AdminAnswer post(const std::string& path, const char* body) { return post(path, std::string(body)); }
    // The transport error of a request expected to fail (e.g. certificate refused); Success if it did not fail.
    httplib::Error error_of_get(const std::string& path) { return client_->Get(path).error(); }

private:
    explicit AdminClient(std::unique_ptr<httplib::ClientImpl> c) : client_(std::move(c)) {
        client_->set_connection_timeout(10, 0);
        client_->set_read_timeout(20, 0);
    }
    static AdminAnswer answer(const httplib::Result& r, const std::string& path) {
        if (!r) FAIL("admin request " << path << " failed: " << httplib::to_string(r.error()));
        AdminAnswer a;
        if (!r) return a;
        a.status = r->status;
        a.text = r->body;
        a.body = nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
        if (a.body.is_discarded()) a.body = nullptr;
        return a;
    }
    std::unique_ptr<httplib::ClientImpl> client_;
};

}  // namespace lpad::smdpp::testing
