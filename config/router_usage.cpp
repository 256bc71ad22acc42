#include "config/router_cli.hpp"

// The help texts of cluster-router, one per subcommand.

namespace cluster {

namespace {

constexpr const char* overview = R"(usage: cluster-router <command> [options]

Runs shell commands on the node of the cluster that fits them best.

commands:
  submit [options] -- COMMAND [ARG...]   run a command and wait for it
  explain [options] -- COMMAND [ARG...]  say where it would run, and why
  parallel [options] -- COMMAND...       run many commands at once, or one
                                         command on many nodes (--broadcast)
  cluster-status [--json]                show every node's health and slots
  config                                 show the effective settings and nodes
  help [COMMAND]                         show help

options for every command:
  --config PATH        the node file (default: CLUSTER_CONFIG, else
                       $XDG_CONFIG_HOME/cluster-exec/nodes.json if it exists)
  --set KEY=VALUE      override one setting (see 'cluster-router config')

Run 'cluster-router COMMAND --help' for the options of a command.
)";

constexpr const char* submit_help = R"(usage: cluster-router submit [options] -- COMMAND [ARG...]

Runs COMMAND on the best node and exits with its exit status. One COMMAND
argument is a shell command as written ('make -j8 && make test'); several are
an argument vector, quoted exactly.

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
  --output-limit BYTES bytes of each stream to keep (head and tail)
  --json               print the result as JSON instead of the output

exit status: the command's own; 124 timeout; 125 cluster-exec could not run
it (no node fits, unknown node); 126 it could not be started (bad --cwd);
130 interrupted; 2 usage error.
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
125 no node can run it, as 'submit' would exit; 2 usage error.
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

constexpr const char* status_help = R"(usage: cluster-router cluster-status [--json]

Prints every node's health (CPU %, memory %, load, status) and its slots.
)";

constexpr const char* config_help = R"(usage: cluster-router config

Prints every setting with its effective value and where it came from
(default, node file, environment, --set), then every node as configured.
)";

struct usage_topic {
  const char* name;
  const char* text;
};

constexpr usage_topic topics[] = {
  {"submit", submit_help},         {"explain", explain_help},
  {"parallel", parallel_help},     {"cluster-status", status_help},
  {"config", config_help},
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
