// SPDX-License-Identifier: Apache-2.0
// lpad-bench-daemon: the download through the daemon (issue 16), with real processes: a private dbus-daemon, lpad
// with virtual eUICCs that count their APDUs (counters=PATH), lpactl as the client, the test SM-DP+ in this process
// over verified TLS.
//   1. The APDUs of one download through lpad, beside the same download in process (bench/scenario.h).
//   2. 1, 4, 16, ... eUICCs in one lpad, each with its own EID, all downloading at once at a card latency: the wall
//      time of each set, its ratio to one card, and the CPU time of lpad, of the SM-DP+ and of the lpactl clients.
// Exits 0 when everything worked, 1 on a functional failure, 2 on bad arguments. Never judges speed.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

#include "bench/daemon_path.h"
#include "bench/scenario.h"
#include "drivers/virtual/euicc_factory.h"
#include "libapdu/error.h"
#include "libapdu/log.h"
#include "tests/smdpp/https_front.h"
#include "tests/smdpp/smdp_server.h"

namespace {

namespace fs = std::filesystem;
using namespace lpad;
using namespace lpad::bench;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage =
    "usage: lpad-bench-daemon [--cards 1,4,16] [--latency-ms 10] [--profile NAME.der] [--pki DIR]\n"
    "                         [--client dbus|lpactl] [--lpad PATH] [--lpactl PATH] [--keep]\n"
    "  --cards LIST      eUICC counts, each a set in its own lpad, all downloading at once (default 1,4,16)\n"
    "  --latency-ms N    virtual card delay before every APDU in the sets (default 10; the APDU count: 0)\n"
    "  --profile NAME    UPP (SAIP DER) of every order (default TS48v5_SAIP2.3_NoBERTLV.der)\n"
    "  --client KIND     who asks for the downloads in the sets: dbus (default: one D-Bus connection per download\n"
    "                    in this process, calling Euicc.Download) or lpactl (one lpactl process per download)\n"
    "  --keep            keep the work directory (logs, card states)\n";
const std::string kHost = "testsmdpplus1.example.com";

struct Args {
    std::vector<unsigned> cards{1, 4, 16};
    unsigned latency_ms = 10;
    std::string profile = "TS48v5_SAIP2.3_NoBERTLV.der";
    std::string pki = LPAD_BENCH_PKI_DIR;
    std::string lpad = LPAD_BENCH_LPAD, lpactl = LPAD_BENCH_LPACTL;
    bool keep = false;
    bool lpactl_client = false;
};

unsigned number(const std::string& s) {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos)
        fail(Errc::InvalidArgument, "not a number: '" + s + "'");
    return static_cast<unsigned>(std::stoul(s));
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) fail(Errc::InvalidArgument, arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--cards") {
            a.cards.clear();
            std::string list = value();
            for (std::size_t at = 0; at <= list.size();) {
                auto comma = std::min(list.find(',', at), list.size());
                unsigned n = number(list.substr(at, comma - at));
                if (n < 1 || n > 64) fail(Errc::InvalidArgument, "--cards: 1..64 per set");
                a.cards.push_back(n);
                at = comma + 1;
            }
        } else if (arg == "--latency-ms") a.latency_ms = number(value());
        else if (arg == "--profile") a.profile = value();
        else if (arg == "--pki") a.pki = value();
        else if (arg == "--lpad") a.lpad = value();
        else if (arg == "--lpactl") a.lpactl = value();
        else if (arg == "--keep") a.keep = true;
        else if (arg == "--client") {
            std::string kind = value();
            if (kind != "dbus" && kind != "lpactl") fail(Errc::InvalidArgument, "--client: dbus or lpactl");
            a.lpactl_client = kind == "lpactl";
        }
        else fail(Errc::InvalidArgument, "unknown argument " + arg + "\n" + kUsage);
    }
    if (!fs::exists(a.profile) && a.profile.find('/') == std::string::npos)
        a.profile = std::string(LPAD_BENCH_UPP_DIR) + "/" + a.profile;
    return a;
}

// EIDs in the test EUM's permitted range (prefix 89049032), MOD 97-10 check digits.
std::string eid_for(unsigned n) {
    char body[31];
    std::snprintf(body, sizeof body, "8904903200000000000000%08u", n);
    int rem = 0;
    for (const char* c = body; *c; ++c) rem = (rem * 10 + (*c - '0')) % 97;
    rem = (rem * 100) % 97;
    const int check = 98 - rem;  // 2..98
    return std::string(body) + static_cast<char>('0' + check / 10) + static_cast<char>('0' + check % 10);
}

// Doubled digit pairs, as bench/scenario.cpp: read the same in natural and nibble-swapped order.
std::string iccid_for(unsigned n) {
    std::string s = "8844991122336677";
    for (unsigned d : {n / 10 % 10, n % 10}) s.append(2, static_cast<char>('0' + d));
    return s;
}

long delta(const std::map<std::string, long>& after, const std::map<std::string, long>& before, const char* key) {
    auto a = after.find(key), b = before.find(key);
    return (a == after.end() ? 0 : a->second) - (b == before.end() ? 0 : b->second);
}

struct Smdp {
    std::unique_ptr<smdpp::SmdpServer> server;
    std::unique_ptr<smdpp::HttpsFrontEnd> front;
    std::string address, resolve;
    unsigned orders = 0;

    explicit Smdp(const std::string& pki) {
        smdpp::ServerOptions o;
        o.address = kHost + ":0";
        server = std::make_unique<smdpp::SmdpServer>(smdpp::ServerPki::load({pki}), o);
        front = std::make_unique<smdpp::HttpsFrontEnd>(*server, "127.0.0.1", 0);
        address = kHost + ":" + std::to_string(front->port());
        resolve = address + ":127.0.0.1";
        server->set_address(address);
        front->start();
    }
    ~Smdp() { front->stop(); }
    // An order bound to `eid`; returns its activation code.
    std::string order(const std::string& eid, const std::string& profile) {
        smdpp::Order o;
        o.matching_id = "DAEMON-" + std::to_string(orders);
        o.profile_path = profile;
        o.iccid = iccid_for(orders++);
        o.eid = eid;
        server->add_order(o);
        return "LPA:1$" + address + "$" + o.matching_id;
    }
};

std::string card_uri(const DaemonPaths& p, const std::string& name, const std::string& eid, unsigned latency) {
    return "virtual:" + p.work + "/" + name + ".json?pki=" + p.pki + "&eid=" + eid +
           "&latency=" + std::to_string(latency) + "&counters=" + p.work + "/" + name + ".counters";
}

// The counters once they have not moved for a second (lpad's idle work after a reply), at most 15 s.
std::map<std::string, long> settled_counters(const std::string& path) {
    auto last = read_counters(path);
    for (auto until = Clock::now() + std::chrono::seconds(15); Clock::now() < until;) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        auto now = read_counters(path);
        if (now == last) break;
        last = now;
    }
    return last;
}

void floor_section(const Args& a, const DaemonPaths& paths, Smdp& smdp) {
    RunSettings s;
    s.profile_path = a.profile;
    Environment in_process(a.pki);
    const auto inproc = in_process.run(s).front().card;

    const std::string eid = eid_for(1);
    LpadProcess lpad(paths, {card_uri(paths, "floor", eid, 0)}, smdp.resolve, "floor");
    const std::string counters = paths.work + "/floor.counters";
    const auto before = settled_counters(counters);
    std::string out;
    if (run_lpactl(paths, {"-j", "download", smdp.order(eid, a.profile)}, out) != 0)
        fail(Errc::Internal, "the download through lpad failed: " + out);
    const auto reply = read_counters(counters);
    const auto settled = settled_counters(counters);
    lpad.stop();

    auto row = [&](const char* label, long in, const char* key) {
        std::printf("| %-26s | %10ld | %13ld | %15ld |\n", label, in, delta(reply, before, key),
                    delta(settled, before, key));
    };
    std::printf("\nDownload through lpad (%s, 0 ms/APDU, lpad's default Le 00)\n\n",
                fs::path(a.profile).stem().c_str());
    std::printf("| %-26s | %10s | %13s | %15s |\n", "", "in process", "lpad at reply", "lpad, settled");
    std::printf("|%s|%s|%s|%s|\n", std::string(28, '-').c_str(), std::string(11, '-').append(":").c_str(),
                std::string(14, '-').append(":").c_str(), std::string(16, '-').append(":").c_str());
    row("APDUs", static_cast<long>(inproc.apdus), "apdus");
    row("MANAGE CHANNEL", static_cast<long>(inproc.manage_channel), "manage_channel");
    row("SELECT", static_cast<long>(inproc.select), "select");
    row("STORE DATA", static_cast<long>(inproc.store_data), "store_data");
    row("GET RESPONSE", static_cast<long>(inproc.get_response), "get_response");
    row("bytes to the card", static_cast<long>(inproc.bytes_in), "bytes_in");
    row("bytes from the card", static_cast<long>(inproc.bytes_out), "bytes_out");
}

struct SetFigures {
    unsigned cards = 0;
    double wall_s = 0, cpu_lpad = 0, cpu_smdp = 0, cpu_lpactl = 0;
    long apdus_min = 0, apdus_max = 0;
};

SetFigures card_set(const Args& a, const DaemonPaths& paths, Smdp& smdp, unsigned n, unsigned set) {
    std::vector<std::string> uris, eids, names, codes;
    for (unsigned i = 0; i < n; ++i) {
        eids.push_back(eid_for(1000 * set + i + 1));
        names.push_back("set" + std::to_string(set) + "-card" + std::to_string(i));
        uris.push_back(card_uri(paths, names.back(), eids.back(), a.latency_ms));
    }
    LpadProcess lpad(paths, uris, smdp.resolve, "set" + std::to_string(set));
    std::vector<std::map<std::string, long>> before;
    for (unsigned i = 0; i < n; ++i) {
        before.push_back(settled_counters(paths.work + "/" + names[i] + ".counters"));
        codes.push_back(smdp.order(eids[i], a.profile));
    }
    const std::size_t notes_before = smdp.server->notifications().size();
    const double lpad0 = process_cpu_seconds(lpad.pid()), self0 = self_cpu_seconds(),
                 kids0 = children_cpu_seconds();

    std::vector<int> status(n, 0);
    std::vector<std::string> errors(n);
    Clock::time_point t0, t1;
    if (a.lpactl_client) {
        t0 = Clock::now();
        std::vector<std::unique_ptr<Child>> clients;
        for (unsigned i = 0; i < n; ++i)
            clients.push_back(std::make_unique<Child>(
                std::vector<std::string>{paths.lpactl, "--timeout", "900", "--euicc", std::to_string(i), "-j",
                                         "download", codes[i]},
                paths.work + "/" + names[i] + ".download", paths.work + "/" + names[i] + ".download"));
        for (unsigned i = 0; i < n; ++i) status[i] = clients[i]->wait();
        t1 = Clock::now();
    } else {
        // One bus connection per download, connected before the clock starts; each call blocks its own thread.
        std::vector<std::unique_ptr<sdbus::IConnection>> connections;
        std::vector<std::unique_ptr<sdbus::IProxy>> proxies;
        for (unsigned i = 0; i < n; ++i) {
            connections.push_back(sdbus::createSessionBusConnection());
            proxies.push_back(sdbus::createProxy(*connections.back(), "org.lpad.Lpad1",
                                                 "/org/lpad/Lpad1/euicc/" + std::to_string(i)));
        }
        t0 = Clock::now();
        std::vector<std::thread> threads;
        for (unsigned i = 0; i < n; ++i)
            threads.emplace_back([&, i] {
                try {
                    sdbus::ObjectPath path;
                    std::string iccid;
                    proxies[i]
                        ->callMethod("Download")
                        .onInterface("org.lpad.Lpad1.Euicc")
                        .withTimeout(std::chrono::seconds(900))
                        .withArguments(codes[i], std::map<std::string, sdbus::Variant>{})
                        .storeResultsTo(path, iccid);
                } catch (const std::exception& e) {
                    status[i] = 1;
                    errors[i] = e.what();
                }
            });
        for (auto& t : threads) t.join();
        t1 = Clock::now();
    }

    SetFigures f;
    f.cards = n;
    f.wall_s = std::chrono::duration<double>(t1 - t0).count();
    f.cpu_lpad = process_cpu_seconds(lpad.pid()) - lpad0;
    f.cpu_smdp = self_cpu_seconds() - self0;
    f.cpu_lpactl = children_cpu_seconds() - kids0;
    for (unsigned i = 0; i < n; ++i) {
        if (status[i] != 0)
            fail(Errc::Internal, "eUICC " + std::to_string(i) + ": the download failed (" +
                                     (errors[i].empty() ? paths.work + "/" + names[i] + ".download" : errors[i]) +
                                     ")");
        long apdus = delta(read_counters(paths.work + "/" + names[i] + ".counters"), before[i], "apdus");
        f.apdus_min = i == 0 ? apdus : std::min(f.apdus_min, apdus);
        f.apdus_max = std::max(f.apdus_max, apdus);
    }
    // Outside the timing: every install notification reached the SM-DP+.
    for (auto until = Clock::now() + std::chrono::seconds(60);
         smdp.server->notifications().size() < notes_before + n && Clock::now() < until;)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (smdp.server->notifications().size() < notes_before + n)
        fail(Errc::Internal, "not every install notification reached the SM-DP+");
    lpad.stop();
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    try {
        a = parse(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n" << kUsage;
        return 2;
    }
    log::set_sink([](log::Level level, std::string_view component, std::string_view message) {
        std::cerr << log::level_name(level) << " " << component << ": " << message << "\n";
    }, log::Level::Warning);
    std::string templ = (fs::temp_directory_path() / "lpad-bench-daemon.XXXXXX").string();
    if (!::mkdtemp(templ.data())) {
        std::perror("mkdtemp");
        return 1;
    }
    DaemonPaths paths{a.lpad, a.lpactl, a.pki, templ};
    int rc = 0;
    try {
        virtual_euicc::install_euicc_factory();  // the in-process comparison run
        PrivateBus bus(paths.work);
        Smdp smdp(a.pki);
        floor_section(a, paths, smdp);

        std::printf("\n%u ms per APDU, every eUICC downloading at once, client %s (%u cores online)\n\n",
                    a.latency_ms, a.lpactl_client ? "lpactl (a process per download)" : "D-Bus (a connection per download)",
                    static_cast<unsigned>(::sysconf(_SC_NPROCESSORS_ONLN)));
        std::printf("| eUICCs | wall s | x one card | APDUs per card | CPU s lpad | CPU s SM-DP+ and client | CPU s lpactl | "
                    "CPU s / wall s |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double one = 0;
        for (std::size_t i = 0; i < a.cards.size(); ++i) {
            auto f = card_set(a, paths, smdp, a.cards[i], static_cast<unsigned>(i + 1));
            if (f.cards == 1 && one == 0) one = f.wall_s;
            const double base = one;
            std::string apdus = f.apdus_min == f.apdus_max ? std::to_string(f.apdus_min)
                                                           : std::to_string(f.apdus_min) + "-" +
                                                                 std::to_string(f.apdus_max);
            std::printf("| %u | %.2f | %s | %s | %.2f | %.2f | %.2f | %.2f |\n", f.cards, f.wall_s,
                        base > 0 ? (std::to_string(f.wall_s / base).substr(0, 4)).c_str() : "-", apdus.c_str(),
                        f.cpu_lpad, f.cpu_smdp, f.cpu_lpactl,
                        (f.cpu_lpad + f.cpu_smdp + f.cpu_lpactl) / f.wall_s);
            std::fflush(stdout);
        }
    } catch (const std::exception& e) {
        std::cerr << "lpad-bench-daemon: " << e.what() << " (work directory " << paths.work << ")\n";
        rc = 1;
    }
    if (!a.keep && rc == 0) fs::remove_all(paths.work);
    else std::cerr << "work directory kept: " << paths.work << "\n";
    return rc;
}
