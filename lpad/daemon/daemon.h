// SPDX-License-Identifier: Apache-2.0
// The daemon: the bus connection, the root object (Manager + ObjectManager) and one EuiccService per card, built
// from a Config. run() serves until SIGTERM/SIGINT and then shuts down cleanly (workers finish their job).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

#include "lpad/core/server_connector.h"
#include "lpad/daemon/bus_loop.h"
#include "lpad/daemon/config.h"
#include "lpad/daemon/euicc_service.h"
#include "lpad_dbus_adaptor.h"

namespace lpad::daemon {

inline const std::string kBusName = "org.lpad.Lpad1";

struct BusChoice {
    enum class Kind { System, Session, Address } kind = Kind::System;
    std::string address;  // Kind::Address: a private bus treated like the system bus (access checks on)
};

class ManagerObject final
    : public sdbus::AdaptorInterfaces<org::lpad::Lpad1::Manager_adaptor, sdbus::ObjectManager_adaptor> {
public:
    ManagerObject(sdbus::IConnection& connection, std::vector<sdbus::ObjectPath> euiccs);
    ~ManagerObject();

private:
    std::string Version() override;
    std::vector<sdbus::ObjectPath> Euiccs() override { return euiccs_; }
    std::vector<sdbus::ObjectPath> euiccs_;
};

class Daemon {
public:
    Daemon(const Config& config, const BusChoice& bus);
    ~Daemon();
    int run();  // returns the process exit status

private:
    std::unique_ptr<sdbus::IConnection> connection_;
    std::unique_ptr<BusLoop> loop_;
    std::unique_ptr<core::CurlServerConnector> connector_;
    std::unique_ptr<ManagerObject> manager_;
    std::vector<std::unique_ptr<EuiccService>> euiccs_;
};

}  // namespace lpad::daemon
