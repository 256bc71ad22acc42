#pragma once

// Turns what a node's /proc says into numbers. Plain functions, shared by
// the local probe (files read directly) and remote probes (text over SSH).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cluster {

/// Aggregate CPU jiffies from the first "cpu " line of /proc/stat.
struct cpu_times {
  std::uint64_t busy = 0;   ///< user+nice+system+irq+softirq+steal.
  std::uint64_t total = 0;  ///< busy + idle + iowait.
};

/// Parses the "cpu " line of /proc/stat; nullopt when absent or malformed.
std::optional<cpu_times> parse_proc_stat(std::string_view text);

/// Busy share in percent between two readings (0 when no time passed).
double cpu_percent_between(const cpu_times& earlier, const cpu_times& later);

/// Memory in use in percent from /proc/meminfo: (MemTotal-MemAvailable)/MemTotal.
std::optional<double> parse_meminfo_percent(std::string_view text);

/// The three load averages of /proc/loadavg.
struct load_averages {
  double one = 0;
  double five = 0;
  double fifteen = 0;
};

/// Parses /proc/loadavg; nullopt when malformed.
std::optional<load_averages> parse_loadavg(std::string_view text);

} // namespace cluster
