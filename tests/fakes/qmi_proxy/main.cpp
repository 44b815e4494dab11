// SPDX-License-Identifier: Apache-2.0
// lpad-fake-qmi-proxy: a fake qmi-proxy with a fake Qualcomm modem behind it whose UIM slot holds the virtual eUICC
// (fake_qmi_modem.h). For tests, inside a private network namespace (unshare -n).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "drivers/virtual/euicc_factory.h"
#include "drivers/virtual/virtual_transport.h"
#include "libapdu/error.h"
#include "libapdu/log.h"
#include "tests/fakes/qmi_proxy/fake_qmi_proxy.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_signal(int) { g_stop = 1; }

constexpr const char* kUsage = R"(usage: lpad-fake-qmi-proxy [options] [virtual:[/path/state.json][?param=value&...]]

  --pty LINK          serve a pseudo-terminal port instead of the socket, LINK a symlink to it (for proxy=0)
  --socket NAME       abstract socket name (default qmi-proxy, libqmi's QMI_PROXY_SOCKET_PATH)
  --device PATH       the port path clients must open (default: any)
  --imei DIGITS       the IMEI DMS Get IDs reports (default 356938035643809)
  --slots N           physical UIM slots (default 1)
  --euicc-slot N      the slot holding the virtual eUICC (default 1)
  --active-slot N     the active slot (default 1)
  --resolve-61xx      the modem fetches 61xx responses itself (GET RESPONSE) before answering Send APDU
  --fault SPEC        MESSAGE#N[+]:error=CODE|delay=MS|drop|silent (repeatable), e.g. SendApdu#40:error=0x0003
  --status FILE       keep FILE updated with the counters as JSON (clients, channels, ...)
  --ready FILE        write FILE once listening
  -v                  debug log
)";

void write_status(const std::string& path, const lpad::fake_qmi::FakeModem& modem) {
    if (path.empty()) return;
    {
        std::ofstream out(path + ".tmp");
        out << modem.counters().to_json() << "\n";
    }
    std::rename((path + ".tmp").c_str(), path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    using namespace lpad;
    fake_qmi::ModemConfig config;
    std::string socket_name = "qmi-proxy", pty, status, ready, uri_text = "virtual:";
    log::Level level = log::Level::Info;
    try {
        std::vector<std::string> args(argv + 1, argv + argc);
        for (std::size_t i = 0; i < args.size(); ++i) {
            const std::string& a = args[i];
            auto value = [&]() -> std::string {
                if (i + 1 >= args.size()) fail(Errc::InvalidArgument, a + " needs a value");
                return args[++i];
            };
            auto number = [&] { return static_cast<unsigned>(std::stoul(value())); };
            if (a == "-h" || a == "--help") {
                std::cout << kUsage;
                return 0;
            } else if (a == "-v") level = log::Level::Debug;
            else if (a == "--socket") socket_name = value();
            else if (a == "--pty") pty = value();
            else if (a == "--device") config.device = value();
            else if (a == "--imei") config.imei = value();
            else if (a == "--slots") config.slots = number();
            else if (a == "--euicc-slot") config.euicc_slot = number();
            else if (a == "--active-slot") config.active_slot = number();
            else if (a == "--resolve-61xx") config.resolve_61xx = true;
            else if (a == "--fault") config.faults.push_back(fake_qmi::Fault::parse(value()));
            else if (a == "--status") status = value();
            else if (a == "--ready") ready = value();
            else if (a.rfind("virtual:", 0) == 0) uri_text = a;
            else fail(Errc::InvalidArgument, "unknown argument '" + a + "'");
        }
    } catch (const std::exception& e) {
        std::cerr << "lpad-fake-qmi-proxy: " << e.what() << "\n" << kUsage;
        return 2;
    }
    log::set_sink([](log::Level l, std::string_view component, std::string_view message) {
        std::fprintf(stderr, "lpad-fake-qmi-proxy: %.*s: %.*s: %.*s\n", int(log::level_name(l).size()),
                     log::level_name(l).data(), int(component.size()), component.data(), int(message.size()),
                     message.data());
    }, level);
    try {
        virtual_euicc::install_euicc_factory();
        auto card = virtual_euicc::make_virtual_card(drivers::DriverUri::parse(uri_text));
        fake_qmi::FakeModem modem(card, config);
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, nullptr);
        sigaction(SIGINT, &sa, nullptr);
        std::signal(SIGPIPE, SIG_IGN);
        std::unique_ptr<fake_qmi::FakeQmiProxy> proxy;
        std::unique_ptr<fake_qmi::FakeQmiPort> port;
        if (pty.empty()) proxy = std::make_unique<fake_qmi::FakeQmiProxy>(modem, socket_name);
        else port = std::make_unique<fake_qmi::FakeQmiPort>(modem, pty);
        write_status(status, modem);
        if (!ready.empty()) std::ofstream(ready) << (pty.empty() ? "@" + socket_name : pty) << "\n";
        while (!g_stop) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            write_status(status, modem);
        }
        write_status(status, modem);
        return 0;
    } catch (const Error& e) {
        std::cerr << "lpad-fake-qmi-proxy: " << e.what() << "\n";
        return 1;
    }
}
