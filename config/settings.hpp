#pragma once

// Runtime settings: defaults, overridden by the node file, the environment
// (the seed's variable names, kept so its users can switch) and flags. Every
// setting is one row of `setting_table()`, so all sources share one parser.

#include "config/policy_config.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cluster {

/// A configuration we cannot use; the message names the key and where it came from.
class config_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Severity of a log line on stderr.
enum class log_level { error, warning, info, debug };

/// What to do with a host key known_hosts does not list (a changed key is always refused).
enum class host_key_checking { accept_new, strict };

/// The login name of the effective user (getpwuid); empty when it has none.
std::string current_user_name();

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
  /// A node above this 1-minute load per CPU counts as loaded
  /// (CLUSTER_LOAD_THRESHOLD; 1). Per CPU: load 6 swamps 2 cores, not 32.
  double load_threshold = 1;
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
  /// Default SSH login (CLUSTER_SSH_USER; the current user).
  std::string ssh_user = current_user_name();
  /// SSH handshake + authentication limit (CLUSTER_SSH_TIMEOUT, seconds; 5).
  std::chrono::milliseconds ssh_timeout{5'000};
  /// TCP connect limit per attempt (CLUSTER_SSH_CONNECT_TIMEOUT, seconds; 2).
  std::chrono::milliseconds ssh_connect_timeout{2'000};
  /// Further connect attempts after the first (CLUSTER_SSH_RETRIES, 0..10; 2).
  std::uint32_t ssh_retries = 2;
  /// How long a resolved address is reused (CLUSTER_IP_CACHE_TTL, seconds; 300).
  std::chrono::milliseconds ip_cache_ttl{300'000};
  /// Host keys file (CLUSTER_KNOWN_HOSTS; ~/.ssh/known_hosts; `~` expanded by load_cluster_config).
  std::string known_hosts = "~/.ssh/known_hosts";
  /// Unknown host keys (CLUSTER_HOST_KEY_POLICY: accept-new|strict; accept-new).
  host_key_checking host_key_policy = host_key_checking::accept_new;
  /// OpenSSH client config for node hosts (CLUSTER_SSH_CONFIG; ~/.ssh/config; "none": skip; `~` expanded by load_cluster_config).
  std::string ssh_config = "~/.ssh/config";
  /// Task journal and spooled output (CLUSTER_STATE_DIR; empty: the XDG state
  /// directory, $XDG_STATE_HOME/cluster-exec or ~/.local/state/cluster-exec;
  /// resolved by load_cluster_config).
  std::string state_dir;
  /// Finished tasks older than this leave the journal (CLUSTER_JOURNAL_MAX_AGE, seconds; 7 days).
  std::chrono::milliseconds journal_max_age{7LL * 24 * 3600 * 1000};
  /// Most tasks the journal keeps (CLUSTER_JOURNAL_MAX_TASKS; 1000).
  std::uint32_t journal_max_tasks = 1000;
  /// How long a foreground MCP call waits before it answers "still running"
  /// with the task id (CLUSTER_WAIT_SECONDS; 45, below the common 60 s
  /// client timeout).
  std::chrono::milliseconds wait_default{45'000};
  /// Commands refused before they run (the node file's "policy"; every rule
  /// on). Not in setting_table(): it is lists, not one value.
  command_policy policy;
};

/// Looks up an environment variable; nullptr when unset.
using env_lookup = std::function<const char*(const char*)>;

/// How the node file writes a setting's value: a JSON number or a string.
enum class setting_kind { number, text };

/// One setting: its names in every source, its parser and its printer.
struct setting_spec {
  std::string_view key;      ///< Node file and `--set` name, e.g. "cmd_timeout".
  std::string_view env_var;  ///< Environment variable, e.g. "CLUSTER_CMD_TIMEOUT".
  setting_kind kind;         ///< JSON type in the node file.
  /// Validates `value` and stores it; throws `config_error` starting with `where`.
  std::function<void(settings&, std::string_view value, std::string_view where)> assign;
  /// The current value, spelled so that `assign` would accept it back.
  std::function<std::string(const settings&)> print;
};

/// Every setting, in the order `cluster-router config` shows them.
const std::vector<setting_spec>& setting_table();

/// The row for a node-file key, or nullptr.
const setting_spec* find_setting(std::string_view key);

/// The environment's value of `var`, or nullptr when unset or empty (empty means "default").
const char* env_value(const env_lookup& getenv_fn, std::string_view var);

/// Reads settings from the environment over the defaults. Throws
/// `config_error` naming the variable for a malformed, negative, zero (where
/// zero makes no sense) or out-of-range value.
settings settings_from_environment(const env_lookup& getenv_fn);

} // namespace cluster
