// SPDX-License-Identifier: Apache-2.0
// lpad-bench-at: the TS.48 download through the `at:` driver and a fake CSIM modem (tests/fakes/at_modem, a pty in
// front of the virtual eUICC), against the in-process test SM-DP+ over verified HTTPS. Prints, for each per-command
// modem delay: APDUs, AT commands, bytes on the serial line (both directions) and wall time. Never judges speed.
// Exits 0 when every download worked, 1 on a functional failure, 2 on bad arguments.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "drivers/at/at_transport.h"
#include "drivers/registry.h"
#include "drivers/virtual/euicc_factory.h"
#include "libapdu/error.h"
#include "libapdu/log.h"
#include "lpad/core/card.h"
#include "lpad/core/download.h"
#include "tests/fakes/at_modem/pty_modem.h"
#include "tests/smdpp/https_front.h"
#include "tests/smdpp/smdp_server.h"

namespace {

namespace fs = std::filesystem;
using namespace lpad;

constexpr const char* kUsage =
    "usage: lpad-bench-at [--delay-ms 0,5,20] [--mode csim|ccho] [--block N] [--profile PATH.der] [--pki DIR]\n"
    "  --delay-ms LIST  the fake modem's delay before every answer, comma-separated (default 0,5,20)\n"
    "  --mode M         csim (a Quectel-like modem, default) or ccho (a Fibocom-like one)\n"
    "  --block N        STORE DATA bytes per command (default: the driver's for the mode)\n"
    "  --profile PATH   UPP to download (default TS48v5_SAIP2.3_NoBERTLV.der)\n"
    "  --pki DIR        test PKI (default: the build tree's)\n";

const std::string kHost = "testsmdpplus1.example.com";

struct Figures {
    unsigned delay_ms = 0;
    std::size_t apdus = 0, at_commands = 0, line_out = 0, line_in = 0;
    double wall_ms = 0;
};

std::vector<unsigned> numbers(const std::string& list) {
    std::vector<unsigned> out;
    for (std::size_t start = 0; start <= list.size();) {
        std::size_t comma = std::min(list.find(',', start), list.size());
        out.push_back(static_cast<unsigned>(std::stoul(list.substr(start, comma - start))));
        start = comma + 1;
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<unsigned> delays{0, 5, 20};
    std::string mode = "csim", pki = LPAD_BENCH_PKI_DIR;
    std::string profile = std::string(LPAD_BENCH_UPP_DIR) + "/TS48v5_SAIP2.3_NoBERTLV.der";
    std::optional<std::size_t> block;
    try {
        for (int i = 1; i < argc; ++i) {
            std::string a = argv[i];
            auto value = [&]() -> std::string {
                if (i + 1 >= argc) fail(Errc::InvalidArgument, a + " needs a value");
                return argv[++i];
            };
            if (a == "--delay-ms") delays = numbers(value());
            else if (a == "--mode") mode = value();
            else if (a == "--block") block = std::stoul(value());
            else if (a == "--profile") profile = value();
            else if (a == "--pki") pki = value();
            else if (a == "--help" || a == "-h") {
                std::cout << kUsage;
                return 0;
            } else fail(Errc::InvalidArgument, "unknown argument '" + a + "'");
        }
        if (mode != "csim" && mode != "ccho") fail(Errc::InvalidArgument, "--mode is csim or ccho");
        if (!fs::is_regular_file(profile)) fail(Errc::InvalidArgument, "no such profile: " + profile);
    } catch (const std::exception& e) {
        std::cerr << "lpad-bench-at: " << e.what() << "\n" << kUsage;
        return 2;
    }
    log::set_sink([](log::Level level, std::string_view component, std::string_view message) {
        std::cerr << log::level_name(level) << " " << component << ": " << message << "\n";
    }, log::Level::Warning);

    std::vector<Figures> rows;
    try {
        virtual_euicc::install_euicc_factory();
        smdpp::ServerOptions so;
        so.address = kHost + ":0";
        smdpp::SmdpServer server(smdpp::ServerPki::load({pki}), so);
        smdpp::HttpsFrontEnd front(server, "127.0.0.1", 0);
        const std::string address = kHost + ":" + std::to_string(front.port());
        server.set_address(address);
        front.start();
        core::TrustSettings t;
        t.production_bundle.clear();
        t.test_bundle = pki + "/trust/test-ci.pem";
        t.allow_test_ci = true;
        t.resolve = {address + ":127.0.0.1"};
        core::CurlServerConnector connector(t);

        const fs::path dir = fs::temp_directory_path() / ("lpad-bench-at." + std::to_string(::getpid()));
        fs::create_directories(dir);
        struct Remove {
            fs::path p;
            ~Remove() {
                std::error_code ec;
                fs::remove_all(p, ec);
            }
        } remove{dir};
        unsigned n = 0;
        for (unsigned delay : delays) {
            smdpp::Order order;
            order.matching_id = "BENCH-AT-" + std::to_string(n);
            order.profile_path = profile;
            // Doubled digit pairs read the same nibble-swapped or not (bench/scenario.cpp: iccid_for).
            order.iccid = "8844991122334455";
            for (unsigned d : {n / 10 % 10, n % 10}) order.iccid.append(2, static_cast<char>('0' + d));
            ++n;
            server.add_order(order);

            auto card = virtual_euicc::make_virtual_card(drivers::DriverUri::parse("virtual:?pki=" + pki));
            fake_at::Faults faults;
            faults.delay_ms = delay;
            fake_at::FakeModem modem(card, fake_at::Dialect::preset(mode == "csim" ? "quectel" : "fibocom"), faults);
            fake_at::PtyModem pty(modem, (dir / "modem").string());
            std::atomic<bool> stop{false};
            std::thread served([&] { pty.run(stop); });
            struct Join {
                std::atomic<bool>& stop;
                std::thread& t;
                ~Join() {
                    stop = true;
                    t.join();
                }
            } join{stop, served};

            at::AtOptions o;
            o.path = (dir / "modem").string();
            o.mode = mode == "csim" ? at::Mode::Csim : at::Mode::Ccho;
            o.block = block;
            o.lock_dir = dir.string();
            at::AtTransport transport(o);
            core::CardSession session(transport);
            const auto t0 = std::chrono::steady_clock::now();
            auto r = core::download(session, connector, "LPA:1$" + address + "$" + order.matching_id);
            session.close();
            const auto t1 = std::chrono::steady_clock::now();
            if (r.iccid != order.iccid) fail(Errc::Internal, "downloaded " + r.iccid + ", ordered " + order.iccid);
            if (modem.stats().open_channels != 0) fail(Errc::Internal, "a channel was left open");
            Figures f;
            f.delay_ms = delay;
            f.apdus = modem.stats().apdus;
            f.at_commands = transport.stats().commands;
            f.line_out = transport.stats().bytes_sent;
            f.line_in = transport.stats().bytes_received;
            f.wall_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
            rows.push_back(f);
        }
    } catch (const std::exception& e) {
        std::cerr << "lpad-bench-at: functional failure: " << e.what() << "\n";
        return 1;
    }
    std::printf("TS.48 download through at: (mode %s, %s)\n", mode.c_str(), fs::path(profile).filename().c_str());
    std::printf("%10s %8s %12s %14s %14s %10s\n", "delay/cmd", "APDUs", "AT commands", "line bytes out",
                "line bytes in", "wall s");
    for (const auto& f : rows)
        std::printf("%8u ms %8zu %12zu %14zu %14zu %10.2f\n", f.delay_ms, f.apdus, f.at_commands, f.line_out, f.line_in,
                    f.wall_ms / 1000);
    return 0;
}
