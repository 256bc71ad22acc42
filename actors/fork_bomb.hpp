#pragma once

// Recognizing a fork bomb from shell tokens: a function whose body pipes it
// into itself (`:(){ :|:& };:`, `bomb() { bomb | bomb & }`) or starts it in
// the background and calls it again (`f(){ f & f; }`). Ordinary recursion
// (a function calling itself, even twice through `$( )`) is not one.

#include "actors/command_class.hpp"
#include "actors/shell_words.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace cluster {

/// A fork bomb found in one command line.
struct fork_bomb_match {
  std::string name;       ///< The function's name, e.g. ":".
  std::size_t begin = 0;  ///< Its definition in the text: [begin, end).
  std::size_t end = 0;    ///< One past its last character.
};

/// The first fork bomb defined among `cmds` (one line's split_commands),
/// reading programs through the wrappers of `words`; nullopt when none.
std::optional<fork_bomb_match> find_fork_bomb(const std::vector<simple_command>& cmds,
                                              const command_lists& words);

} // namespace cluster
