#include "config/router_cli.hpp"

// The help texts of cluster-router, one per subcommand.

namespace cluster {

namespace {

constexpr const char* overview = R"(usage: cluster-router <command> [options]

Runs shell commands on the node of the cluster that fits them best, and
keeps a journal of every task (this command line's and the MCP server's).

commands:
  submit [options] -- COMMAND [ARG...]   run a command, its output live
  submit --detach [options] -- COMMAND   start it in the background, print its id
  explain [options] -- COMMAND [ARG...]  say where it would run, and why
  parallel [options] -- COMMAND...       run many commands at once, or one
                                         command on many nodes (--broadcast)
  status ID [--follow]                   show a task (id or unique prefix)
  logs ID [--stderr] [--tail N] [--follow]
                                         print a task's output, byte for byte
  cancel ID                              cancel a running or queued task
  tasks [--limit N] [--state S]          list recent tasks, newest first
  cluster-status [--watch]               show every node's health and slots
  nodes                                  list the configured nodes
  config                                 show the effective settings and nodes
  help [COMMAND]                         show help

options for every command:
  --config PATH        the node file (default: CLUSTER_CONFIG, else
                       $XDG_CONFIG_HOME/cluster-exec/nodes.json if it exists)
  --set KEY=VALUE      override one setting (see 'cluster-router config')
All but logs, config and help also take --json: JSON for scripts.

The journal and the tasks' full output live in the state directory:
CLUSTER_STATE_DIR, else $XDG_STATE_HOME/cluster-exec, else
~/.local/state/cluster-exec. Colour is used only on a terminal, never with
NO_COLOR set.

exit status:
  0    done (submit, status --follow: the command exited 0)
  N    submit, status --follow: the command's own exit status
  1    parallel: a command failed; status, logs, cancel: no such task;
       cancel: the task had ended or did not end in time
  2    usage error, or a task id prefix that names several tasks
  3    the task journal cannot be used (the state directory is not writable,
       the database is damaged)
  124  the command timed out
  125  cluster-exec could not run it (no node fits, unknown node, overloaded,
       refused by the command policy)
  126  it could not be started (bad --cwd)
  130  interrupted (Ctrl-C, SIGTERM) or cancelled

Run 'cluster-router COMMAND --help' for the options of a command.
)";

constexpr const char* submit_help = R"(usage: cluster-router submit [options] -- COMMAND [ARG...]
       cluster-router submit --detach [options] -- COMMAND [ARG...]

Runs COMMAND on the best node and exits with its exit status, printing its
stdout and stderr as they come (followed from the task's spool files; with
no usable state directory, all at once at the end). One COMMAND argument is
a shell command as written ('make -j8 && make test'); several are an
argument vector, quoted exactly. Every task is recorded in the journal: see
'status', 'logs', 'tasks'.

With --detach it prints the task's id and returns at once (exit 0) while a
detached runner, a process of its own without a terminal, carries the task
to its end; follow it with 'status ID --follow' or 'logs ID --follow', stop
it with 'cancel ID'. The runner's own messages, if any, go to
<state dir>/runner-ID.log. --detach needs a usable journal: without one it
runs nothing and exits 3.

options:
  --node ID            run on this node (id or alias)
  --os OS, --requires-os OS
                       require linux or darwin (macos)
  --arch ARCH, --requires-arch ARCH
                       require x86_64 (amd64) or arm64 (aarch64)
  --requires-capability CAP
                       require a capability of the node file (repeatable:
                       every one must be offered)
  --no-auto-route      stay on the local node (requirements still apply)
  --timeout SECONDS    kill the command after this long (default
                       CLUSTER_CMD_TIMEOUT, 300)
  --cwd DIR            working directory on the node
  --output-limit BYTES keep only this much of each stream (head and tail),
                       printed when the command ends (also when
                       CLUSTER_OUTPUT_LIMIT is set; default: all of it, live)
  --detach             start it in the background, print its id and return
  --json               print the result as JSON instead of the output
                       (with --detach: {"task_id", "runner_pid", "log"})

Ctrl-C kills the command's process group (not a detached one's: use cancel).

exit status: the command's own; 124 timeout; 125 cluster-exec could not run
it (no node fits, unknown node, the command policy refused it); 126 it could
not be started (bad --cwd); 130 interrupted; 2 usage error. With --detach: 0
started; 3 the journal cannot be used; 125 the runner failed.
)";

constexpr const char* explain_help = R"(usage: cluster-router explain [options] -- COMMAND [ARG...]

Prints where COMMAND would run now and why, with every node's verdict
(eligible or not, and its load); runs nothing. Takes the options of
'submit' (--timeout, --cwd and --output-limit are accepted and do not
change the decision), so a submit command line can be checked as is.

options:
  --node ID            the node it would run on (id or alias)
  --os OS, --requires-os OS
                       require linux or darwin (macos)
  --arch ARCH, --requires-arch ARCH
                       require x86_64 (amd64) or arm64 (aarch64)
  --requires-capability CAP
                       require a capability of the node file (repeatable)
  --no-auto-route      consider the local node only
  --json               print the decision as JSON

exit status: 0 a node would take it (perhaps after waiting for a slot);
125 no node can run it or the command policy would refuse it, as 'submit'
would exit; 2 usage error.
)";

constexpr const char* parallel_help = R"(usage: cluster-router parallel [options] -- COMMAND...
       cluster-router parallel [options] --file FILE
       cluster-router parallel --broadcast [--nodes ID,...] [options] -- COMMAND

Runs many shell commands at once over the cluster's free slots and prints
each one's outcome and output in input order. Each argument after '--' is one
shell command ('make -C a', 'make -C b'), each routed on its own like
'submit'. With --broadcast, the one COMMAND runs on every node that meets the
requirements (or on the --nodes), and nodes with identical output are shown
once, as one group.

options:
  --file FILE          read the commands from FILE, one per line ('-': stdin;
                       blank lines and lines starting with '#' are skipped)
  --broadcast          run the one COMMAND on every eligible node
  --nodes ID,...       broadcast to these nodes (ids or aliases), in this order
  --max-parallel N     run at most N of the commands at once
  --fail-fast          after the first command that fails, cancel the rest
  --os OS, --requires-os OS
                       require linux or darwin (macos) for every command
  --arch ARCH, --requires-arch ARCH
                       require x86_64 (amd64) or arm64 (aarch64)
  --requires-capability CAP
                       require a capability of the node file (repeatable)
  --timeout SECONDS    kill each command after this long (default
                       CLUSTER_CMD_TIMEOUT, 300)
  --cwd DIR            working directory of each command
  --output-limit BYTES bytes of each stream of each command to keep
  --no-merge           broadcast: print every node's output on its own
  --progress           one line per finished command on stderr (the default
                       when stderr is a terminal)
  --json               print the results as JSON (results, total, succeeded,
                       failed; groups for a broadcast)

Ctrl-C cancels the whole batch: queued commands never start, running ones
are killed; the results so far are printed.

exit status: 0 every command succeeded; 1 at least one failed (or was
cancelled); 125 the batch was refused as a whole (no node fits, overloaded);
130 interrupted; 2 usage error.
)";

constexpr const char* status_help = R"(usage: cluster-router cluster-status [--json] [--watch [--interval SECONDS]]

Samples every node and prints its health (CPU %, memory %, load, status) and
its slots.

options:
  --json               print the status object (as the MCP tool's)
  --watch              sample and redraw every interval until Ctrl-C (which
                       ends it with exit 0); the screen is cleared only on a
                       terminal; with --json one object per line
  --interval SECONDS   the interval of --watch (default 2)

exit status: 0; 125 the runtime did not answer; 2 usage error.
)";

constexpr const char* config_help = R"(usage: cluster-router config

Prints every setting with its effective value and where it came from
(default, node file, environment, --set), then every node as configured.
)";

constexpr const char* nodes_help = R"(usage: cluster-router nodes [--json]

Lists the nodes of the configuration: id, where it is (local, or
user@host[:port]), platform, slots, capabilities, specialties, aliases.
Nothing is contacted ('cluster-status' samples them).

options:
  --json               {"nodes": [{id, aliases, local, host, hostname,
                       fallback_ip, port, user, os, arch, slots,
                       capabilities, specialties}]} (ssh fields null for the
                       local node)
)";

constexpr const char* task_status_help = R"(usage: cluster-router status ID [--follow] [--json]

Shows a task of the journal: its state, command, node and why, who submitted
it, when it was created, started and finished, how it ended, where its
output is spooled, and the last lines of its output. ID is a task id or a
prefix of exactly one. Tasks of the MCP server show too.

options:
  --follow             wait until the task has ended, then show it and exit
                       with the status 'submit' would have had
  --json               print the task as one JSON object (the MCP task
                       tools' members, then requested_node, requires, cwd,
                       owner_pid, batch_id, stdout_path, stderr_path)

exit status: 0 shown (--follow: the task's exit status, 124 timeout, 125
could not run or lost, 126 could not start, 130 cancelled); 1 no such task;
2 the prefix names several tasks (they are listed); 3 the journal cannot be
used.
)";

constexpr const char* logs_help = R"(usage: cluster-router logs ID [--stderr] [--tail N] [--follow]

Prints a task's stdout (or stderr) exactly as the command wrote it, byte for
byte, from its spool file, however long. Without a spool file (spooling was
off, or the file was removed) it prints the head and tail the journal kept,
and says so on stderr.

options:
  --stderr             the task's stderr instead of its stdout
  --tail N             only the last N lines
  --follow             keep printing what the task writes until it ends

exit status: 0; 1 no such task, or the output could not be written; 2 the
prefix names several tasks; 3 the journal cannot be used.
)";

constexpr const char* cancel_help = R"(usage: cluster-router cancel ID [--wait SECONDS] [--json]

Asks the process that runs the task (a submit, a detached runner, the MCP
server) to cancel it: a queued task never starts, a running one has its
process group killed. That process looks for requests about once a second.
Then waits for the task to end and prints its final state.

options:
  --wait SECONDS       how long to wait for the end (default 10)
  --json               print the task as 'status --json' does

exit status: 0 the task ended cancelled; 1 no such task, it had already
ended, it ended otherwise first, or it had not ended within --wait; 2 the
prefix names several tasks; 3 the journal cannot be used.
)";

constexpr const char* tasks_help = R"(usage: cluster-router tasks [--limit N] [--state STATE] [--json]

Lists the journal's tasks, newest first: id, state, node, when it started,
how long it ran, how it ended (exit status or error), command. On a terminal
the rows are cut to its width.

options:
  --limit N            at most N tasks (default 20)
  --state STATE        only tasks in STATE: queued, running, succeeded,
                       failed, cancelled or lost
  --json               {"tasks": [...]}, each as 'status --json' without
                       the output tails

exit status: 0; 2 usage error; 3 the journal cannot be used.
)";

struct usage_topic {
  const char* name;
  const char* text;
};

constexpr usage_topic topics[] = {
  {"submit", submit_help},         {"explain", explain_help},
  {"parallel", parallel_help},     {"cluster-status", status_help},
  {"config", config_help},         {"nodes", nodes_help},
  {"status", task_status_help},    {"logs", logs_help},
  {"cancel", cancel_help},         {"tasks", tasks_help},
};

} // namespace

bool has_usage(const std::string& topic) {
  for (auto& t : topics)
    if (topic == t.name)
      return true;
  return false;
}

std::string router_usage(const std::string& topic) {
  for (auto& t : topics)
    if (topic == t.name)
      return t.text;
  return overview;
}

} // namespace cluster
