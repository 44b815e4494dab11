// SPDX-License-Identifier: Apache-2.0
// The daemon path for lpad-bench-daemon: a private dbus-daemon, lpad with virtual eUICCs (each counting its APDUs
// into a file, knob counters=PATH), and lpactl as the client, all as real processes. The test SM-DP+ runs in the
// benchmark's own process (bench/scenario.h's kind), reached by lpad over verified TLS.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace lpad::bench {

// A child process, killed (SIGTERM, then SIGKILL after 10 s) and reaped on destruction.
class Child {
public:
    // Starts argv[0] (a path, or a name looked up in PATH) with stdout and stderr appended to the given files ("" = /dev/null).
    Child(const std::vector<std::string>& argv, const std::string& out_file, const std::string& err_file);
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }
    bool running();
    // Waits for the exit; returns the exit status (128 + signal when killed).
    int wait();
    void stop();  // SIGTERM, wait (SIGKILL after 10 s)

private:
    pid_t pid_ = -1;
    int status_ = -1;
};

// CPU seconds (user + system) a running process used so far (/proc/PID/stat), -1 if unreadable.
double process_cpu_seconds(pid_t pid);
// CPU seconds of this process (all threads: the in-process SM-DP+) and of its reaped children (lpactl).
double self_cpu_seconds();
double children_cpu_seconds();

// The "name value" lines a virtual card's counters=PATH file holds; empty when absent.
std::map<std::string, long> read_counters(const std::string& path);

struct DaemonPaths {
    std::string lpad, lpactl, pki, work;  // `work`: a fresh directory for sockets, states, logs
};

// A private session-type dbus-daemon; sets DBUS_SESSION_BUS_ADDRESS and LPACTL_BUS=session in this process, so
// lpad --session and lpactl children use it.
class PrivateBus {
public:
    explicit PrivateBus(const std::string& work);
    const std::string& address() const { return address_; }

private:
    Child daemon_;
    std::string address_;
};

// lpactl ARGS... with a deadline; returns its exit status, its stdout in `out`.
int run_lpactl(const DaemonPaths& paths, const std::vector<std::string>& args, std::string& out,
               std::chrono::seconds timeout = std::chrono::seconds(600));

// lpad with these card URIs, trusting the PKI's test CI, resolving `resolve` (HOST:PORT:ADDRESS). The constructor
// waits (up to `ready_timeout`) until every eUICC reads with status "ok". Throws lpad::Error.
class LpadProcess {
public:
    LpadProcess(const DaemonPaths& paths, const std::vector<std::string>& cards, const std::string& resolve,
                const std::string& tag, std::chrono::seconds ready_timeout = std::chrono::seconds(300));
    pid_t pid() const { return child_.pid(); }
    void stop() { child_.stop(); }

private:
    Child child_;
};

}  // namespace lpad::bench
