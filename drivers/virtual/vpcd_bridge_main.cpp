// SPDX-License-Identifier: Apache-2.0
// lpad-vpcd-bridge: put the virtual eUICC into vsmartcard's virtual reader (vpcd), so pcscd and any PC/SC program
// (lpac, pcsc_scan, pySim) see it as a card. See vpcd.h for the protocol.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/virtual/euicc_factory.h"
#include "drivers/virtual/virtual_transport.h"
#include "drivers/virtual/vpcd.h"
#include "libapdu/error.h"
#include "libapdu/log.h"

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) { g_stop.store(true); }

constexpr std::string_view kUsage = R"(usage: lpad-vpcd-bridge [options] [virtual:[/path/state.json][?param=value&...]]

Connects the virtual eUICC to vsmartcard's vpcd reader (pcscd driver libifdvpcd).

  --host HOST       vpcd host (default 127.0.0.1)
  --port PORT       vpcd port of slot 0 (default 35963)
  --slot N          reader slot: connects to PORT + N (default 0)
  --once            exit when the first connection ends (tests)
  --latency MS      delay every APDU by MS milliseconds
  --block N         largest STORE DATA block the card accepts (default 255)
  --chunk N         response bytes per APDU before 61xx (default 256)
  --channels N      basic + logical channels (default 4)
  --aid HEX         ISD-R AID (default A0000005591010FFFFFFFF8900000100)
  --atr HEX         ATR (default 3B80800101)
  --drop-at N       drop the link (disconnect) at APDU number N
  --fault SPEC      fault injection, e.g. drop@12, 6A88@PrepareDownload#2, 6F00@5+
  -v, --verbose     log debug messages
  -h, --help        this text

Options override the same parameters of the virtual: URI. Exit status: 0 stopped, 1 failed, 2 usage.
)";

int usage_error(const std::string& message) {
    std::cerr << "lpad-vpcd-bridge: " << message << "\n" << kUsage;
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace lpad;
    std::vector<std::string> args(argv + 1, argv + argc);
    vpcd::BridgeOptions options;
    std::string uri_text = "virtual:";
    std::vector<std::pair<std::string, std::string>> overrides;
    long slot = 0;
    log::Level level = log::Level::Info;
    try {
        for (std::size_t i = 0; i < args.size(); ++i) {
            const std::string& a = args[i];
            auto value = [&]() -> std::string {
                if (i + 1 >= args.size()) fail(Errc::InvalidArgument, a + " needs a value");
                return args[++i];
            };
            auto number = [&](long min, long max) {
                std::string v = value();
                char* end = nullptr;
                long n = std::strtol(v.c_str(), &end, 10);
                if (v.empty() || *end != '\0' || n < min || n > max)
                    fail(Errc::InvalidArgument, a + " must be a number from " + std::to_string(min) + " to " +
                                                    std::to_string(max));
                return n;
            };
            if (a == "-h" || a == "--help") {
                std::cout << kUsage;
                return 0;
            } else if (a == "-v" || a == "--verbose") {
                level = log::Level::Debug;
            } else if (a == "--host") {
                options.host = value();
            } else if (a == "--port") {
                options.port = static_cast<std::uint16_t>(number(1, 65535));
            } else if (a == "--slot") {
                slot = number(0, 15);
            } else if (a == "--once") {
                options.once = true;
            } else if (a == "--latency" || a == "--block" || a == "--chunk" || a == "--channels" || a == "--aid" ||
                       a == "--atr" || a == "--fault") {
                overrides.emplace_back(a.substr(2), value());
            } else if (a == "--drop-at") {
                overrides.emplace_back("drop_at", value());
            } else if (a.rfind("virtual:", 0) == 0) {
                uri_text = a;
            } else {
                return usage_error("unknown argument '" + a + "'");
            }
        }
        if (options.port + slot > 65535) fail(Errc::InvalidArgument, "--port + --slot is above 65535");
        options.port = static_cast<std::uint16_t>(options.port + slot);
    } catch (const Error& e) {
        return usage_error(e.what());
    }

    log::set_sink([](log::Level l, std::string_view component, std::string_view message) {
        std::fprintf(stderr, "lpad-vpcd-bridge: %.*s: %.*s: %.*s\n", int(log::level_name(l).size()),
                     log::level_name(l).data(), int(component.size()), component.data(), int(message.size()),
                     message.data());
    }, level);

    try {
        drivers::DriverUri uri = drivers::DriverUri::parse(uri_text);
        if (uri.scheme != "virtual") return usage_error("the card must be a virtual: URI, got " + uri_text);
        for (auto& [key, v] : overrides) uri.params[key] = v;
        virtual_euicc::install_euicc_factory();
        auto card = virtual_euicc::make_virtual_card(uri);

        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, nullptr);
        sigaction(SIGINT, &sa, nullptr);
        std::signal(SIGPIPE, SIG_IGN);

        vpcd::run_bridge(*card, options, g_stop);
        return 0;
    } catch (const Error& e) {
        std::cerr << "lpad-vpcd-bridge: " << e.what() << "\n";
        return e.code() == Errc::InvalidArgument ? 2 : 1;
    }
}
