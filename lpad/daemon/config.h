// SPDX-License-Identifier: Apache-2.0
// lpad's configuration: a TOML file (packaging/lpad.conf, lpad.conf(5)) overridden by command-line flags.
//
//   log_level = "info"                      # error|warning|info|debug|trace
//   state_dir = "/var/lib/lpad"
//   consent_timeout = 300                   # s a preview download waits for Accept/Reject (1..86400)
//   download_timeout = 240                  # s a whole download may take, consent not counted (1..86400)
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

#include <chrono>
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
    std::string imei;  // core::check_imei; empty: the transport's, if it knows one
    bool refresh = false;
    bool auto_notifications = true;
};

struct Config {
    log::Level log_level = log::Level::Info;
    std::string state_dir = "/var/lib/lpad";
    // A preview download that gets no Accept/Reject in this time is cancelled (reason timeout).
    std::chrono::seconds consent_timeout{300};
    // A download still running after this (not counting the consent wait) stops with Timeout, cancelled with reason
    // timeout. Below lpactl's 300 s, so that it sees this error rather than its own.
    std::chrono::seconds download_timeout{240};
    core::TrustSettings trust;
    std::vector<CardConfig> cards;
};

// Throws Error(InvalidArgument) "FILE:LINE: KEY: problem" for syntax errors, unknown keys and bad values.
Config parse_config(const std::string& text, const std::string& source_name);
Config load_config(const std::string& path);  // NotFound when the file is missing

}  // namespace lpad::daemon
