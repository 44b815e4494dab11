// SPDX-License-Identifier: Apache-2.0
// Logging seam. libapdu and the drivers log through this; the program (lpad, tools) installs a sink. Without a
// sink nothing is written: libapdu does no I/O of its own.
//
// Secrets (matching IDs, confirmation codes, keys) are never logged above Level::Debug, and at Debug only through
// redact() unless the sink was configured to show them.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace lpad::log {

enum class Level { Error = 0, Warning = 1, Info = 2, Debug = 3, Trace = 4 };

using Sink = std::function<void(Level, std::string_view component, std::string_view message)>;

// Install the process-wide sink and threshold (messages above `threshold` are dropped before formatting).
void set_sink(Sink sink, Level threshold);
bool enabled(Level level);
void write(Level level, std::string_view component, std::string_view message);
std::string_view level_name(Level level);
// Parse "error|warning|info|debug|trace"; throws Error(InvalidArgument).
Level parse_level(std::string_view name);

// "ABCD-1234" -> "AB…(9)": enough to correlate, not enough to reuse.
std::string redact(std::string_view secret);

inline void error(std::string_view c, std::string_view m) { write(Level::Error, c, m); }
inline void warning(std::string_view c, std::string_view m) { write(Level::Warning, c, m); }
inline void info(std::string_view c, std::string_view m) { write(Level::Info, c, m); }
inline void debug(std::string_view c, std::string_view m) { if (enabled(Level::Debug)) write(Level::Debug, c, m); }
inline void trace(std::string_view c, std::string_view m) { if (enabled(Level::Trace)) write(Level::Trace, c, m); }

}  // namespace lpad::log
