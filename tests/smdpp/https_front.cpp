// SPDX-License-Identifier: Apache-2.0
#include "tests/smdpp/https_front.h"

#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#include <httplib.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <chrono>

#include "libapdu/error.h"

namespace lpad::smdpp {

bool is_loopback_peer(const std::string& addr) {
    return addr.rfind("127.", 0) == 0 || addr == "::1" || addr.rfind("::ffff:127.", 0) == 0;
}

namespace {
constexpr std::size_t kConnectionThreads = 64;  // concurrent connections served; more wait for a free thread
}  // namespace

HttpsFrontEnd::HttpsFrontEnd(SmdpServer& server, const std::string& listen_address, int port) : server_(server) {
    const ServerPki& pki = server.pki();
    bool ctx_ok = false;
    http_ = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
        ctx_ok = SSL_CTX_use_certificate(&ctx, pki.dp_tls.cert.native()) == 1 &&
                 SSL_CTX_use_PrivateKey(&ctx, pki.dp_tls.key.native()) == 1 &&
                 SSL_CTX_check_private_key(&ctx) == 1 &&
                 SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION) == 1;
        // The chain up to (and including) the CI that issued CERT.DP.TLS, when we hold it.
        if (const x509::Certificate* ci = pki.ci_by_key_id(pki.dp_tls.cert.authority_key_id()))
            ctx_ok = ctx_ok && SSL_CTX_add1_chain_cert(&ctx, ci->native()) == 1;
        return ctx_ok;
    });
    if (!ctx_ok || !http_->is_valid()) fail(Errc::TlsError, "SM-DP+ HTTPS: the DPtls certificate or key is unusable");

    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
        HttpCall call;
        call.method = req.method;
        call.path = req.path;
        call.body = req.body;
        if (req.has_header("X-Admin-Protocol")) call.admin_protocol = req.get_header_value("X-Admin-Protocol");
        call.from_loopback = is_loopback_peer(req.remote_addr);
        HttpReply reply = server_.handle(call);
        if (reply.close_connection) {
            // Drop the connection without an answer: the client sees the TLS stream end.
            if (req.ssl) ::shutdown(SSL_get_fd(req.ssl), SHUT_RDWR);
            res.status = 500;
            return;
        }
        res.status = reply.status;
        res.set_header("X-Admin-Protocol", server_.options().admin_protocol);
        if (reply.status != 204) res.set_content(reply.body, reply.content_type.c_str());
    };
    http_->Post(R"(/.*)", handler);
    http_->Get(R"(/.*)", handler);
    http_->Delete(R"(/.*)", handler);
    // Every kept-alive connection holds one pool thread while it waits for its next request, and an LPA keeps its
    // connection through a whole download (mostly waiting on the card). httplib's default pool (8 threads on a
    // small machine) made the 9th concurrent download wait for one of the first 8 to finish (issue 16).
    http_->new_task_queue = [] { return new httplib::ThreadPool(kConnectionThreads); };
    http_->set_keep_alive_max_count(1000);
    http_->set_read_timeout(30, 0);
    http_->set_payload_max_length(4 * 1024 * 1024);
    port_ = port == 0 ? http_->bind_to_any_port(listen_address)
                      : (http_->bind_to_port(listen_address, port) ? port : -1);
    if (port_ <= 0) fail(Errc::Unavailable, "SM-DP+ HTTPS: cannot listen on " + listen_address + ":" + std::to_string(port));
}

HttpsFrontEnd::~HttpsFrontEnd() {
    stop();
    if (thread_.joinable()) thread_.join();
}

void HttpsFrontEnd::start() {
    thread_ = std::thread([this] { http_->listen_after_bind(); });
    // stop() does nothing until the accept loop runs: wait for it.
    for (int i = 0; i < 5000 && !http_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!http_->is_running()) fail(Errc::Internal, "SM-DP+ HTTPS: the server did not start");
}

void HttpsFrontEnd::run() { http_->listen_after_bind(); }

void HttpsFrontEnd::stop() {
    if (http_) http_->stop();
}

}  // namespace lpad::smdpp
