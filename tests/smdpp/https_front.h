// SPDX-License-Identifier: Apache-2.0
// The HTTPS front end of the test SM-DP+: a cpp-httplib SSLServer presenting CERT.DP.TLS (and its issuing CI as
// the chain, SGP.22 §2.6.6), TLS >= 1.2, that turns every request into an SmdpServer::handle() call.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "tests/smdpp/smdp_server.h"

namespace httplib {
class SSLServer;
}

namespace lpad::smdpp {

// True for a peer address (as the socket reports it, numeric) on loopback: 127.0.0.0/8, ::1, ::ffff:127.x.
// The admin interface answers only those.
bool is_loopback_peer(const std::string& remote_addr);

class HttpsFrontEnd {
public:
    // Binds at once (port 0: a free port, see port()). `server` must outlive the front end. Throws Error
    // (TlsError for the certificate/key, Unavailable when the address cannot be bound).
    HttpsFrontEnd(SmdpServer& server, const std::string& listen_address, int port);
    ~HttpsFrontEnd();  // stop() + join
    HttpsFrontEnd(const HttpsFrontEnd&) = delete;
    HttpsFrontEnd& operator=(const HttpsFrontEnd&) = delete;

    int port() const { return port_; }
    // Serves on a background thread; returns once the accept loop runs.
    void start();
    // Serves on the calling thread until stop().
    void run();
    void stop();

private:
    SmdpServer& server_;
    std::unique_ptr<httplib::SSLServer> http_;
    std::thread thread_;
    int port_ = 0;
};

}  // namespace lpad::smdpp
