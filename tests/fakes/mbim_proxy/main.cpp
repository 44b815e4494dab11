// SPDX-License-Identifier: Apache-2.0
// lpad-test-fake-mbim-proxy: a fake mbim-proxy with a fake MBIM modem behind it, whose card is the virtual eUICC.
// Listens where libmbim looks for mbim-proxy (the abstract unix socket "mbim-proxy"), so it must run in a private
// network namespace (unshare -n) to keep away from a real one. See fake_modem.h for what it answers.
//
//   lpad-test-fake-mbim-proxy --device PATH [--imei DIGITS] [--slots N --mapped-slot K] [--no-slot-mappings]
//       [--fault SPEC]... [--foreign-channel GROUP] [--stats FILE] [--ready-file FILE] [-v] virtual:STATE?...
//
// --stats FILE is rewritten (atomically) after every message: JSON counters and the open channels (fake_modem.h).
// SIGTERM/SIGINT stop it; the virtual eUICC's state file is kept.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

#include "drivers/registry.h"
#include "drivers/virtual/euicc_factory.h"
#include "libapdu/error.h"
#include "tests/fakes/mbim_proxy/fake_modem.h"

namespace {
volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_signal(int) { g_stop = 1; }

struct Fd {
    int fd = -1;
    explicit Fd(int f = -1) : fd(f) {}
    Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
    Fd& operator=(Fd&& o) noexcept { std::swap(fd, o.fd); return *this; }
    ~Fd() { if (fd >= 0) ::close(fd); }
};

struct Client {
    Fd fd;
    lpad::Bytes in;
    bool configured = false;
};

bool send_all(int fd, const lpad::Bytes& b) {
    std::size_t done = 0;
    while (done < b.size()) {
        ssize_t n = ::send(fd, b.data() + done, b.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

void write_stats(const std::string& path, const lpad::fake_mbim::FakeModem& modem, std::size_t clients) {
    if (path.empty()) return;
    auto j = modem.stats();
    j["clients"] = clients;
    {
        std::ofstream out(path + ".tmp");
        out << j.dump() << "\n";
    }
    std::rename((path + ".tmp").c_str(), path.c_str());
}
}  // namespace

int main(int argc, char** argv) {
    using namespace lpad;
    fake_mbim::ModemConfig config;
    std::string card_uri, stats_path, ready_file;
    std::vector<std::uint32_t> foreign;
    bool verbose = false;
    try {
        std::vector<std::string> args(argv + 1, argv + argc);
        for (std::size_t i = 0; i < args.size(); ++i) {
            const std::string& a = args[i];
            auto value = [&]() -> std::string {
                if (i + 1 >= args.size()) fail(Errc::InvalidArgument, a + " needs a value");
                return args[++i];
            };
            if (a == "--device") config.device = value();
            else if (a == "--imei") config.imei = value();
            else if (a == "--slots") config.slots = static_cast<std::uint32_t>(std::stoul(value()));
            else if (a == "--mapped-slot") config.mapped_slot = static_cast<std::uint32_t>(std::stoul(value()));
            else if (a == "--no-slot-mappings") config.slot_mappings = false;
            else if (a == "--fault") config.faults.push_back(fake_mbim::Fault::parse(value()));
            else if (a == "--foreign-channel") foreign.push_back(static_cast<std::uint32_t>(std::stoul(value())));
            else if (a == "--stats") stats_path = value();
            else if (a == "--ready-file") ready_file = value();
            else if (a == "-v") verbose = true;
            else if (a.rfind("virtual:", 0) == 0) card_uri = a;
            else fail(Errc::InvalidArgument, "unknown argument " + a);
        }
        if (config.device.empty() || card_uri.empty()) fail(Errc::InvalidArgument, "--device and a virtual: URI are needed");
    } catch (const std::exception& e) {
        std::cerr << "lpad-test-fake-mbim-proxy: " << e.what() << "\n";
        return 2;
    }
    try {
        virtual_euicc::install_euicc_factory();
        auto card = virtual_euicc::make_virtual_card(drivers::DriverUri::parse(card_uri));
        fake_mbim::FakeModem modem(config, card);
        for (auto g : foreign) modem.open_foreign_channel(g);

        Fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        const char name[] = "mbim-proxy";  // abstract: leading NUL (libmbim's MBIM_PROXY_SOCKET_PATH)
        std::memcpy(addr.sun_path + 1, name, sizeof name - 1);
        const socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + sizeof name - 1);
        if (listener.fd < 0 || ::bind(listener.fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
            ::listen(listener.fd, 8) != 0)
            fail(Errc::Unavailable, std::string("cannot listen on @mbim-proxy: ") + std::strerror(errno));
        std::signal(SIGTERM, on_signal);
        std::signal(SIGINT, on_signal);
        write_stats(stats_path, modem, 0);
        if (!ready_file.empty()) std::ofstream(ready_file) << "ready\n";

        std::vector<Client> clients;
        while (!g_stop) {
            std::vector<pollfd> fds{{listener.fd, POLLIN, 0}};
            for (auto& c : clients) fds.push_back({c.fd.fd, POLLIN, 0});
            if (::poll(fds.data(), fds.size(), 500) < 0) {
                if (errno == EINTR) continue;
                fail(Errc::Internal, std::string("poll: ") + std::strerror(errno));
            }
            if (fds[0].revents & POLLIN) {
                Fd fd(::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC));
                if (fd.fd >= 0) clients.push_back(Client{std::move(fd), {}, false});
                if (verbose) std::cerr << "fake-mbim: client connected\n";
            }
            std::vector<std::size_t> gone;
            for (std::size_t i = 0; i + 1 < fds.size(); ++i) {
                if (!(fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                Client& c = clients[i];
                std::uint8_t buf[4096];
                ssize_t n = ::recv(c.fd.fd, buf, sizeof buf, 0);
                if (n <= 0) {
                    gone.push_back(i);
                    continue;
                }
                c.in.insert(c.in.end(), buf, buf + n);
                bool hang_up = false;
                try {
                    while (auto length = fake_mbim::message_length(c.in)) {
                        if (c.in.size() < *length) break;
                        auto m = fake_mbim::decode(ByteView(c.in.data(), *length));
                        c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(*length));
                        fake_mbim::Reply r = modem.handle(m, c.configured);
                        if (verbose) std::cerr << "fake-mbim: message type " << m.type << " cid " << m.cid << "\n";
                        write_stats(stats_path, modem, clients.size());  // before the answer: a client that
                                                                         // got it finds the counters current
                        if (r.delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(r.delay_ms));
                        if (r.hang_up) { hang_up = true; break; }
                        if (r.message && !send_all(c.fd.fd, *r.message)) { hang_up = true; break; }
                    }
                } catch (const std::exception& e) {
                    std::cerr << "fake-mbim: bad message from a client: " << e.what() << "\n";
                    hang_up = true;
                }
                if (hang_up) gone.push_back(i);
            }
            for (auto it = gone.rbegin(); it != gone.rend(); ++it) clients.erase(clients.begin() + static_cast<std::ptrdiff_t>(*it));
            write_stats(stats_path, modem, clients.size());
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "lpad-test-fake-mbim-proxy: " << e.what() << "\n";
        return 1;
    }
}
