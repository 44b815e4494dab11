// SPDX-License-Identifier: Apache-2.0
#include "bench/daemon_path.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "libapdu/error.h"

extern char** environ;

namespace lpad::bench {
namespace {

using namespace std::chrono_literals;

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

}  // namespace

Child::Child(const std::vector<std::string>& argv, const std::string& out_file, const std::string& err_file) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string out = out_file.empty() ? "/dev/null" : out_file;
    const std::string err = err_file.empty() ? "/dev/null" : err_file;
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);  // a bare name: PATH
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        pid_ = -1;
        fail(Errc::Internal, "cannot start " + argv[0] + ": " + std::strerror(rc));
    }
}

Child::~Child() { stop(); }

bool Child::running() {
    if (pid_ < 0) return false;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == 0) return true;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    pid_ = -1;
    return false;
}

int Child::wait() {
    if (pid_ < 0) return status_;
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    pid_ = -1;
    return status_;
}

void Child::stop() {
    if (pid_ < 0) return;
    ::kill(pid_, SIGTERM);
    for (auto until = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < until;) {
        if (!running()) return;
        std::this_thread::sleep_for(20ms);
    }
    ::kill(pid_, SIGKILL);
    wait();
}

double process_cpu_seconds(pid_t pid) {
    std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');  // the command name may hold spaces
    if (close == std::string::npos) return -1;
    std::istringstream in(stat.substr(close + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && in >> field; ++i) {  // fields 14 and 15: utime, stime (clock ticks)
        if (i == 14) utime = std::stol(field);
        if (i == 15) stime = std::stol(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double self_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return seconds(u.ru_utime) + seconds(u.ru_stime);
}

double children_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_CHILDREN, &u);
    return seconds(u.ru_utime) + seconds(u.ru_stime);
}

std::map<std::string, long> read_counters(const std::string& path) {
    std::map<std::string, long> out;
    std::istringstream in(slurp(path));
    std::string name;
    long value = 0;
    while (in >> name >> value) out[name] = value;
    return out;
}

PrivateBus::PrivateBus(const std::string& work)
    : daemon_({"dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1",
               "--address=unix:path=" + work + "/bus"},
              work + "/bus.address", work + "/bus.log") {
    for (auto until = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < until;) {
        std::string text = slurp(work + "/bus.address");
        if (auto nl = text.find('\n'); nl != std::string::npos) {
            address_ = text.substr(0, nl);
            break;
        }
        std::this_thread::sleep_for(20ms);
    }
    if (address_.empty()) fail(Errc::Unavailable, "dbus-daemon did not start (see " + work + "/bus.log)");
    ::setenv("DBUS_SESSION_BUS_ADDRESS", address_.c_str(), 1);
    ::setenv("LPACTL_BUS", "session", 1);
}

int run_lpactl(const DaemonPaths& paths, const std::vector<std::string>& args, std::string& out,
               std::chrono::seconds timeout) {
    static unsigned n = 0;
    const std::string file = paths.work + "/lpactl." + std::to_string(n++) + ".out";
    std::vector<std::string> argv{paths.lpactl, "--timeout", std::to_string(timeout.count())};
    argv.insert(argv.end(), args.begin(), args.end());
    Child c(argv, file, paths.work + "/lpactl.err");
    int status = c.wait();
    out = slurp(file);
    ::unlink(file.c_str());
    return status;
}

LpadProcess::LpadProcess(const DaemonPaths& paths, const std::vector<std::string>& cards, const std::string& resolve,
                         const std::string& tag, std::chrono::seconds ready_timeout)
    : child_(
          [&] {
              std::vector<std::string> argv{paths.lpad,      "--session", "--trust",
                                            paths.pki + "/trust/test-ci.pem", "--state-dir",
                                            paths.work + "/state-" + tag, "--log-level", "warning",
                                            "--resolve", resolve};
              for (const auto& c : cards) {
                  argv.emplace_back("--card");
                  argv.push_back(c);
              }
              return argv;
          }(),
          "", paths.work + "/lpad-" + tag + ".log") {
    const auto until = std::chrono::steady_clock::now() + ready_timeout;
    for (std::size_t i = 0; i < cards.size();) {
        if (!child_.running()) fail(Errc::Internal, "lpad exited (see " + paths.work + "/lpad-" + tag + ".log)");
        std::string out;
        const bool answered =
            run_lpactl(paths, {"--euicc", std::to_string(i), "-j", "chip", "info"}, out, std::chrono::seconds(30)) == 0;
        const auto info = nlohmann::json::parse(out, nullptr, false);
        if (answered && info.is_object() && info.value("status", "") == "ok") {
            ++i;
            continue;
        }
        if (std::chrono::steady_clock::now() > until) fail(Errc::Timeout, "lpad: eUICC " + std::to_string(i) +
                                                                               " not readable in time");
        std::this_thread::sleep_for(100ms);
    }
}

}  // namespace lpad::bench
