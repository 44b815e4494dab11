// SPDX-License-Identifier: Apache-2.0
#include "drivers/virtual/euicc_factory.h"

#include "drivers/virtual/euicc.h"

namespace lpad::virtual_euicc {

EuiccFactory euicc_factory() {
    return EuiccFactory{
        [](const drivers::DriverUri& uri) -> std::unique_ptr<Es10Handler> {
            std::optional<std::string> pki, eid;
            if (uri.has("pki")) pki = uri.get("pki");
            if (uri.has("eid")) eid = uri.get("eid");
            return Euicc::open(uri.path, pki, eid, uri.get("curve", "NIST"));
        },
        {"pki", "eid", "curve"}};
}

void install_euicc_factory() { set_euicc_factory(euicc_factory()); }

}  // namespace lpad::virtual_euicc
