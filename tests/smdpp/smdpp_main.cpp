// SPDX-License-Identifier: Apache-2.0
// lpad-test-smdpp: the test SM-DP+ (and SM-DS) as a program, for the demo, integration tests and other LPAs.
//
//   lpad-test-smdpp --pki DIR [--pki OVERLAY]... [--curve NIST|BRP] --address HOST[:PORT] [--smds]
//                   [--smds-address HOST[:PORT]] [--listen 127.0.0.1] [--port 0] [--orders FILE] [--state FILE]
//                   [--admin-port N] [--session-timeout SECONDS] [--ready-file FILE] [--fault SPEC]...
//                   [--log-level info]
//
// --session-timeout: an unfinished RSP session unused this long is forgotten (default 600; 1..86400); a
// "downloaded" order without an installation result goes back to "released" after it.
// --state FILE: orders, sessions, bound packages, events and notifications are saved there and read back on start;
// --orders then adds only the orders the state does not already hold (their state is kept).
// --address HOST:0 with --port 0 becomes HOST:<the port bound>. Prints "listening on ADDR:PORT" on stdout once serving (and writes PORT to --ready-file). SIGINT/SIGTERM stop it.
// Exit status: 0 after a signal, 2 for bad arguments, 1 for any other failure.
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#include <httplib.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <pthread.h>
#include <thread>

#include "libapdu/error.h"
#include "libapdu/log.h"
#include "tests/smdpp/https_front.h"

using namespace lpad;
using namespace lpad::smdpp;

namespace {

struct Args {
    std::vector<std::string> pki;
    std::string curve = "NIST";
    ServerOptions options;
    std::string listen = "127.0.0.1";
    int port = 0;
    std::string orders;
    int admin_port = -1;
    std::string ready_file;
    std::vector<std::string> faults;
    std::string log_level = "info";
};

[[noreturn]] void usage(const std::string& why) {
    std::cerr << "lpad-test-smdpp: " << why << "\n"
              << "usage: lpad-test-smdpp --pki DIR [--pki OVERLAY]... [--curve NIST|BRP] --address HOST[:PORT]\n"
              << "       [--smds] [--smds-address A] [--listen ADDR] [--port N] [--orders FILE] [--state FILE]\n"
              << "       [--admin-port N] [--session-timeout SECONDS] [--ready-file FILE] [--fault SPEC]...\n"
              << "       [--log-level LEVEL]\n";
    std::exit(2);
}

Args parse(int argc, char** argv) {
    Args a;
    a.options.smds = false;
    for (int i = 1; i < argc; ++i) {
        std::string opt = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(opt + " needs a value");
            return argv[++i];
        };
        auto number = [&](int low = 0, int high = 65535, const char* what = "a port number") {
            std::string v = value();
            try {
                std::size_t used = 0;
                int n = std::stoi(v, &used);
                if (used != v.size() || n < low || n > high) throw std::out_of_range(v);
                return n;
            } catch (const std::exception&) {
                usage(opt + ": not " + what + ": " + v);
            }
        };
        if (opt == "--pki") a.pki.push_back(value());
        else if (opt == "--curve") a.curve = value();
        else if (opt == "--address") a.options.address = value();
        else if (opt == "--smds") a.options.smds = true;
        else if (opt == "--smds-address") a.options.smds_address = value();
        else if (opt == "--listen") a.listen = value();
        else if (opt == "--port") a.port = number();
        else if (opt == "--orders") a.orders = value();
        else if (opt == "--state") a.options.state_file = value();
        else if (opt == "--admin-port") a.admin_port = number();
        else if (opt == "--session-timeout")
            a.options.session_timeout = std::chrono::seconds(number(1, 86400, "a number of seconds (1..86400)"));
        else if (opt == "--ready-file") a.ready_file = value();
        else if (opt == "--fault") a.faults.push_back(value());
        else if (opt == "--log-level") a.log_level = value();
        else if (opt == "-h" || opt == "--help") usage("help");
        else usage("unknown option " + opt);
    }
    if (a.pki.empty()) usage("--pki is required");
    if (a.options.address.empty()) usage("--address is required");
    return a;
}

void write_ready_file(const std::string& path, int port) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << port << '\n';
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace

int main(int argc, char** argv) {
    Args args = parse(argc, argv);
    try {
        log::set_sink([](log::Level level, std::string_view component, std::string_view message) {
            std::fprintf(stderr, "%s %.*s: %.*s\n", std::string(log::level_name(level)).c_str(),
                         static_cast<int>(component.size()), component.data(), static_cast<int>(message.size()),
                         message.data());
        }, log::parse_level(args.log_level));
        std::vector<Fault> faults;
        for (const auto& f : args.faults) faults.push_back(Fault::parse(f));

        // Signals are taken by one thread with sigwait; block them before any other thread exists.
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);

        SmdpServer server(ServerPki::load(args.pki, args.curve), args.options);
        if (!args.orders.empty())
            for (auto& o : load_orders(args.orders))
                if (!server.order(o.matching_id)) server.add_order(std::move(o));
        for (auto& f : faults) server.add_fault(std::move(f));

        HttpsFrontEnd front(server, args.listen, args.port);
        std::unique_ptr<httplib::Server> admin;
        std::thread admin_thread;
        if (args.admin_port >= 0) {
            // A plain-HTTP admin listener on loopback, serving only /admin/.
            admin = std::make_unique<httplib::Server>();
            auto handler = [&server](const httplib::Request& req, httplib::Response& res) {
                HttpCall call{req.method, req.path, req.body, std::nullopt, is_loopback_peer(req.remote_addr)};
                if (call.path.rfind("/admin/", 0) != 0) {
                    res.status = 404;
                    return;
                }
                HttpReply reply = server.handle(call);
                res.status = reply.status;
                res.set_content(reply.body, reply.content_type.c_str());
            };
            admin->Get(R"(/.*)", handler);
            admin->Post(R"(/.*)", handler);
            admin->Delete(R"(/.*)", handler);
            int p = args.admin_port == 0 ? admin->bind_to_any_port("127.0.0.1")
                                         : (admin->bind_to_port("127.0.0.1", args.admin_port) ? args.admin_port : -1);
            if (p <= 0) fail(Errc::Unavailable, "cannot listen on the admin port");
            std::cout << "admin on 127.0.0.1:" << p << std::endl;
            admin_thread = std::thread([&admin] { admin->listen_after_bind(); });
        }
        // An address ending in ":0" takes the port the listener got.
        const std::string& address = server.options().address;
        if (address.size() > 2 && address.compare(address.size() - 2, 2, ":0") == 0)
            server.set_address(address.substr(0, address.size() - 1) + std::to_string(front.port()));
        front.start();
        std::cout << "listening on " << args.listen << ":" << front.port() << std::endl;
        if (!args.ready_file.empty()) write_ready_file(args.ready_file, front.port());

        int sig = 0;
        sigwait(&signals, &sig);
        log::info("smdpp", "signal " + std::to_string(sig) + ": stopping");
        front.stop();
        if (admin) {
            admin->stop();
            admin_thread.join();
        }
        return 0;
    } catch (const Error& e) {
        std::cerr << "lpad-test-smdpp: " << e.what() << "\n";
        return e.code() == Errc::InvalidArgument ? 2 : 1;
    }
}
