// SPDX-License-Identifier: Apache-2.0
// CurlHttpClient honours https_proxy from the environment (HTTP CONNECT tunnel), TLS still verified end to end.
#include <doctest/doctest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>

#include "lpad/es9p/curl_http_client.h"
#include "unit/es9p/tls_fixture.h"

using namespace lpad::es9p;

namespace {

// A one-connection HTTP CONNECT proxy that tunnels to 127.0.0.1:<target_port> whatever host was asked for.
class ConnectProxy {
public:
    // `connect_line` receives the CONNECT request line; read it after the proxy is destroyed (thread joined).
    ConnectProxy(int target_port, std::string& connect_line) : target_port_(target_port), connect_line_(connect_line) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr = loopback(0);
        socklen_t len = sizeof addr;
        REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(listen_fd_, 1) == 0);
        REQUIRE(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~ConnectProxy() {
        stop_ = true;
        ::shutdown(listen_fd_, SHUT_RDWR);
        thread_.join();
        ::close(listen_fd_);
    }
    int port() const { return port_; }

private:
    static sockaddr_in loopback(int port) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(static_cast<uint16_t>(port));
        return a;
    }

    void serve() {
        int client = ::accept(listen_fd_, nullptr, nullptr);
        if (client < 0) return;
        std::string head;
        char c;
        while (head.find("\r\n\r\n") == std::string::npos && ::read(client, &c, 1) == 1) head += c;
        connect_line_ = head.substr(0, head.find("\r\n"));
        int upstream = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in target = loopback(target_port_);
        if (::connect(upstream, reinterpret_cast<sockaddr*>(&target), sizeof target) == 0) {
            const std::string ok = "HTTP/1.1 200 Connection established\r\n\r\n";
            if (::write(client, ok.data(), ok.size()) == static_cast<ssize_t>(ok.size())) pump(client, upstream);
        }
        ::close(upstream);
        ::close(client);
    }

    void pump(int a, int b) {
        pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
        char buf[16384];
        while (!stop_ && ::poll(fds, 2, 100) >= 0) {
            for (int i = 0; i < 2; ++i) {
                if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
                ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
                if (n <= 0 || ::write(fds[1 - i].fd, buf, static_cast<size_t>(n)) != n) return;
            }
        }
    }

    int target_port_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::string& connect_line_;
    std::thread thread_;
};

}  // namespace

TEST_CASE("http: https_proxy from the environment is used, with TLS verified through the tunnel") {
    testing::TestCa ca("lpad test CI");
    auto leaf = ca.issue_server("smdp.lpad.test", "DNS:smdp.lpad.test");
    testing::TestHttpsServer server(leaf);
    server.http().Post("/x", [](const httplib::Request& req, httplib::Response& res) {
        res.set_content("via proxy:" + req.body, "text/plain");
    });
    server.start();
    lpad::es9p::HttpResponse response;
    std::string connect_line;
    {
        ConnectProxy proxy(server.port(), connect_line);
        std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
        ::setenv("https_proxy", proxy_url.c_str(), 1);
        CurlOptions options;
        options.ca_pem = ca.cert_pem();
        CurlHttpClient client(options);
        // No CURLOPT_RESOLVE: only the proxy can reach "smdp.lpad.test".
        try {
            response = client.post({"https://smdp.lpad.test:" + std::to_string(server.port()) + "/x", {}, "hi"});
        } catch (...) {
            ::unsetenv("https_proxy");
            throw;
        }
        ::unsetenv("https_proxy");
    }
    CHECK(response.status == 200);
    CHECK(response.body == "via proxy:hi");
    CHECK(connect_line == "CONNECT smdp.lpad.test:" + std::to_string(server.port()) + " HTTP/1.1");
}
