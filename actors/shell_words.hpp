#pragma once

// Splitting a shell command line into its simple commands, well enough to
// tell which programs it runs. Not an interpreter: nothing is expanded; the
// aim is to never mistake an argument, a quoted string or a comment for a
// program, and never to miss one hidden behind `&&`, a subshell or `$(...)`.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cluster {

/// The words of one simple command after quote removal, e.g. {"make", "-j8"}.
/// Words are not expanded: `$HOME` stays `$HOME`, and a command substitution
/// stays in its word as `$(...)` (its commands come out as simple commands of
/// their own).
using shell_words = std::vector<std::string>;

/// One redirection of a simple command.
struct shell_redirect {
  /// The operator as written, without a leading descriptor number: ">",
  /// ">>", ">|", "&>", "&>>", "<>", ">&", "<", "<&", "<<", "<<-", "<<<".
  std::string op;
  /// The word after it, quotes removed (a here-document's delimiter).
  std::string target;
  /// A here-document's body, one "\n" after each line; empty otherwise.
  std::string body;
};

/// One simple command with everything split_simple_commands leaves out.
struct simple_command {
  shell_words words;                      ///< As split_simple_commands gives them.
  std::vector<shell_redirect> redirects;  ///< In the order they are written.
  /// Where it stands in the text that was split: [begin, end), from its
  /// first word or redirection to its last.
  std::size_t begin = 0;
  std::size_t end = 0;  ///< One past its last character.
  /// The operator that ended it: "|", "|&", "&", "&&", "||", ";", ";;",
  /// "\n", "(" or ")"; empty at the end of the text or of a substitution.
  std::string terminator;
  /// True for `name()` (and `function name()`): its last word names a
  /// function whose body follows.
  bool defines_function = false;
};

/// Every simple command in `command`, in the order they begin in the text:
/// lists and pipelines (`;` `&&` `||` `|` `&` newline) are split, subshells
/// and `{ }` groups opened, and the commands inside `$( )`, backticks and
/// `<( )` included. Redirections and here-document bodies are dropped, since
/// neither names a program. Any input is accepted: an unbalanced quote takes
/// the rest of the text as one word, an unclosed `$(` ends at the end of
/// the text. Linear time, no recursion (random bytes cannot exhaust the stack).
std::vector<shell_words> split_simple_commands(std::string_view command);

/// The same split, keeping each command's redirections (here-document
/// bodies included), its place in the text and what ended it; a command of
/// redirections alone (`> file`) is kept too.
std::vector<simple_command> split_commands(std::string_view command);

} // namespace cluster
