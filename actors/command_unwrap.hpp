#pragma once

// What one simple command actually runs once the words that only wrap it
// are looked through: `sudo -u x env A=1 nice -n 5 make` runs make, and
// `bash -c 'cd x && make'` runs the command line inside the string. The
// classifier and the command policy read commands the same way through this.

#include "actors/command_class.hpp"
#include "actors/shell_words.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace cluster {

/// The program a simple command runs, as found by unwrap_command.
struct unwrapped_command {
  /// nothing: only assignments or keywords; lookup: a wrapper that looks a
  /// name up and runs nothing (`command -v make`); program: `name` runs;
  /// nested: a shell's `-c STRING` or `eval`, which run `nested` as a line.
  enum class kind { nothing, lookup, program, nested };
  kind what = kind::nothing;
  std::string name;       ///< The program's base name ("make" for /usr/bin/make).
  std::size_t args = 0;   ///< Index of the program's first argument in the words.
  std::string nested;     ///< kind::nested: the command line it runs.
};

/// Looks through keywords (`{`, `if`, `!`), assignments (`CC=clang`) and
/// the wrappers of `lists.prefixes` to the program `words` runs; a shell of
/// `lists.shells` with `-c`, and `eval`, come back as nested lines.
unwrapped_command unwrap_command(const shell_words& words,
                                 const command_lists& lists);

/// True for a shell assignment word: `NAME=value`, `NAME+=x`, `a[1]=x`.
bool is_assignment(std::string_view word);

/// The last path component of a program word; the word itself when it has none.
std::string base_name(const std::string& word);

/// True for a word that reads as an option: a '-' and at least one more character.
bool is_option(std::string_view word);

} // namespace cluster
