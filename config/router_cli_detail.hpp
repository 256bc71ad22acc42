#pragma once

// What the two halves of cluster-router's argument parser share: the
// subcommands that run work (router_cli.cpp) and those that read the journal
// or the configuration (router_query_cli.cpp).

#include "config/router_cli.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cluster::cli {

/// The value of an option given as `--opt VALUE` (advancing `i`) or
/// `--opt=VALUE`; throws `usage_error` when it is missing.
std::string take_value(const std::vector<std::string>& args, std::size_t& i,
                       const std::string& name, const std::string& inline_value,
                       bool has_inline);

/// A positive number of seconds (fractions allowed, at most a week), in ms.
std::uint32_t parse_seconds_ms(const std::string& name, const std::string& v);

/// A positive whole number; `what` names it in the error.
std::uint32_t parse_positive(const std::string& name, const std::string& v,
                             const char* what);

/// Parses the subcommands that run nothing (status, logs, cancel, tasks,
/// nodes, cluster-status, config) from `args[first]`, their verb; false when
/// `args[first]` is none of them.
bool parse_query_verb(const std::vector<std::string>& args, std::size_t first,
                      router_invocation& inv);

} // namespace cluster::cli
