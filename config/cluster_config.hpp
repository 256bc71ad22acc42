#pragma once

// The whole configuration at startup: settings layered as defaults < node
// file < environment < `--set` flags (each with where it came from), and
// the node list with every remote node's SSH target worked out.
//
// A remote node's target is built in this order, later steps filling or
// overriding as noted:
//   1. the node file's fields;
//   2. ~/.ssh/config (the `ssh_config` setting) for the node's `host` as an
//      alias. Like OpenSSH, where `ssh -l/-p/-i` beat the config file, what
//      the node file states explicitly wins: ssh_config only fills HostName,
//      User and Port the node leaves unset. IdentityFiles accumulate, the
//      node file's first, as `-i` files come before the config's;
//   3. CLUSTER_<NODE>_HOST / CLUSTER_<NODE>_IP replace the name to resolve
//      (even one from HostName) and the fallback IP;
//   4. the user falls back to the `ssh_user` setting, the port to 22.
// A missing ~/.ssh/config is fine (most users have none); any other
// ssh_config file named by a setting must be readable. Paths in settings,
// identity files and --config have `~` expanded against the home directory.
// Any error is a `config_error`: nothing is ever half-configured.

#include "config/node_config.hpp"
#include "config/settings.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cluster {

/// Where a setting's effective value came from.
struct setting_origin {
  std::string key;     ///< Table key, e.g. "cmd_timeout".
  std::string value;   ///< Effective value, as `--set` would take it.
  std::string source;  ///< "default", "file /p/nodes.json", "env CLUSTER_CMD_TIMEOUT", "flag --set".
};

/// Everything the loader reads from outside, so tests can supply it.
struct config_inputs {
  std::string config_flag;  ///< --config PATH; empty: not given.
  env_lookup env;           ///< The environment; null: empty.
  std::string home;         ///< Home directory; empty: $HOME, else passwd.
  /// --set key=value pairs, in command-line order (the last one wins).
  std::vector<std::pair<std::string, std::string>> flag_settings;
  node_info local_default;  ///< This machine (embedded_local_node).
};

/// The effective configuration.
struct cluster_config {
  settings cfg;                         ///< Paths in it have `~` expanded.
  std::vector<node_config> nodes;       ///< File order; the embedded local node first when added.
  std::vector<setting_origin> origins;  ///< One per setting_table() row, same order.
  std::string node_file;                ///< Path read; empty: none (embedded default).
  std::string node_file_source;         ///< "flag --config", "env CLUSTER_CONFIG" or "default location".
};

/// Loads and checks everything; throws `config_error` naming key and source.
cluster_config load_cluster_config(const config_inputs& in);

/// Text for `cluster-router config`: settings with sources, nodes, node file.
std::string describe_config(const cluster_config& c);

/// Splits a `--set` argument "key=value"; throws `config_error` if it has no '=' or an unknown key.
std::pair<std::string, std::string> parse_setting_assignment(std::string_view arg);

/// The per-node variable prefix: "CLUSTER_" + id upper-cased, non-alphanumerics as '_'.
std::string node_env_prefix(std::string_view node_id);

/// Every accepted prefix for a node: node_env_prefix(), and the seed's
/// spelling without separators (CLUSTER_MACSTUDIO for mac-studio).
std::vector<std::string> node_env_prefixes(std::string_view node_id);

} // namespace cluster
