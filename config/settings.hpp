#pragma once

// Runtime settings: defaults, overridden by the environment (the seed's
// variable names, kept so its users can switch).

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace cluster {

/// A setting had a value we cannot use; the message names the variable.
class config_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Severity of a log line on stderr.
enum class log_level { error, warning, info, debug };

/// Everything the runtime can be told from outside.
struct settings {
  /// Default command timeout (CLUSTER_CMD_TIMEOUT, seconds; default 300).
  std::chrono::milliseconds cmd_timeout{300'000};
  /// How long a health probe may take (CLUSTER_STATUS_TIMEOUT, seconds; 5).
  std::chrono::milliseconds status_timeout{5'000};
  /// Bytes kept per output stream (CLUSTER_OUTPUT_LIMIT; 16384).
  std::uint32_t output_limit = 16'384;
  /// A node above this CPU % counts as loaded (CLUSTER_CPU_THRESHOLD; 40).
  double cpu_threshold = 40;
  /// A node above this 1-minute load counts as loaded (CLUSTER_LOAD_THRESHOLD; 4).
  double load_threshold = 4;
  /// A node above this memory % counts as loaded (CLUSTER_MEMORY_THRESHOLD; 80).
  double memory_threshold = 80;
  /// Health sampling interval (CLUSTER_HEALTH_INTERVAL, seconds; 2).
  std::chrono::milliseconds health_interval{2'000};
  /// Slots of the local node (CLUSTER_LOCAL_SLOTS; 0 = max(4, CPU count)).
  std::uint32_t local_slots = 0;
  /// Commands the router may hold waiting for a slot (CLUSTER_QUEUE_LIMIT; 1024).
  std::uint32_t queue_limit = 1024;
  /// TERM -> KILL delay when killing a process group (CLUSTER_KILL_GRACE, seconds; 1).
  std::chrono::milliseconds kill_grace{1'000};
  /// Interval of progress notifications for long calls (CLUSTER_PROGRESS_INTERVAL, seconds; 5).
  std::chrono::milliseconds progress_interval{5'000};
  /// Log level on stderr (CLUSTER_LOG_LEVEL: error|warning|info|debug; warning).
  log_level log = log_level::warning;
};

/// Looks up an environment variable; nullptr when unset.
using env_lookup = std::function<const char*(const char*)>;

/// Reads settings from the environment over the defaults. Throws
/// `config_error` naming the variable for a malformed, negative, zero (where
/// zero makes no sense) or out-of-range value.
settings settings_from_environment(const env_lookup& getenv_fn);

/// Reads settings from this process's environment.
settings settings_from_environment();

} // namespace cluster
