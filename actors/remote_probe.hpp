#pragma once

// The remote health probe: one POSIX sh script sent over the node's own SSH
// connection (nothing to install there), and the parser of what it prints.

#include "actors/node_probe.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cluster {

/// The POSIX sh script a remote node runs to be sampled: nothing to install,
/// one round trip. On Linux it prints /proc/stat, /proc/meminfo and
/// /proc/loadavg (with `gap`, /proc/stat twice, `gap` apart, so that a first
/// sample already has a CPU %); on macOS sysctl and vm_stat; on both the OS,
/// the architecture and the online CPU count.
std::string remote_probe_script(std::optional<std::chrono::milliseconds> gap);

/// What one run of remote_probe_script printed, as numbers.
struct probe_reading {
  std::string os;    ///< Canonical "linux" or "darwin" (uname -s, normalized).
  std::string arch;  ///< Canonical "x86_64" or "arm64" (uname -m, normalized).
  std::uint32_t cpu_count = 0;
  /// Linux: the first /proc/stat reading when the script took two.
  std::optional<cpu_times> cpu_before;
  /// Linux: the (last) /proc/stat reading.
  std::optional<cpu_times> cpu;
  /// macOS: CPU % measured on the node itself (no jiffy counters there).
  std::optional<double> cpu_percent;
  double memory_percent = 0;
  load_averages load;
  /// Non-empty when the output is unusable: names what was missing or
  /// malformed ("no /proc/loadavg section", "unsupported OS 'FreeBSD'").
  std::string error;
};

/// Parses the output of remote_probe_script; never throws.
probe_reading parse_probe_output(std::string_view text);

} // namespace cluster
