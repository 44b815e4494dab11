// SPDX-License-Identifier: Apache-2.0
#include "libapdu/log.h"

#include <atomic>
#include <mutex>

#include "libapdu/error.h"

namespace lpad::log {

namespace {
std::mutex sink_mutex;
Sink current_sink;
std::atomic<int> current_threshold{-1};
}  // namespace

void set_sink(Sink sink, Level threshold) {
    std::lock_guard lock(sink_mutex);
    current_sink = std::move(sink);
    current_threshold = current_sink ? static_cast<int>(threshold) : -1;
}

bool enabled(Level level) { return static_cast<int>(level) <= current_threshold.load(std::memory_order_relaxed); }

void write(Level level, std::string_view component, std::string_view message) {
    if (!enabled(level)) return;
    std::lock_guard lock(sink_mutex);
    if (current_sink) current_sink(level, component, message);
}

std::string_view level_name(Level level) {
    switch (level) {
    case Level::Error: return "error";
    case Level::Warning: return "warning";
    case Level::Info: return "info";
    case Level::Debug: return "debug";
    case Level::Trace: return "trace";
    }
    return "info";
}

Level parse_level(std::string_view name) {
    for (auto l : {Level::Error, Level::Warning, Level::Info, Level::Debug, Level::Trace})
        if (name == level_name(l)) return l;
    fail(Errc::InvalidArgument, "unknown log level '" + std::string(name) + "' (error, warning, info, debug, trace)");
}

std::string redact(std::string_view secret) {
    if (secret.empty()) return "(empty)";
    std::size_t keep = secret.size() >= 8 ? 2 : 0;
    return std::string(secret.substr(0, keep)) + "…(" + std::to_string(secret.size()) + ")";
}

}  // namespace lpad::log
