#pragma once

// What the command policy's rules look for, as data: the directories a
// recursive delete must not reach, the device paths that are whole disks,
// and the programs that delete, format, write or change modes.

#include "actors/command_class.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace cluster {

/// A program that walks a tree when given its recursive flag.
struct recursive_program {
  /// Short option letters that mean recursive ("rR" for rm, "R" for chmod,
  /// whose `-r` is a mode), also inside clusters like `-rf`.
  std::string short_flags;
  /// `--recursive` is also accepted abbreviated, as getopt does, down to
  /// this many letters after the dashes (rm takes `--r`; chmod needs `--rec`,
  /// `--re` being ambiguous with `--reference`).
  std::size_t long_prefix = 1;
};

/// The rules' lists; default_policy_lists() documents each choice.
struct policy_lists {
  /// Top-level directories that a recursive delete or mode change must not
  /// reach: `/usr`, `/usr/`, `/usr/*` and `/*` are refused, `/usr/local/x` is not.
  name_set system_dirs;
  /// Whole-disk device paths, as fnmatch(3) patterns on the normalized
  /// path ("/dev/sd*", "/dev/nvme*").
  std::vector<std::string> block_devices;
  /// Programs that delete (rm).
  std::map<std::string, recursive_program, std::less<>> deleters;
  /// Programs that change modes or owners (chmod, chown, chgrp).
  std::map<std::string, recursive_program, std::less<>> mode_changers;
  /// Programs that destroy what is on a device they are given, as fnmatch
  /// patterns ("mkfs.*", "wipefs", "shred").
  std::vector<std::string> formatters;
  /// Programs that name their output with an operand prefix ("dd" -> "of=").
  std::map<std::string, std::string, std::less<>> output_operands;
  /// Programs that write to every file operand (tee).
  name_set file_writers;
  /// Programs that write to their last operand or `-t DIR` (cp).
  name_set copiers;
  /// Builtins that change the directory later commands run in (cd, pushd).
  name_set directory_changers;
};

/// The defaults: Linux and macOS system directories and disk devices.
const policy_lists& default_policy_lists();

} // namespace cluster
