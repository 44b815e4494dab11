// SPDX-License-Identifier: Apache-2.0
// lpactl: the command-line client of lpad (lpactl(1)). Knows only the D-Bus API (proxies generated from
// lpad/dbus/org.lpad.Lpad1.xml). Exit status: 0 ok, 1 operation failed, 2 usage, 3 timeout, 4 permission denied,
// 5 not found, 6 daemon not running.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <functional>
#include <mutex>

#include <CLI/CLI.hpp>
#include <sdbus-c++/sdbus-c++.h>

#include "libapdu/asn1.h"
#include "libapdu/error.h"
#include "lpactl/output.h"
#include "lpactl/qr_image.h"
#include "lpad_dbus_proxy.h"

namespace {

constexpr const char* kBus = "org.lpad.Lpad1";
constexpr const char* kRoot = "/org/lpad/Lpad1";
constexpr const char* kErrorPrefix = "org.lpad.Lpad1.Error.";

enum Exit { Ok = 0, Failed = 1, Usage = 2, TimedOut = 3, Denied = 4, NotFound = 5, NoDaemon = 6 };

// A failure already explained to the user, with its exit status.
struct Failure {
    int exit;
    std::string name, message;
};

// The bus answers NoReply both when our timeout expires and when lpad exits before replying (dbus-daemon:
// "... recipient disconnected ..."): the latter is a stopped daemon, not a timeout.
bool daemon_left(const std::string& name, const std::string& message) {
    return name == "org.freedesktop.DBus.Error.NoReply" && message.find("disconnected") != std::string::npos;
}

int exit_for(const std::string& name, const std::string& message) {
    auto is = [&](const char* n) { return name == std::string(kErrorPrefix) + n; };
    if (daemon_left(name, message)) return NoDaemon;
    if (is("Timeout") || name == "org.freedesktop.DBus.Error.NoReply" || name == "org.freedesktop.DBus.Error.Timeout")
        return TimedOut;
    if (is("PermissionDenied") || name == "org.freedesktop.DBus.Error.AccessDenied") return Denied;
    if (is("NotFound") || name == "org.freedesktop.DBus.Error.UnknownObject") return NotFound;
    if (is("InvalidArgument")) return Usage;
    if (name == "org.freedesktop.DBus.Error.ServiceUnknown" || name == "org.freedesktop.DBus.Error.NameHasNoOwner" ||
        name == "org.freedesktop.DBus.Error.FileNotFound" || name == "org.freedesktop.DBus.Error.NoServer" ||
        name == "org.freedesktop.DBus.Error.Disconnected")
        return NoDaemon;
    return Failed;
}

class EuiccProxy final
    : public sdbus::ProxyInterfaces<org::lpad::Lpad1::Euicc_proxy, sdbus::Properties_proxy> {
public:
    EuiccProxy(sdbus::IConnection& c, std::string path) : ProxyInterfaces(c, kBus, std::move(path)) {
        registerProxy();
    }
    ~EuiccProxy() { unregisterProxy(); }
    using ProxyInterfaces::getProxy;
    using ProgressSink = std::function<void(const std::string&, unsigned)>;

    // Signals arrive on the connection's event-loop thread: the sink is swapped and called under one mutex, so
    // clearing it waits for a running call and nothing is called after it (ProgressScope relies on this).
    void set_progress(ProgressSink sink) {
        std::lock_guard lock(progress_mutex_);
        progress_ = std::move(sink);
    }

private:
    void onPropertiesChanged(const std::string& iface, const std::map<std::string, sdbus::Variant>& changed,
                             const std::vector<std::string>&) override {
        if (iface != "org.lpad.Lpad1.Euicc") return;
        auto s = changed.find("DownloadStage");
        auto p = changed.find("DownloadPercent");
        if (s == changed.end() || p == changed.end()) return;
        std::lock_guard lock(progress_mutex_);
        if (progress_) progress_(s->second.get<std::string>(), p->second.get<uint32_t>());
    }

    std::mutex progress_mutex_;
    ProgressSink progress_;
};

// Routes download progress to `sink` while in scope; on leaving (also by exception) no call reaches it any more.
class ProgressScope {
public:
    ProgressScope(EuiccProxy& proxy, EuiccProxy::ProgressSink sink) : proxy_(proxy) { proxy_.set_progress(std::move(sink)); }
    ~ProgressScope() { proxy_.set_progress(nullptr); }
    ProgressScope(const ProgressScope&) = delete;
    ProgressScope& operator=(const ProgressScope&) = delete;

private:
    EuiccProxy& proxy_;
};

class ProfileProxy final : public sdbus::ProxyInterfaces<org::lpad::Lpad1::Profile_proxy> {
public:
    ProfileProxy(sdbus::IConnection& c, std::string path) : ProxyInterfaces(c, kBus, std::move(path)) {
        registerProxy();
    }
    ~ProfileProxy() { unregisterProxy(); }
    using ProxyInterfaces::getProxy;
};

class DownloadProxy final : public sdbus::ProxyInterfaces<org::lpad::Lpad1::Download_proxy> {
public:
    DownloadProxy(sdbus::IConnection& c, std::string path) : ProxyInterfaces(c, kBus, std::move(path)) {
        registerProxy();
    }
    ~DownloadProxy() { unregisterProxy(); }
    using ProxyInterfaces::getProxy;
};

struct Options {
    bool json = false;
    unsigned euicc = 0;
    double timeout = 300;
};

class Client {
public:
    explicit Client(const Options& o) : o_(o) {
        connection_ = connect();
        connection_->enterEventLoopAsync();
        euicc_ = std::make_unique<EuiccProxy>(*connection_, std::string(kRoot) + "/euicc/" + std::to_string(o.euicc));
        // Daemon running and eUICC known? (exit 6 / 5 otherwise)
        try {
            (void)euicc_->Index();
        } catch (const sdbus::Error& e) {
            if (e.getName() == "org.freedesktop.DBus.Error.UnknownObject" ||
                e.getName() == "org.freedesktop.DBus.Error.UnknownMethod" ||
                e.getName() == "org.freedesktop.DBus.Error.InvalidArgs")
                throw Failure{NotFound, e.getName(), "no eUICC " + std::to_string(o.euicc)};
            throw;
        }
    }
    ~Client() { connection_->leaveEventLoop(); }

    EuiccProxy& euicc() { return *euicc_; }
    sdbus::IConnection& connection() { return *connection_; }
    std::chrono::microseconds timeout() const {
        return std::chrono::microseconds(static_cast<long long>(o_.timeout * 1e6));
    }
    std::string profile_path(const std::string& iccid) {
        std::string p = std::string(kRoot) + "/euicc/" + std::to_string(o_.euicc) + "/profile/" + iccid;
        for (const auto& known : euicc_->Profiles())
            if (known == p) return p;
        throw Failure{NotFound, std::string(kErrorPrefix) + "NotFound", "no profile with ICCID " + iccid};
    }

    // LPACTL_BUS: unset or "system" = the system bus (DBUS_SYSTEM_BUS_ADDRESS overrides its address), "session"
    // = the session bus (development), or a D-Bus address such as "unix:path=/tmp/bus" (tests, private buses).
    static std::unique_ptr<sdbus::IConnection> connect() {
        const char* env = std::getenv("LPACTL_BUS");
        std::string bus = env ? env : "";
        if (bus.empty() || bus == "system") return sdbus::createSystemBusConnection();
        if (bus == "session") return sdbus::createSessionBusConnection();
        if (bus.find(':') != std::string::npos) return sdbus::createSessionBusConnectionWithAddress(bus);
        throw Failure{Usage, "", "LPACTL_BUS: expected system, session or a D-Bus address, not \"" + bus + "\""};
    }

private:
    Options o_;
    std::unique_ptr<sdbus::IConnection> connection_;
    std::unique_ptr<EuiccProxy> euicc_;
};

void print(const Options& o, const nlohmann::ordered_json& doc, const std::string& human) {
    if (o.json) std::cout << doc.dump(2) << "\n";
    else std::cout << human;
}

// `profile list` in one round trip to lpad (docs/benchmarks.md, "lpactl cold"): ObjectManager.GetManagedObjects on
// the root returns every eUICC and profile with its properties at once; the eUICC's Profiles property gives the
// order. No proxy with signal matches is created, so the bus sees only Hello besides the call.
std::vector<lpactl::Record> list_profiles_one_call(const Options& o) {
    using Properties = std::map<std::string, sdbus::Variant>;
    auto connection = Client::connect();
    auto root = sdbus::createProxy(*connection, kBus, kRoot);
    std::map<sdbus::ObjectPath, std::map<std::string, Properties>> objects;
    root->callMethod("GetManagedObjects").onInterface("org.freedesktop.DBus.ObjectManager")
        .withTimeout(std::chrono::microseconds(static_cast<long long>(o.timeout * 1e6))).storeResultsTo(objects);
    auto euicc = objects.find(sdbus::ObjectPath(std::string(kRoot) + "/euicc/" + std::to_string(o.euicc)));
    if (euicc == objects.end() || !euicc->second.count("org.lpad.Lpad1.Euicc"))
        throw Failure{NotFound, "org.freedesktop.DBus.Error.UnknownObject", "no eUICC " + std::to_string(o.euicc)};
    std::vector<lpactl::Record> rows;
    for (const auto& path : euicc->second["org.lpad.Lpad1.Euicc"]["Profiles"].get<std::vector<sdbus::ObjectPath>>()) {
        auto object = objects.find(path);
        if (object == objects.end() || !object->second.count("org.lpad.Lpad1.Profile"))
            throw Failure{Failed, "org.freedesktop.DBus.Error.UnknownObject", "lpad listed profile " + path +
                                                                                  " but did not return it"};
        Properties& p = object->second["org.lpad.Lpad1.Profile"];
        auto text = [&p](const char* name) { return p[name].get<std::string>(); };
        rows.push_back({{"iccid", text("Iccid")}, {"state", text("State")}, {"name", text("Name")},
                        {"serviceProvider", text("ServiceProvider")}, {"nickname", text("Nickname")},
                        {"class", text("Class")}, {"isdpAid", text("IsdpAid")}});
    }
    return rows;
}

lpactl::Record profile_record(ProfileProxy& p) {
    return {{"iccid", p.Iccid()}, {"state", p.State()}, {"name", p.Name()}, {"serviceProvider", p.ServiceProvider()},
            {"nickname", p.Nickname()}, {"class", p.Class()}, {"isdpAid", p.IsdpAid()}};
}

std::vector<lpactl::Record> notification_records(EuiccProxy& e) {
    std::vector<lpactl::Record> rows;
    for (const auto& n : e.PendingNotifications())
        rows.push_back({{"seqNumber", n.get<0>()}, {"operation", n.get<1>()}, {"address", n.get<2>()},
                        {"iccid", n.get<3>()}});
    return rows;
}

nlohmann::ordered_json array_json(const std::vector<lpactl::Field>& f, const std::vector<lpactl::Record>& rows) {
    auto a = nlohmann::ordered_json::array();
    for (const auto& r : rows) a.push_back(lpactl::to_json(f, r));
    return a;
}

// Progress bar on stderr, only on a terminal and never with --json.
class ProgressBar {
public:
    explicit ProgressBar(bool enabled) : enabled_(enabled) {}
    ~ProgressBar() { finish(); }
    void update(const std::string& stage, unsigned percent) {
        if (!enabled_ || stage.empty()) return;
        std::lock_guard lock(mutex_);
        unsigned filled = percent * 30 / 100;
        std::fprintf(stderr, "\r%-12s [%s%s] %3u%%", lpactl::printable(stage).c_str(),
                     std::string(filled, '#').c_str(), std::string(30 - filled, ' ').c_str(), percent);
        std::fflush(stderr);
        drawn_ = true;
    }
    void finish() {
        std::lock_guard lock(mutex_);
        if (drawn_) std::fprintf(stderr, "\n");
        drawn_ = false;
    }

private:
    bool enabled_;
    bool drawn_ = false;
    std::mutex mutex_;
};

std::string read_stdin_line() {
    std::string line;
    std::getline(std::cin, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
}

// Every string sent to lpad goes over D-Bus, which carries UTF-8 only: anything else is a usage error here, named,
// not a serialization failure later.
void require_utf8(const char* what, const std::string& value) {
    if (lpad::asn1::is_valid_utf8(value) && value.find('\0') == std::string::npos) return;
    throw Failure{Usage, "", std::string(what) + ": not valid UTF-8 text (or contains a NUL byte)"};
}

// The activation code on standard input: one line. A NUL byte would silently cut it short: refused.
std::string read_activation_code_from_stdin() {
    std::string line = read_stdin_line();
    if (line.find('\0') != std::string::npos)
        throw Failure{Usage, "", "the activation code on standard input contains a NUL byte"};
    require_utf8("the activation code on standard input", line);
    return line;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"lpactl - control lpad, the eSIM Local Profile Assistant"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("lpactl ") + LPAD_VERSION);
    Options o;
    app.add_flag("-j,--json", o.json, "print one JSON document");
    app.add_option("--euicc", o.euicc, "eUICC number (default 0)");
    app.add_option("--timeout", o.timeout, "seconds to wait for the daemon (default 300)");

    auto* chip = app.add_subcommand("chip", "eUICC information and settings")->require_subcommand(1);
    auto* chip_info = chip->add_subcommand("info", "EID, addresses, EUICCInfo2");
    std::string smdp;
    auto* chip_smdp = chip->add_subcommand("defaultsmdp", "set (or clear with \"\") the default SM-DP+");
    chip_smdp->add_option("ADDRESS", smdp)->required();
    bool r_op = false, r_test = false, r_smdp = false;
    auto* chip_reset = chip->add_subcommand("reset", "eUICC memory reset");
    chip_reset->add_flag("--operational", r_op, "delete operational profiles");
    chip_reset->add_flag("--test", r_test, "delete field-loaded test profiles");
    chip_reset->add_flag("--default-smdp", r_smdp, "reset the default SM-DP+ address");

    auto* profile = app.add_subcommand("profile", "installed profiles")->require_subcommand(1);
    auto* p_list = profile->add_subcommand("list", "list profiles");
    std::string iccid, nickname;
    auto* p_enable = profile->add_subcommand("enable", "enable a profile");
    auto* p_disable = profile->add_subcommand("disable", "disable a profile");
    auto* p_delete = profile->add_subcommand("delete", "delete a profile");
    for (auto* c : {p_enable, p_disable, p_delete}) c->add_option("ICCID", iccid)->required();
    auto* p_nick = profile->add_subcommand("nickname", "set a profile's nickname");
    p_nick->add_option("ICCID", iccid)->required();
    p_nick->add_option("NAME", nickname)->required();

    auto* dl = app.add_subcommand("download", "download a profile (activation code argument, or from stdin)");
    std::string code, cc, imei, qr;
    bool enable = false, preview = false;
    dl->add_option("ACTIVATION_CODE", code);
    dl->add_option("--confirmation-code", cc);
    dl->add_option("--imei", imei);
    dl->add_flag("--enable", enable, "enable the profile afterwards");
    dl->add_flag("--preview", preview, "show the profile and ask before installing");
    dl->add_option("--qr", qr, "read the activation code from a QR code image");

    auto* disc = app.add_subcommand("discover", "SM-DS event retrieval");
    std::string smds;
    disc->add_option("--smds", smds, "SM-DS address (default: the eUICC's root SM-DS)");

    auto* notif = app.add_subcommand("notification", "pending notifications")->require_subcommand(1);
    auto* n_list = notif->add_subcommand("list", "list pending notifications");
    auto* n_process = notif->add_subcommand("process", "deliver pending notifications now");
    long long seq = -1;
    auto* n_remove = notif->add_subcommand("remove", "remove a notification without delivering it");
    n_remove->add_option("SEQ", seq)->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int r = app.exit(e);
        return r == 0 ? Ok : Usage;
    }

    try {
        for (const auto& [what, value] : {std::pair<const char*, const std::string&>{"ADDRESS", smdp},
                                          {"ICCID", iccid}, {"NAME", nickname}, {"ACTIVATION_CODE", code},
                                          {"--confirmation-code", cc}, {"--imei", imei}, {"--smds", smds}})
            require_utf8(what, value);
        if (p_nick->parsed())
            if (auto at = lpactl::find_control(nickname); at != std::string::npos)
                throw Failure{Usage, "", "NAME: a nickname cannot contain control or bidirectional-override "
                                         "characters (byte " + std::to_string(at) + ")"};
        if (p_list->parsed()) {
            std::vector<lpactl::Record> rows = list_profiles_one_call(o);
            print(o, array_json(lpactl::kProfileFields, rows), lpactl::render_table(lpactl::kProfileFields, rows));
            return Ok;
        }
        Client client(o);
        auto& e = client.euicc();
        auto t = client.timeout();
        if (chip_info->parsed()) {
            std::vector<std::string> profiles;
            for (const auto& p : e.Profiles()) profiles.push_back(p.substr(p.rfind('/') + 1));
            lpactl::Record r = {{"euicc", o.euicc}, {"eid", e.Eid()}, {"driver", e.Driver()}, {"status", e.Status()},
                                {"defaultSmdpAddress", e.DefaultSmdpAddress()}, {"rootSmdsAddress", e.RootSmdsAddress()},
                                {"profileVersion", e.ProfileVersion()}, {"svn", e.SvnVersion()},
                                {"firmwareVersion", e.FirmwareVersion()},
                                {"freeNonVolatileMemory", e.FreeNonVolatileMemory()},
                                {"freeVolatileMemory", e.FreeVolatileMemory()},
                                {"sasAccreditationNumber", e.SasAccreditationNumber()},
                                {"ciPkids", e.CiPkidsForVerification()}, {"profiles", profiles},
                                {"pendingNotifications", e.PendingNotifications().size()}};
            // A download a crash interrupted, and what lpad did with it (null when none).
            if (auto in = e.InterruptedDownload(); !in.empty()) r["interruptedDownload"] = in;
            else r["interruptedDownload"] = nullptr;
            print(o, lpactl::to_json(lpactl::kChipFields, r), lpactl::render_record(lpactl::kChipFields, r));
        } else if (chip_smdp->parsed()) {
            e.getProxy().callMethod("SetDefaultSmdpAddress").onInterface("org.lpad.Lpad1.Euicc").withTimeout(t)
                .withArguments(smdp);
            print(o, {{"defaultSmdpAddress", smdp}}, "default SM-DP+ address set\n");
        } else if (chip_reset->parsed()) {
            std::vector<std::string> what;
            if (r_op) what.push_back("operational");
            if (r_test) what.push_back("test");
            if (r_smdp) what.push_back("default-smdp");
            if (what.empty()) throw Failure{Usage, "", "chip reset: give --operational, --test and/or --default-smdp"};
            e.getProxy().callMethod("ResetMemory").onInterface("org.lpad.Lpad1.Euicc").withTimeout(t).withArguments(what);
            print(o, {{"reset", what}}, "memory reset done\n");
        } else if (p_enable->parsed() || p_disable->parsed() || p_delete->parsed() || p_nick->parsed()) {
            ProfileProxy p(client.connection(), client.profile_path(iccid));
            const char* method = p_enable->parsed() ? "Enable" : p_disable->parsed() ? "Disable"
                                 : p_delete->parsed() ? "Delete" : "SetNickname";
            auto call = p.getProxy().createMethodCall("org.lpad.Lpad1.Profile", method);
            if (p_nick->parsed()) call << nickname;
            p.getProxy().callMethod(call, static_cast<uint64_t>(t.count()));
            const char* done = p_enable->parsed() ? "enabled" : p_disable->parsed() ? "disabled"
                               : p_delete->parsed() ? "deleted" : "renamed";
            print(o, {{"iccid", iccid}, {"result", done}}, "profile " + lpactl::printable(iccid) + " " + done + "\n");
        } else if (dl->parsed()) {
            if (!qr.empty()) {
                if (!code.empty()) throw Failure{Usage, "", "download: give an activation code or --qr, not both"};
                try {
                    code = lpad::qr::activation_code_from_image(qr);
                } catch (const lpad::Error& err) {
                    throw Failure{Failed, "", std::string("--qr: ") + err.what()};
                }
            }
            if (code.empty() && !isatty(0)) code = read_activation_code_from_stdin();
            require_utf8("the activation code", code);
            std::map<std::string, sdbus::Variant> opts;
            if (!cc.empty()) opts["confirmation_code"] = cc;
            if (!imei.empty()) opts["imei"] = imei;
            if (enable) opts["enable"] = true;
            ProgressBar bar(!o.json && isatty(2));
            // Declared after `bar`, so it is destroyed first: no progress signal can reach a destroyed bar.
            ProgressScope progress(e, [&bar](const std::string& s, unsigned p) { bar.update(s, p); });
            sdbus::ObjectPath profile_path;
            std::string new_iccid;
            if (!preview) {
                e.getProxy().callMethod("Download").onInterface("org.lpad.Lpad1.Euicc").withTimeout(t)
                    .withArguments(code, opts).storeResultsTo(profile_path, new_iccid);
            } else {
                sdbus::ObjectPath dpath;
                e.getProxy().callMethod("PreviewDownload").onInterface("org.lpad.Lpad1.Euicc").withTimeout(t)
                    .withArguments(code, opts).storeResultsTo(dpath);
                DownloadProxy d(client.connection(), dpath);
                using lpactl::printable;
                std::cerr << "Profile " << printable(d.Iccid()) << ": \"" << printable(d.Name()) << "\" from "
                          << printable(d.ServiceProvider()) << " (" << printable(d.Class()) << ")"
                          << (d.ConfirmationCodeRequired() ? ", confirmation code needed" : "")
                          << "\nInstall it? [y/N] " << std::flush;
                std::string answer = read_stdin_line();
                if (answer != "y" && answer != "Y" && answer != "yes") {
                    d.getProxy().callMethod("Reject").onInterface("org.lpad.Lpad1.Download").withTimeout(t);
                    throw Failure{Failed, std::string(kErrorPrefix) + "Rejected", "download rejected"};
                }
                d.getProxy().callMethod("Accept").onInterface("org.lpad.Lpad1.Download").withTimeout(t).withArguments(cc)
                    .storeResultsTo(profile_path);
                new_iccid = profile_path.substr(profile_path.rfind('/') + 1);
            }
            bar.finish();
            ProfileProxy p(client.connection(), profile_path);
            auto r = profile_record(p);
            print(o, lpactl::to_json(lpactl::kProfileFields, r),
                  "installed profile " + lpactl::printable(new_iccid) + " (" +
                      lpactl::printable(r["name"].get<std::string>()) + ")\n");
        } else if (disc->parsed()) {
            std::vector<sdbus::Struct<std::string, std::string>> events;
            e.getProxy().callMethod("Discover").onInterface("org.lpad.Lpad1.Euicc").withTimeout(t).withArguments(smds)
                .storeResultsTo(events);
            std::vector<lpactl::Record> rows;
            for (const auto& ev : events) rows.push_back({{"eventId", ev.get<0>()}, {"smdpAddress", ev.get<1>()}});
            print(o, array_json(lpactl::kEventFields, rows), lpactl::render_table(lpactl::kEventFields, rows));
        } else if (n_list->parsed()) {
            auto rows = notification_records(e);
            print(o, array_json(lpactl::kNotificationFields, rows),
                  rows.empty() ? std::string("no pending notifications\n")
                               : lpactl::render_table(lpactl::kNotificationFields, rows));
        } else if (n_process->parsed()) {
            std::vector<sdbus::Struct<int64_t, bool, bool, std::string>> out;
            e.getProxy().callMethod("ProcessNotifications").onInterface("org.lpad.Lpad1.Euicc").withTimeout(t)
                .withArguments(int64_t{-1}).storeResultsTo(out);
            std::vector<lpactl::Record> rows;
            bool all = true;
            for (const auto& r : out) {
                rows.push_back({{"seqNumber", r.get<0>()}, {"sent", r.get<1>()}, {"removed", r.get<2>()},
                                {"error", r.get<3>()}});
                all = all && r.get<1>();
            }
            print(o, array_json(lpactl::kOutcomeFields, rows), lpactl::render_table(lpactl::kOutcomeFields, rows));
            return all ? Ok : Failed;
        } else if (n_remove->parsed()) {
            e.getProxy().callMethod("RemoveNotification").onInterface("org.lpad.Lpad1.Euicc").withTimeout(t)
                .withArguments(int64_t{seq});
            print(o, {{"seqNumber", seq}, {"result", "removed"}}, "notification " + std::to_string(seq) + " removed\n");
        }
        return Ok;
    } catch (const Failure& f) {
        if (o.json) std::cout << nlohmann::json{{"error", f.name}, {"message", f.message}}.dump(2) << "\n";
        std::cerr << "lpactl: " << lpactl::printable(f.message) << "\n";
        return f.exit;
    } catch (const sdbus::Error& err) {
        int status = exit_for(err.getName(), err.getMessage());
        std::string msg = status == NoDaemon ? "lpad is not running (" + err.getMessage() + ")" : err.getMessage();
        if (daemon_left(err.getName(), err.getMessage()))
            msg = "lpad stopped before answering; it completes a running card operation before it exits, so check "
                  "the result with `lpactl profile list` once it is back (" + err.getMessage() + ")";
        if (status == TimedOut && err.getName().rfind(kErrorPrefix, 0) != 0) {
            char secs[32];
            std::snprintf(secs, sizeof secs, "%g", o.timeout);
            msg = std::string("no answer from lpad within ") + secs + " s (--timeout); the operation may still be "
                  "running in the daemon (" + err.getMessage() + ")";
        }
        if (o.json) std::cout << nlohmann::json{{"error", err.getName()}, {"message", err.getMessage()}}.dump(2) << "\n";
        std::cerr << "lpactl: " << lpactl::printable(err.getName()) << ": " << lpactl::printable(msg) << "\n";
        return status;
    }
}
