#pragma once

// The command line of cluster-router, parsed into what to do.

#include "config/config_flags.hpp"
#include "messages/run.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cluster {

/// A command line we cannot accept; the message says what is wrong.
class usage_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// What `parallel` was asked besides the options it shares with `submit`.
struct parallel_invocation {
  /// One shell command per entry: the arguments after `--`, or --file's lines.
  std::vector<std::string> commands;
  std::string file;            ///< --file: read the commands from it ("-": stdin).
  bool broadcast = false;      ///< --broadcast (or --nodes): one command, every node.
  std::vector<std::string> nodes;  ///< --nodes a,b,c: the broadcast's targets.
  batch_options options;       ///< --max-parallel, --fail-fast.
  bool merge = true;           ///< false (--no-merge): every node's output apart.
  bool progress = false;       ///< --progress: progress lines even off a terminal.
};

/// What the subcommands that read the task journal (status, logs, cancel,
/// tasks) were asked.
struct task_invocation {
  std::string id;              ///< status, logs, cancel: an id or a unique prefix.
  bool follow = false;         ///< status, logs --follow: until the task is final.
  bool stderr_stream = false;  ///< logs --stderr: the stderr spool, not stdout.
  std::uint32_t tail = 0;      ///< logs --tail N: the last N lines; 0: all.
  std::uint32_t limit = 20;    ///< tasks --limit N.
  std::string state;           ///< tasks --state S: a task_state name; empty: any.
  std::uint32_t wait_ms = 10'000;  ///< cancel --wait S: how long to wait for the end.
};

/// One parsed invocation of cluster-router.
struct router_invocation {
  /// The subcommand.
  enum class verb {
    help, submit, explain, parallel, cluster_status, config,
    status, logs, cancel, tasks, nodes,
  };

  verb what = verb::help;  ///< What to do.
  std::string help_topic;  ///< For `help`: "" or a subcommand's name.
  /// For `submit` and `explain`: task_id left empty. For `parallel`: the
  /// template of every item (requirements, timeout, cwd), command empty.
  run_request request;
  parallel_invocation parallel;  ///< For `parallel`.
  task_invocation task;    ///< For status, logs, cancel and tasks.
  bool detach = false;     ///< submit --detach: print the id, run on in the background.
  bool watch = false;      ///< cluster-status --watch: redraw until interrupted.
  std::uint32_t interval_ms = 2'000;  ///< cluster-status --interval S.
  bool json = false;       ///< Print JSON instead of text.
  config_flags config;     ///< --config and --set.
};

/// Parses the arguments after the program name; throws `usage_error`.
router_invocation parse_router_args(const std::vector<std::string>& args);

/// Reads parallel's --file, when one was given, into its commands and checks
/// them as parse_router_args checks commands given after `--`; throws
/// `usage_error` (an unreadable file included).
void load_command_file(parallel_invocation& p);

/// The commands of a command file: one per line; blank lines and lines
/// whose first non-blank character is `#` are skipped.
std::vector<std::string> command_lines(std::string_view text);

/// The usage text for `topic` ("" for the overview).
std::string router_usage(const std::string& topic);

/// True when `topic` names a subcommand that has its own usage text.
bool has_usage(const std::string& topic);

} // namespace cluster
