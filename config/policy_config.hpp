#pragma once

// What an operator can change about the command policy: which rules are
// off, which commands pass anyway, which programs are refused outright. The
// rules themselves live beside the router (actors/command_policy.hpp).

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace cluster {

/// The policy's rules by their stable names, as errors and the node file spell them.
inline constexpr std::array<std::string_view, 6> policy_rule_names = {
  "recursive-delete-root",  // rm -r of /, /*, a top-level system directory
  "recursive-delete-home",  // rm -r of ~, $HOME or everything in it
  "format-block-device",    // mkfs*, wipefs, shred, ... on a disk
  "write-block-device",     // dd of=, tee, cp or a redirection onto a disk
  "fork-bomb",              // a function that runs itself in a pipe or the background
  "recursive-chmod-root",   // chmod/chown/chgrp -R of / or a system directory
};

/// The rule that refuses the programs of `command_policy::deny_programs`.
inline constexpr std::string_view denied_program_rule = "denied-program";

/// The node file's "policy" object; the default refuses with every rule.
struct command_policy {
  /// Rules turned off, by name (each one of policy_rule_names).
  std::vector<std::string> disabled;
  /// Commands that pass: an entry equal to the whole command, or whose
  /// words begin a simple command's (program and arguments, looked through
  /// wrappers), lets that command through every rule.
  std::vector<std::string> allow;
  /// Programs refused wherever they appear, by base name ("reboot").
  std::vector<std::string> deny_programs;

  /// True unless `rule` is among `disabled`.
  bool enabled(std::string_view rule) const {
    for (auto& d : disabled)
      if (d == rule)
        return false;
    return true;
  }

  friend bool operator==(const command_policy& a, const command_policy& b) {
    return a.disabled == b.disabled && a.allow == b.allow
           && a.deny_programs == b.deny_programs;
  }
};

/// True when `name` is one of policy_rule_names.
inline bool is_policy_rule(std::string_view name) {
  for (auto r : policy_rule_names)
    if (r == name)
      return true;
  return false;
}

} // namespace cluster
