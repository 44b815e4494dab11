// SPDX-License-Identifier: Apache-2.0
#include "drivers/module_loader.h"

#include <dlfcn.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "drivers/module.h"
#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::drivers {

namespace {

// RTLD_NODELETE keeps the code mapped after dlclose(): std::function objects and vtables handed out by a module
// may outlive the handle during static destruction.
struct DlClose {
    void operator()(void* handle) const noexcept { dlclose(handle); }
};
using DlHandle = std::unique_ptr<void, DlClose>;

struct LoadedModule {
    DlHandle handle;
    DriverInfo info;
};

struct ModuleState {
    std::mutex mutex;
    std::string dir;  // empty: derived from /proc/self/exe
    std::map<std::string, std::unique_ptr<LoadedModule>, std::less<>> loaded;
    std::vector<std::string> order;
};

ModuleState& state() {
    static ModuleState s;
    return s;
}

std::string default_dir() {
    std::error_code ec;
    std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) fail(Errc::Internal, "driver modules: cannot read /proc/self/exe: " + ec.message());
    return (exe.parent_path() / LPAD_DRIVER_MODULE_RELDIR).lexically_normal().string();
}

std::string dir_locked(ModuleState& s) {
    if (s.dir.empty()) s.dir = default_dir();
    return s.dir;
}

const DriverInfo& load(const std::string& scheme) {
    ModuleState& s = state();
    std::lock_guard lock(s.mutex);
    if (auto it = s.loaded.find(scheme); it != s.loaded.end()) return it->second->info;
    std::string path = dir_locked(s) + "/lpad-driver-" + scheme + ".so";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        fail(Errc::NotFound, "driver '" + scheme + ":' is a loadable module and " + path +
                                 " is not installed (install it, or point lpad --driver-dir at its directory)");
    DlHandle handle(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE));
    if (!handle) {
        const char* why = dlerror();
        fail(Errc::NotFound, "driver '" + scheme + ":': cannot load " + path + ": " + (why ? why : "unknown error"));
    }
    using EntryFn = const ModuleEntry* (*)();
    auto entry_fn = reinterpret_cast<EntryFn>(dlsym(handle.get(), kModuleEntrySymbol));
    if (!entry_fn) fail(Errc::Internal, path + " is not an lpad driver module (no " + kModuleEntrySymbol + ")");
    const ModuleEntry* entry = entry_fn();
    if (!entry || !entry->abi || std::string_view(entry->abi) != LPAD_DRIVER_ABI)
        fail(Errc::Internal, path + " was built for another lpad (module ABI '" +
                                 std::string(entry && entry->abi ? entry->abi : "?") + "', this lpad '" +
                                 LPAD_DRIVER_ABI + "')");
    if (!entry->scheme || entry->scheme != scheme || !entry->info)
        fail(Errc::Internal, path + " does not serve the '" + scheme + ":' driver");
    auto module = std::make_unique<LoadedModule>(LoadedModule{std::move(handle), entry->info()});
    log::info("drivers", "loaded driver module " + path);
    const DriverInfo& info = module->info;
    s.loaded.emplace(scheme, std::move(module));
    s.order.push_back(scheme);
    return info;
}

}  // namespace

void set_module_dir(std::string dir) {
    ModuleState& s = state();
    std::lock_guard lock(s.mutex);
    s.dir = std::move(dir);
}

std::string module_dir() {
    ModuleState& s = state();
    std::lock_guard lock(s.mutex);
    return dir_locked(s);
}

std::string module_path(std::string_view scheme) { return module_dir() + "/lpad-driver-" + std::string(scheme) + ".so"; }

std::vector<std::string> loaded_modules() {
    ModuleState& s = state();
    std::lock_guard lock(s.mutex);
    return s.order;
}

DriverInfo module_driver_info(std::string scheme, std::string summary) {
    DriverInfo info;
    info.scheme = scheme;
    info.summary = std::move(summary);
    info.create = [scheme](const DriverUri& uri) { return load(scheme).create(uri); };
    info.watch = [scheme](const DriverUri& uri, PresenceWatch::Callback callback) -> std::unique_ptr<PresenceWatch> {
        const DriverInfo& d = load(scheme);
        return d.watch ? d.watch(uri, std::move(callback)) : nullptr;
    };
    info.expand = [scheme](const DriverUri& uri) -> std::vector<std::string> {
        const DriverInfo& d = load(scheme);
        return d.expand ? d.expand(uri) : std::vector<std::string>{uri.to_string()};
    };
    info.module = "lpad-driver-" + scheme + ".so";
    return info;
}

}  // namespace lpad::drivers
