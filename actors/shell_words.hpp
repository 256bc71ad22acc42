#pragma once

// Splitting a shell command line into its simple commands, well enough to
// tell which programs it runs. Not an interpreter: nothing is expanded; the
// aim is to never mistake an argument, a quoted string or a comment for a
// program, and never to miss one hidden behind `&&`, a subshell or `$(...)`.

#include <string>
#include <string_view>
#include <vector>

namespace cluster {

/// The words of one simple command after quote removal, e.g. {"make", "-j8"}.
/// Words are not expanded: `$HOME` stays `$HOME`, and a command substitution
/// stays in its word as `$(...)` (its commands come out as simple commands of
/// their own).
using shell_words = std::vector<std::string>;

/// Every simple command in `command`, in the order they begin in the text:
/// lists and pipelines (`;` `&&` `||` `|` `&` newline) are split, subshells
/// and `{ }` groups opened, and the commands inside `$( )`, backticks and
/// `<( )` included. Redirections and here-document bodies are dropped, since
/// neither names a program. Any input is accepted: an unbalanced quote takes
/// the rest of the text as one word, an unclosed `$(` ends at the end of
/// the text. Linear time, no recursion (random bytes cannot exhaust the stack).
std::vector<shell_words> split_simple_commands(std::string_view command);

} // namespace cluster
