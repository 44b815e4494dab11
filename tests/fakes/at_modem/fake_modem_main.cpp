// SPDX-License-Identifier: Apache-2.0
// lpad-fake-at-modem: a fake AT modem on a pty in front of a virtual eUICC, for the `at:` driver's tests.
//
//   lpad-fake-at-modem --card 'virtual:STATE.json?pki=DIR' --link PATH [--ready-file F] [--status F]
//                      [--dialect quectel|fibocom|sierra|generic] [--delay-ms N] [--load-delay-ms N] [--urcs]
//                      [--error-in-load N] [--silent PREFIX#N] [--stale N]
//
// --link: a symlink to the pty slave (the "port" the driver opens), removed at exit. --ready-file gets the slave's
// path once the modem serves. --status is rewritten (atomically) after every command with the counters as JSON:
// commands, apdus, errors_injected, silenced, urcs, open_channels, sessions, bytes_in, bytes_out.
// SIGTERM/SIGINT: stop, remove the link (the port "vanishes"). Exit 2 for bad arguments.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "drivers/registry.h"
#include "drivers/virtual/euicc_factory.h"
#include "tests/fakes/at_modem/pty_modem.h"

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

void write_atomically(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text;
    }
    std::rename(tmp.c_str(), path.c_str());
}

[[noreturn]] void usage(const std::string& why) {
    std::cerr << "lpad-fake-at-modem: " << why << "\n";
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace lpad;
    std::string card_uri, link, ready_file, status_file, dialect = "generic";
    fake_at::Faults faults;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(a + " needs a value");
            return argv[++i];
        };
        auto number = [&]() -> unsigned {
            std::string v = value();
            try {
                return static_cast<unsigned>(std::stoul(v));
            } catch (...) {
                usage(a + " needs a number");
            }
        };
        if (a == "--card") card_uri = value();
        else if (a == "--link") link = value();
        else if (a == "--ready-file") ready_file = value();
        else if (a == "--status") status_file = value();
        else if (a == "--dialect") dialect = value();
        else if (a == "--delay-ms") faults.delay_ms = number();
        else if (a == "--load-delay-ms") faults.load_delay_ms = number();
        else if (a == "--urcs") faults.urcs = true;
        else if (a == "--error-in-load") faults.error_in_load = number();
        else if (a == "--stale") faults.stale = number();
        else if (a == "--silent") {
            std::string v = value();
            auto hash = v.rfind('#');
            if (hash == std::string::npos) usage("--silent takes PREFIX#N");
            faults.silent = v.substr(0, hash);
            try {
                faults.silent_nth = static_cast<unsigned>(std::stoul(v.substr(hash + 1)));
            } catch (...) {
                usage("--silent takes PREFIX#N");
            }
        } else usage("unknown argument " + a);
    }
    if (card_uri.empty()) usage("--card is required");
    try {
        virtual_euicc::install_euicc_factory();
        auto card = virtual_euicc::make_virtual_card(drivers::DriverUri::parse(card_uri));
        fake_at::FakeModem modem(card, fake_at::Dialect::preset(dialect), faults);
        fake_at::PtyModem pty(modem, link);
        std::signal(SIGTERM, on_signal);
        std::signal(SIGINT, on_signal);
        std::signal(SIGPIPE, SIG_IGN);
        auto status = [&] {
            if (status_file.empty()) return;
            std::string json = modem.stats_json();
            json.insert(json.rfind('}'), ", \"bytes_in\": " + std::to_string(pty.bytes_in()) +
                                             ", \"bytes_out\": " + std::to_string(pty.bytes_out()));
            write_atomically(status_file, json);
        };
        status();
        if (!ready_file.empty()) write_atomically(ready_file, pty.slave() + "\n");
        std::cerr << "fake modem (" << dialect << ") on " << pty.slave() << (link.empty() ? "" : " as " + link) << "\n";
        pty.run(g_stop, status);
        status();
    } catch (const std::exception& e) {
        std::cerr << "lpad-fake-at-modem: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
