#pragma once

// Heavy or light: whether a shell command is worth sending to the node with
// the most headroom, or cheap enough to run where the caller is. Decided per
// simple command on real shell words, never by substring (the seed matched
// `rg` in "merge" and `tar` in "restart", and kept `cd x && make` local).

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cluster {

/// Light commands stay local unless the local node is overloaded; heavy ones
/// go to the eligible node with the most headroom.
enum class command_weight { light, heavy };

/// Names compared with string_view without copying.
using name_set = std::set<std::string, std::less<>>;

/// A wrapper that runs the command after it (`sudo`, `env`, `timeout 60`):
/// the words it consumes, so that the program it runs is the one weighed.
struct prefix_rule {
  /// Options whose value is the next word (`sudo -u build`).
  name_set value_options;
  /// Positional words before the command (`timeout DURATION`).
  std::size_t positionals = 0;
  /// Whether `VAR=x` words may follow (`env CC=clang make`).
  bool assignments = false;
  /// Options that make the wrapper look a name up instead of running it
  /// (`command -v make` runs nothing).
  name_set lookup_options;
};

/// A program whose cost depends on its subcommand (`npm ci` vs `npm view`).
struct subcommand_rule {
  std::string category;  ///< Named in the reason: "npm ci (build)".
  name_set heavy;  ///< Subcommands (or options, e.g. cmake's `--build`) that are heavy.
  name_set light;  ///< Ones that stay light whatever the default.
  /// Options whose value is the next word, skipped while looking for the
  /// subcommand (`git -C dir clone`).
  name_set value_options;
  /// Group words that only introduce the real subcommand (`docker image build`).
  name_set groups;
  bool default_heavy = false;  ///< An unlisted subcommand (yarn runs it as a script).
  bool bare_heavy = false;     ///< No subcommand at all (bare `yarn` installs).
};

/// What counts as heavy, as data so that a configuration can change it.
struct command_lists {
  /// Programs heavy whatever their arguments, with a category for the reason.
  std::map<std::string, std::string, std::less<>> heavy;
  /// Programs weighed by their subcommand (npm, yarn, pnpm, git, docker, go, cmake).
  std::map<std::string, subcommand_rule, std::less<>> subcommands;
  /// Wrappers looked through to the program they run.
  std::map<std::string, prefix_rule, std::less<>> prefixes;
  /// Searchers heavy only when recursive (`grep -r`); plain grep filters a pipe.
  name_set recursive_searchers;
  /// Interpreters whose `-m MODULE` runs that module as the program
  /// (`python3 -m pytest`); version suffixes are ignored (`python3.12`).
  name_set module_runners;
  /// Shells whose `-c STRING` is itself a command line to classify.
  name_set shells;
  /// Reserved words that precede a command without being one (`if`, `do`, `{`, `!`).
  name_set keywords;
  /// Arguments that only ask a program about itself; a command made of
  /// nothing else is light (`make --version`).
  name_set info_options;
};

/// The seed's offload lists, corrected and extended (see command_class.cpp
/// for each decision).
const command_lists& default_command_lists();

/// The verdict on one command line, with enough detail to explain a routing
/// decision to the caller.
struct command_profile {
  command_weight weight = command_weight::light;  ///< Heavy if any program is.
  /// Every program the command runs, in order of appearance, as looked
  /// through wrappers (`sudo make` gives `make`, `python3 -m pytest` gives
  /// `pytest`, `bash -c 'make'` gives `make`).
  std::vector<std::string> programs;
  /// Why, for humans: "heavy: make (build) in segment 2" or "light: ls, wc".
  std::string reason;
  /// The categories of its heavy programs, first seen first ("build",
  /// "test", "compile", "container", "file", "media", "vcs"): what a node's
  /// specialties are matched against.
  std::vector<std::string> categories;
};

/// Classifies `command`: heavy when any simple command in it (in lists,
/// pipelines, subshells, substitutions) runs a heavy program. Never throws
/// on malformed input; an empty command is light with no programs.
command_profile classify_command(std::string_view command,
                                 const command_lists& lists = default_command_lists());

} // namespace cluster
