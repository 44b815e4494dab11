// SPDX-License-Identifier: Apache-2.0
// Loadable driver modules (docs/ARCHITECTURE.md, "Driver modules"). The daemon's registry (lpad_drivers_loadable)
// names pcsc, qmi and mbim without linking them: the first create/watch/expand for such a URI dlopen()s
// <module dir>/lpad-driver-<scheme>.so, so a configuration with only virtual: (or at:) never maps pcsc-lite,
// libqmi, libmbim or GLib. A loaded module stays loaded for the life of the process.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "drivers/registry.h"

namespace lpad::drivers {

// The directory holding the modules: the one given to set_module_dir(), else the install layout relative to the
// running executable, <dir of /proc/self/exe>/LPAD_DRIVER_MODULE_RELDIR (/usr/sbin/lpad → /usr/lib/lpad/drivers;
// in a build tree build/lpad/lpad → build/lib/lpad/drivers, where the build puts them).
void set_module_dir(std::string dir);
std::string module_dir();
// <module_dir()>/lpad-driver-<scheme>.so
std::string module_path(std::string_view scheme);

// The registry entry of a module driver: `summary` for --list-drivers without loading anything; create, watch and
// expand load the module on first use and forward to its DriverInfo. Loading errors:
//   NotFound  the module file is not there, or dlopen() fails (a library it needs is missing: the message says which);
//   Internal  the file is not a module of this lpad build (no entry point, other ABI, other scheme).
DriverInfo module_driver_info(std::string scheme, std::string summary);

// Schemes whose module is loaded in this process, in load order (tests, logs).
std::vector<std::string> loaded_modules();

}  // namespace lpad::drivers
