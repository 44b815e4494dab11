// SPDX-License-Identifier: Apache-2.0
// lpad-bench: download, list and enable on the virtual eUICC against the in-process test SM-DP+, and print what
// they cost (APDUs by kind, bytes, HTTP requests, TLS handshakes, wall time, RSS) next to the APDU floor.
// Exits 0 when every phase worked, 1 on a functional failure, 2 on bad arguments. Never judges speed.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/report.h"
#include "lpad/core/card.h"
#include "bench/scenario.h"
#include "drivers/virtual/euicc_factory.h"
#include "libapdu/error.h"
#include "libapdu/log.h"

namespace {

namespace fs = std::filesystem;
using namespace lpad;

constexpr const char* kUsage =
    "usage: lpad-bench [--latency-ms 0,10] [--profile PATH.der ...] [--iterations N] [--block 255]\n"
    "                  [--no-le] [--json] [--pki DIR] [--card URI]\n"
    "  --latency-ms LIST  virtual card delay before every APDU, comma-separated (default 0,10)\n"
    "  --profile PATH     UPP (SAIP DER) to download; repeatable; a bare name is looked up in the test data\n"
    "                     (default TS48v5_SAIP2.3_NoBERTLV.der)\n"
    "  --iterations N     runs per setting, each on a fresh card (default 3)\n"
    "  --block N          STORE DATA data bytes per APDU, 6..255 (default 255)\n"
    "  --no-le            send STORE DATA without Le (lpad's default sends Le 00 on the last block)\n"
    "  --json             machine-readable output\n"
    "  --pki DIR          test PKI (default: the build tree's)\n"
    "  --card URI         use this card instead of a new in-process virtual eUICC per run, e.g.\n"
    "                     'pcsc:reader=Virtual PCD' (the virtual eUICC behind pcscd, vpcd and lpad-vpcd-bridge);\n"
    "                     its latency is the bridge card's own (--latency-ms does not apply)\n";

struct Args {
    std::vector<unsigned> latencies{0, 10};
    std::vector<std::string> profiles;
    unsigned iterations = 3;
    std::size_t block = 255;
    bool explicit_le = lpad::core::CardOptions{}.es10.explicit_le;
    bool json = false;
    std::string pki = LPAD_BENCH_PKI_DIR;
    std::string card_uri;
    bool latency_given = false;
};

unsigned long to_number(std::string_view s, const char* what) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos || s.size() > 9)
        fail(Errc::InvalidArgument, std::string(what) + ": not a number: '" + std::string(s) + "'");
    return std::stoul(std::string(s));
}

std::string resolve_profile(const std::string& p) {
    if (fs::exists(p) || p.find('/') != std::string::npos) return p;
    return std::string(LPAD_BENCH_UPP_DIR) + "/" + p;
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) fail(Errc::InvalidArgument, std::string(arg) + " needs a value");
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            std::exit(0);
        } else if (arg == "--latency-ms") {
            a.latency_given = true;
            a.latencies.clear();
            const std::string list = value();
            for (std::size_t start = 0; start <= list.size();) {
                const std::size_t comma = std::min(list.find(',', start), list.size());
                a.latencies.push_back(static_cast<unsigned>(
                    to_number(std::string_view(list).substr(start, comma - start), "--latency-ms")));
                start = comma + 1;
            }
        } else if (arg == "--profile") {
            a.profiles.push_back(resolve_profile(value()));
            while (i + 1 < argc && std::string_view(argv[i + 1]).rfind("--", 0) != 0)
                a.profiles.push_back(resolve_profile(argv[++i]));
        } else if (arg == "--iterations") {
            a.iterations = static_cast<unsigned>(to_number(value(), "--iterations"));
            if (a.iterations == 0) fail(Errc::InvalidArgument, "--iterations must be at least 1");
        } else if (arg == "--block") {
            a.block = to_number(value(), "--block");
            if (a.block < 6 || a.block > 255) fail(Errc::InvalidArgument, "--block must be 6..255");
        } else if (arg == "--no-le") {
            a.explicit_le = false;
        } else if (arg == "--json") {
            a.json = true;
        } else if (arg == "--pki") {
            a.pki = value();
        } else if (arg == "--card") {
            a.card_uri = value();
            if (a.card_uri.empty()) fail(Errc::InvalidArgument, "--card needs a driver URI");
        } else {
            fail(Errc::InvalidArgument, "unknown argument '" + std::string(arg) + "'");
        }
    }
    if (!a.card_uri.empty()) {
        if (a.latency_given)
            fail(Errc::InvalidArgument, "--latency-ms applies to the in-process card only, not with --card");
        a.latencies = {0};
    }
    if (a.profiles.empty()) a.profiles.push_back(resolve_profile("TS48v5_SAIP2.3_NoBERTLV.der"));
    for (const auto& p : a.profiles)
        if (!fs::is_regular_file(p)) fail(Errc::InvalidArgument, "no such profile: " + p);
    if (!fs::is_regular_file(a.pki + "/trust/test-ci.pem"))
        fail(Errc::InvalidArgument, "no test PKI in " + a.pki + " (build the test-pki target)");
    return a;
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    try {
        args = parse(argc, argv);
    } catch (const Error& e) {
        std::cerr << "lpad-bench: " << e.what() << "\n" << kUsage;
        return 2;
    }
    log::set_sink([](log::Level level, std::string_view component, std::string_view message) {
        std::cerr << log::level_name(level) << " " << component << ": " << message << "\n";
    }, log::Level::Warning);

    try {
        virtual_euicc::install_euicc_factory();
        bench::Environment env(args.pki);
        std::vector<bench::Series> all;
        for (const auto& profile : args.profiles)
            for (unsigned latency : args.latencies) {
                bench::Series s;
                s.settings = {latency, profile, args.block, args.explicit_le, args.card_uri};
                for (unsigned i = 0; i < args.iterations; ++i) s.runs.push_back(env.run(s.settings));
                if (!args.json) bench::print_table(std::cout, s);
                std::cout.flush();
                all.push_back(std::move(s));
            }
        if (args.json) bench::print_json(std::cout, all);
    } catch (const std::exception& e) {
        std::cerr << "lpad-bench: functional failure: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
