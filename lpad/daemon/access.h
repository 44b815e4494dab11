// SPDX-License-Identifier: Apache-2.0
// Who may change things (ARCHITECTURE "D-Bus API"): on the system bus (and on a --bus-address bus) only root and
// members of the group "lpad" may call a method that changes the card or touches the card or the network (every
// method of the API, Discover and Refresh included); everyone may read the properties. The daemon checks this
// itself, whatever the bus policy says. On a development session bus (--session) there is no check.
#pragma once

#include <sdbus-c++/IObject.h>

namespace lpad::daemon {

struct AccessPolicy {
    bool enforce = true;
    std::string group = "lpad";
};

// Throws Error(PermissionDenied) unless the sender of the message being processed on `object` may mutate.
// Call only from a method handler (on the bus thread).
void check_mutation_allowed(const AccessPolicy& policy, sdbus::IObject& object);

}  // namespace lpad::daemon
