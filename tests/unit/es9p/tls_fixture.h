// SPDX-License-Identifier: Apache-2.0
// Test-only HTTPS fixture: a throwaway CA and server certificates made with the OpenSSL API, and a cpp-httplib
// SSLServer on 127.0.0.1 (random free port) running on its own thread until the fixture is destroyed.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class SSLServer;
}

namespace lpad::es9p::testing {

struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct KeyAndCert {
    PkeyPtr key;
    X509Ptr cert;
    std::string cert_pem() const;
};

struct Validity {
    long not_before_s = -3600;       // relative to now
    long not_after_s = 24 * 3600;
};

// A self-signed CA (EC P-256) that issues TLS server certificates.
class TestCa {
public:
    explicit TestCa(const std::string& common_name, Validity validity = {});
    const KeyAndCert& ca() const { return ca_; }
    std::string cert_pem() const { return ca_.cert_pem(); }
    // SAN entries as OpenSSL config text, e.g. "DNS:smdp.lpad.test,IP:127.0.0.1".
    KeyAndCert issue_server(const std::string& common_name, const std::string& subject_alt_names,
                            Validity validity = {}) const;

private:
    KeyAndCert ca_;
};

class TestHttpsServer {
public:
    explicit TestHttpsServer(const KeyAndCert& server);
    ~TestHttpsServer();  // stops the server and joins its thread
    TestHttpsServer(const TestHttpsServer&) = delete;
    TestHttpsServer& operator=(const TestHttpsServer&) = delete;

    httplib::SSLServer& http() { return *server_; }  // register handlers before start()
    void start();
    int port() const { return port_; }

private:
    std::unique_ptr<httplib::SSLServer> server_;
    std::thread thread_;
    int port_ = 0;
};

// A TCP port on 127.0.0.1 nobody listens on (bound, then closed).
int unused_port();

}  // namespace lpad::es9p::testing
