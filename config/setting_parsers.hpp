#pragma once

// Strict parsers for setting values, shared by the environment, the node
// file and command-line flags so that all three reject the same things with
// the same words. `where` names the source, e.g. "CLUSTER_CMD_TIMEOUT" or
// "/etc/nodes.json: settings.cmd_timeout"; every error starts with it.

#include "config/settings.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace cluster {

/// `value` quoted for a message: control and non-ASCII bytes escaped, long values cut.
std::string shown(std::string_view value);

/// Throws `config_error` as `where: "value" problem (expected ...)`.
[[noreturn]] void reject_value(std::string_view where, std::string_view value,
                               std::string_view problem,
                               std::string_view expected);

/// Positive decimal seconds ("0.25", "300") to milliseconds, exact to the ms.
std::chrono::milliseconds parse_seconds(std::string_view where,
                                        std::string_view value,
                                        std::string_view example);

/// A plain decimal integer in [lo, hi].
std::uint32_t parse_count(std::string_view where, std::string_view value,
                          std::uint64_t lo, std::uint64_t hi);

/// A plain decimal number in (0, hi]; `expected` describes that range.
double parse_threshold(std::string_view where, std::string_view value,
                       double hi, std::string_view expected);

/// error, warning, info or debug, any case.
log_level parse_log_level(std::string_view where, std::string_view value);

/// accept-new or strict, any case.
host_key_checking parse_host_key_policy(std::string_view where,
                                        std::string_view value);

/// A login name: no blanks or control bytes, no leading '-', no '@' or ':'.
std::string parse_user_name(std::string_view where, std::string_view value);

/// A file path: non-empty, no control bytes; `~` is kept for later expansion.
std::string parse_path(std::string_view where, std::string_view value);

/// Milliseconds as seconds the parsers accept back: "300", "0.25".
std::string format_seconds(std::chrono::milliseconds ms);

/// The shortest decimal that reads back as `v`, never with an exponent.
std::string format_number(double v);

/// The spelling parse_log_level accepts for `level`.
std::string_view log_level_name(log_level level);

/// "accept-new" or "strict".
std::string_view host_key_policy_name(host_key_checking policy);

} // namespace cluster
