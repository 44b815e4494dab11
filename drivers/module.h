// SPDX-License-Identifier: Apache-2.0
// The contract between lpad and a loadable driver module, lpad-driver-<scheme>.so (docs/ARCHITECTURE.md, "Driver
// modules"). A module holds one driver's own code and the libraries only it needs (pcsc-lite, libqmi, libmbim); the
// lpad::* code it calls (libapdu, DriverUri, logging) is not in it: those references resolve against the lpad that
// loads it, which exports its lpad::* symbols (drivers/lpad-exports.list). So a module logs through lpad's sink and
// throws the same lpad::Error, and it only loads into the lpad it was built with: `abi` must equal the loader's.
#pragma once

#include "drivers/registry.h"

namespace lpad::drivers {

struct ModuleEntry {
    const char* abi;     // LPAD_DRIVER_ABI of the build: version, compiler, sanitizers
    const char* scheme;  // the scheme the module serves; must match its file name
    DriverInfo (*info)();
};

inline constexpr const char* kModuleEntrySymbol = "lpad_driver_module_v1";

}  // namespace lpad::drivers

// The one symbol a module exports (drivers/module.map hides the rest).
extern "C" const lpad::drivers::ModuleEntry* lpad_driver_module_v1();
