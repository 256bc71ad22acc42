#pragma once

// Paths as the command policy reads them from unexpanded shell words:
// normalized lexically (`//usr/./` is `/usr`, `/tmp/../etc` is `/etc`),
// anchored at the root or the home directory, or unknown when a word
// depends on a variable or on a directory nobody named.

#include "actors/command_class.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cluster {

/// Where a path word points, as far as its text tells.
struct path_ref {
  /// unknown: a relative path in an unknown directory, `$X/...`, `~-`;
  /// root: an absolute path; home: `~`, `~user`, `$HOME`, `${HOME}`.
  enum class anchor { unknown, root, home };
  anchor from = anchor::unknown;
  std::vector<std::string> parts;  ///< Components below the anchor; no "", "." or "..".
};

/// Resolves `word` against the directory `cwd` (unknown cwd: only absolute
/// and home-relative words resolve).
path_ref resolve_path(std::string_view word, const path_ref& cwd);

/// The path as a message shows it: "/", "/usr/*", "~", "~/*".
std::string display_path(const path_ref& p);

/// True when removing `p` recursively (or changing it recursively) reaches
/// all of the root or of a system directory: `/`, `/*`, `/usr`, `/u*`,
/// `/usr/*`, but not `/usr/local` or `/tmp`.
bool is_system_path(const path_ref& p, const name_set& system_dirs);

/// True for the home directory itself or everything in it (`~`, `~/*`).
bool is_home_path(const path_ref& p);

/// True when `p` matches one of the fnmatch(3) `patterns` of whole-disk devices.
bool is_block_device(const path_ref& p, const std::vector<std::string>& patterns);

/// The words bash's brace expansion makes of `word` (`/{usr,tmp}` gives
/// `/usr` and `/tmp`), at most `limit` of them; `word` alone when it has no
/// braces to expand.
std::vector<std::string> expand_braces(const std::string& word,
                                       std::size_t limit = 64);

} // namespace cluster
