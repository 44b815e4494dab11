// lpad's configuration: a TOML file (packaging/lpad.conf, lpad.conf(5)) overridden by command-line flags.
//
//   log_level = "info"                      # error|warning|info|debug|trace
//   state_dir = "/var/lib/lpad"
//   [trust]
//   production = "/usr/share/lpad/trust/gsma-ci-production.pem"   # "" = none
//   test = "/usr/share/lpad/trust/gsma-ci-test.pem"
//   allow_test_ci = false
//   extra = ["/etc/lpad/ci.pem"]
//   resolve = ["host:443:127.0.0.1"]        # curl resolve pins (tests)
//   [[card]]
//   driver = "pcsc:"                        # drivers/registry.h URI; "pcsc:?reader=*": one card per reader
//                                           # holding an eUICC at start (the others skipped, logged)
//   isdr_aids = ["A0000005591010FFFFFFFF8900000100"]
//   store_data_block = 255                  # 6..255
//   imei = "356938035643809"
//   refresh = false                         # refreshFlag for enable/disable
//   notifications = "auto"                  # auto | manual
//
// Unknown keys and bad values are errors that name the key and its line.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "libapdu/log.h"
#include "lpad/core/server_connector.h"

namespace lpad::daemon {

struct CardConfig {
    std::string driver;
    std::vector<std::string> isdr_aids;  // hex; empty: the SGP.22 default
    std::size_t store_data_block = 255;
    std::string imei;
    bool refresh = false;
    bool auto_notifications = true;
};

struct Config {
    log::Level log_level = log::Level::Info;
    std::string state_dir = "/var/lib/lpad";
    core::TrustSettings trust;
    std::vector<CardConfig> cards;
};

// Throws Error(InvalidArgument) "FILE:LINE: KEY: problem" for syntax errors, unknown keys and bad values.
Config parse_config(const std::string& text, const std::string& source_name);
Config load_config(const std::string& path);  // NotFound when the file is missing

}  // namespace lpad::daemon
