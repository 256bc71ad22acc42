#pragma once

// The command policy: a guard against accidents, not a sandbox. Before the
// router admits a command it reads it the way the classifier does (every
// simple command of lists, pipelines, subshells and substitutions, through
// sudo/env/nice/timeout/xargs, `bash -c '...'`, `eval` and here-documents fed
// to a shell) and refuses the few shapes that destroy a machine by mistake:
// a recursive delete of / or a system directory, formatting or overwriting a
// disk, a fork bomb, a recursive chmod/chown of /. Nothing is expanded, so a
// command that builds its target from variables passes.

#include "actors/command_class.hpp"
#include "actors/policy_lists.hpp"
#include "config/policy_config.hpp"

#include <string>
#include <string_view>

namespace cluster {

/// The policy's answer for one command line.
struct policy_verdict {
  bool allowed = true;  ///< False when a rule refuses the command.
  std::string rule;     ///< The refusing rule, e.g. "recursive-delete-root".
  std::string segment;  ///< The simple command that broke it, as written.
  std::string detail;   ///< What it would have done, e.g. "removes / recursively".

  /// One line for error_message: the rule, the segment and how to allow it.
  std::string message() const;
};

/// Checks `command`, run in directory `cwd` (empty: unknown), against the
/// rules `policy` leaves enabled; never throws, linear in the command's
/// length for each level of nested `bash -c` / `eval` it looks into.
policy_verdict check_command(std::string_view command,
                             const command_policy& policy,
                             std::string_view cwd = {},
                             const policy_lists& lists = default_policy_lists(),
                             const command_lists& words = default_command_lists());

} // namespace cluster
