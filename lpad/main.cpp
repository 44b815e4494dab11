// SPDX-License-Identifier: Apache-2.0
// lpad: the eSIM Local Profile Assistant daemon (lpad(8)).
//
//   lpad [--config FILE] [--session | --bus-address ADDR] [--state-dir DIR] [--log-level LEVEL] [--card URI]...
//        [--trust PEM]... [--allow-test-ci] [--resolve HOST:PORT:ADDR]... [--driver-dir DIR] [--list-drivers]
//
// Flags override the configuration file (default /etc/lpad/lpad.conf, read only when present unless --config is
// given); --card replaces the configured cards. Exit status: 0 after SIGTERM/SIGINT, 2 for bad arguments or
// configuration, 1 for any other failure.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

#include "drivers/module_loader.h"
#include "drivers/registry.h"
#include "drivers/virtual/euicc_factory.h"
#include "libapdu/error.h"
#include "libapdu/log.h"
#include "lpad/daemon/daemon.h"

using namespace lpad;

namespace {
constexpr const char* kDefaultConfig = "/etc/lpad/lpad.conf";

void install_log_sink(log::Level level) {
    log::set_sink([](log::Level l, std::string_view component, std::string_view message) {
        std::fprintf(stderr, "lpad[%s] %.*s: %.*s\n", std::string(log::level_name(l)).c_str(),
                     static_cast<int>(component.size()), component.data(), static_cast<int>(message.size()),
                     message.data());
    }, level);
}
}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"lpad - eSIM Local Profile Assistant daemon (GSMA SGP.22)"};
    app.set_version_flag("--version", std::string("lpad ") + LPAD_VERSION);
    std::string config_path, state_dir, log_level, bus_address, driver_dir;
    std::vector<std::string> cards, trust, resolve;
    bool session = false, allow_test_ci = false, list_drivers = false;
    std::optional<unsigned> consent_timeout, download_timeout;
    app.add_option("-c,--config", config_path, "configuration file (default " + std::string(kDefaultConfig) + ")");
    app.add_flag("--session", session, "use the session bus (development, tests): no access checks");
    app.add_option("--bus-address", bus_address, "connect to this bus address (treated like the system bus)");
    app.add_option("--state-dir", state_dir, "state directory (notification retry queue)");
    app.add_option("--log-level", log_level, "error|warning|info|debug|trace");
    app.add_option("--card", cards, "driver URI of a card (repeatable; replaces the configured cards)");
    app.add_option("--trust", trust, "extra trusted CI bundle (PEM, repeatable)");
    app.add_flag("--allow-test-ci", allow_test_ci, "also trust the GSMA test CI bundle");
    app.add_option("--resolve", resolve, "HOST:PORT:ADDRESS pin for server connections (repeatable)");
    app.add_option("--consent-timeout", consent_timeout, "seconds a preview download waits for a decision")
        ->check(CLI::Range(1, 86400));
    app.add_option("--download-timeout", download_timeout, "seconds a whole download may take (consent not counted)")
        ->check(CLI::Range(1, 86400));
    app.add_option("--driver-dir", driver_dir, "directory of the driver modules (default: ../lib/lpad/drivers from lpad)");
    app.add_flag("--list-drivers", list_drivers, "list the drivers (and where their modules are) and exit");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    if (!driver_dir.empty()) drivers::set_module_dir(driver_dir);
    if (list_drivers) {
        // scheme TAB summary [TAB module PATH (not installed)]: module drivers are listed without being loaded.
        for (const auto& d : drivers::registry()) {
            std::cout << d.scheme << "\t" << d.summary;
            if (!d.module.empty()) {
                std::string path = drivers::module_path(d.scheme);
                std::error_code ec;
                std::cout << "\tmodule " << path << (std::filesystem::is_regular_file(path, ec) ? "" : " (not installed)");
            }
            std::cout << "\n";
        }
        return 0;
    }
    daemon::Config config;
    try {
        if (!config_path.empty()) config = daemon::load_config(config_path);
        else if (std::filesystem::exists(kDefaultConfig)) config = daemon::load_config(kDefaultConfig);
        if (!log_level.empty()) config.log_level = log::parse_level(log_level);
        if (!state_dir.empty()) config.state_dir = state_dir;
        if (consent_timeout) config.consent_timeout = std::chrono::seconds(*consent_timeout);
        if (download_timeout) config.download_timeout = std::chrono::seconds(*download_timeout);
        if (!cards.empty()) {
            config.cards.clear();
            for (const auto& uri : cards) {
                daemon::CardConfig card;
                card.driver = uri;
                config.cards.push_back(card);
            }
        }
        for (const auto& t : trust) config.trust.extra_bundles.push_back(t);
        if (allow_test_ci) config.trust.allow_test_ci = true;
        for (const auto& r : resolve) config.trust.resolve.push_back(r);
    } catch (const Error& e) {
        std::cerr << "lpad: " << e.what() << "\n";
        return 2;
    }
    install_log_sink(config.log_level);
    virtual_euicc::install_euicc_factory();
    daemon::BusChoice bus;
    if (session) bus.kind = daemon::BusChoice::Kind::Session;
    if (!bus_address.empty()) bus = {daemon::BusChoice::Kind::Address, bus_address};
    try {
        daemon::Daemon d(config, bus);
        return d.run();
    } catch (const Error& e) {
        log::error("lpad", std::string(errc_name(e.code())) + ": " + e.what());
        return e.code() == Errc::InvalidArgument ? 2 : 1;
    } catch (const sdbus::Error& e) {
        log::error("lpad", "D-Bus: " + e.getName() + ": " + e.getMessage());
        return 1;
    } catch (const std::exception& e) {
        log::error("lpad", e.what());
        return 1;
    }
}
