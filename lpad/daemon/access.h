// Who may change things (ARCHITECTURE "D-Bus API"): on the system bus only root and members of the group "lpad"
// may call mutating methods; everyone may read. On a development session bus (--session) there is no check.
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
