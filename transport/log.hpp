#pragma once

// A small stderr logger: Debian's CAF has its own logging compiled out, and
// stdout belongs to the JSON-RPC channel.

#include "config/settings.hpp"

#include <sstream>
#include <string>

namespace cluster::transport {

/// Sets the most verbose level that is written (thread-safe).
void set_log_level(log_level level);

/// True when a line at `level` would be written.
bool log_enabled(log_level level);

/// Writes one line `cluster-exec LEVEL: text` to stderr (thread-safe).
void log_line(log_level level, const std::string& text);

/// Formats `args` with operator<< and logs them at `level` when enabled.
template <class... Ts>
void log(log_level level, const Ts&... args) {
  if (!log_enabled(level))
    return;
  std::ostringstream os;
  (os << ... << args);
  log_line(level, os.str());
}

} // namespace cluster::transport
