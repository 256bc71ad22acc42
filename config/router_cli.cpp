#include "config/router_cli.hpp"

#include "config/config_flags.hpp"
#include "config/platform_names.hpp"
#include "transport/shell_quote.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace cluster {

namespace {

constexpr const char* overview = R"(usage: cluster-router <command> [options]

Runs shell commands on the node of the cluster that fits them best.

commands:
  submit [options] -- COMMAND [ARG...]   run a command and wait for it
  explain [options] -- COMMAND [ARG...]  say where it would run, and why
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

constexpr const char* status_help = R"(usage: cluster-router cluster-status [--json]

Prints every node's health (CPU %, memory %, load, status) and its slots.
)";

constexpr const char* config_help = R"(usage: cluster-router config

Prints every setting with its effective value and where it came from
(default, node file, environment, --set), then every node as configured.
)";

// Takes the value of an option given as `--opt VALUE` or `--opt=VALUE`.
std::string take_value(const std::vector<std::string>& args, std::size_t& i,
                       const std::string& name, const std::string& inline_value,
                       bool has_inline) {
  if (has_inline)
    return inline_value;
  if (i + 1 >= args.size())
    throw usage_error("option " + name + " needs a value");
  return args[++i];
}

std::uint32_t parse_seconds_ms(const std::string& name, const std::string& v) {
  errno = 0;
  char* end = nullptr;
  double s = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || errno != 0 || !std::isfinite(s) || s <= 0
      || s > 86'400 * 7)
    throw usage_error(name + ": '" + v
                      + "' is not a positive number of seconds");
  return static_cast<std::uint32_t>(std::ceil(s * 1000));
}

std::uint32_t parse_bytes(const std::string& name, const std::string& v) {
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos
      || v.size() > 9 || std::stoul(v) == 0)
    throw usage_error(name + ": '" + v + "' is not a positive number of bytes");
  return static_cast<std::uint32_t>(std::stoul(v));
}

// submit and explain: the same options, so a submit line can be explained
// by changing its verb.
router_invocation parse_run(const std::vector<std::string>& args,
                            std::size_t i, router_invocation inv,
                            const std::string& verb) {
  inv.what = verb == "explain" ? router_invocation::verb::explain
                               : router_invocation::verb::submit;
  auto& req = inv.request;
  std::vector<std::string> command;
  for (; i < args.size(); ++i) {
    auto arg = args[i];
    if (arg == "--") {
      command.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (arg == "--help" || arg == "-h") {
      inv.what = router_invocation::verb::help;
      inv.help_topic = verb;
      return inv;
    }
    if (take_config_flag(args, i, inv.config))
      continue;
    auto eq = arg.find('=');
    auto name = arg.substr(0, eq);
    bool has_inline = eq != std::string::npos;
    auto inline_value = has_inline ? arg.substr(eq + 1) : std::string{};
    auto value = [&] {
      return take_value(args, i, name, inline_value, has_inline);
    };
    if (name == "--node") {
      req.node = value();
      if (req.node.empty())
        throw usage_error("--node: the node id must not be empty");
    } else if (name == "--os" || name == "--requires-os") {
      auto v = value();
      auto os = canonical_os(v);
      if (!os)
        throw usage_error(name + ": '" + v + "' is not linux, darwin or macos");
      req.needs.os = *os;
    } else if (name == "--arch" || name == "--requires-arch") {
      auto v = value();
      auto arch = canonical_arch(v);
      if (!arch)
        throw usage_error(name + ": '" + v
                          + "' is not x86_64, amd64, arm64 or aarch64");
      req.needs.arch = *arch;
    } else if (name == "--requires-capability") {
      auto v = value();
      if (v.empty())
        throw usage_error(name + ": the capability must not be empty");
      auto& caps = req.needs.capabilities;
      // Named once in a placement error, however often it was given.
      if (std::find(caps.begin(), caps.end(), v) == caps.end())
        caps.push_back(v);
    } else if (name == "--timeout") {
      req.timeout_ms = parse_seconds_ms("--timeout", value());
    } else if (name == "--cwd") {
      req.cwd = value();
      if (req.cwd.empty())
        throw usage_error("--cwd: the directory must not be empty");
    } else if (name == "--output-limit") {
      req.output_limit = parse_bytes("--output-limit", value());
    } else if (name == "--no-auto-route" && !has_inline) {
      req.auto_route = false;
    } else if (name == "--json" && !has_inline) {
      inv.json = true;
    } else if (!arg.empty() && arg[0] == '-') {
      throw usage_error(verb + ": unknown option '" + arg + "'");
    } else {
      // A bare word starts the command: `submit uname -a` works like `--`.
      command.assign(args.begin() + static_cast<long>(i), args.end());
      break;
    }
  }
  if (command.empty())
    throw usage_error(verb + ": no command given (usage: cluster-router "
                      + verb + " [options] -- COMMAND [ARG...])");
  req.command = transport::join_command(command);
  if (req.command.find_first_not_of(" \t\n") == std::string::npos)
    throw usage_error(verb + ": the command is empty");
  return inv;
}

} // namespace

router_invocation parse_router_args(const std::vector<std::string>& args) {
  router_invocation inv;
  std::size_t first = 0;
  while (first < args.size() && take_config_flag(args, first, inv.config))
    ++first;
  if (first >= args.size())
    throw usage_error("no command given");
  auto& verb = args[first];
  if (verb == "--help" || verb == "-h" || verb == "help") {
    inv.what = router_invocation::verb::help;
    if (verb == "help" && args.size() > first + 1) {
      auto& topic = args[first + 1];
      if (topic != "submit" && topic != "explain" && topic != "cluster-status"
          && topic != "config")
        throw usage_error("help: unknown command '" + topic + "'");
      inv.help_topic = topic;
    }
    return inv;
  }
  if (verb == "submit" || verb == "explain")
    return parse_run(args, first + 1, std::move(inv), verb);
  if (verb == "cluster-status" || verb == "config") {
    inv.what = verb == "config" ? router_invocation::verb::config
                                : router_invocation::verb::cluster_status;
    for (std::size_t i = first + 1; i < args.size(); ++i) {
      if (args[i] == "--json" && verb == "cluster-status") {
        inv.json = true;
      } else if (args[i] == "--help" || args[i] == "-h") {
        inv.what = router_invocation::verb::help;
        inv.help_topic = verb;
        return inv;
      } else if (!take_config_flag(args, i, inv.config)) {
        throw usage_error(verb + ": unknown option '" + args[i] + "'");
      }
    }
    return inv;
  }
  throw usage_error("unknown command '" + verb + "'");
}

std::string router_usage(const std::string& topic) {
  if (topic == "submit")
    return submit_help;
  if (topic == "explain")
    return explain_help;
  if (topic == "cluster-status")
    return status_help;
  if (topic == "config")
    return config_help;
  return overview;
}

} // namespace cluster
