#pragma once

// The command-line options every program takes: --config and --set.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace cluster {

/// What --config and --set said.
struct config_flags {
  std::string file;  ///< --config PATH; empty: not given.
  /// --set KEY=VALUE, in order (checked later by the config loader).
  std::vector<std::pair<std::string, std::string>> settings;
};

/// Takes `--config PATH` or `--set KEY=VALUE` (also `--opt=value`) at
/// args[i], advancing i past a separate value; false when args[i] is neither.
/// Throws `usage_error` (config/router_cli.hpp) for a missing or bad value.
bool take_config_flag(const std::vector<std::string>& args, std::size_t& i,
                      config_flags& out);

} // namespace cluster
