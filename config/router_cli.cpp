#include "config/router_cli.hpp"

#include "config/config_flags.hpp"
#include "config/router_cli_detail.hpp"
#include "config/platform_names.hpp"
#include "config/text_file.hpp"
#include "transport/shell_quote.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace cluster {

namespace cli {

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

std::uint32_t parse_positive(const std::string& name, const std::string& v,
                             const char* what) {
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos
      || v.size() > 9 || std::stoul(v) == 0)
    throw usage_error(name + ": '" + v + "' is not a positive " + what);
  return static_cast<std::uint32_t>(std::stoul(v));
}

} // namespace cli

namespace {

using cli::parse_positive;
using cli::parse_seconds_ms;
using cli::take_value;

// Walks a subcommand's options up to its command words: those after `--`, or
// from the first bare word on (`submit uname -a` works like `--`). `take(name,
// flag, value)` handles one option and returns false for one it does not
// know; `flag` is true when no `=VALUE` is attached, and `value()` takes the
// option's value. Returns false when --help was asked for: `inv` is then the
// help for `verb`.
template <class Take>
bool walk_options(const std::vector<std::string>& args, std::size_t i,
                  router_invocation& inv, const std::string& verb,
                  std::vector<std::string>& words, Take take) {
  for (; i < args.size(); ++i) {
    auto& arg = args[i];
    if (arg == "--") {
      words.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      return true;
    }
    if (arg == "--help" || arg == "-h") {
      inv.what = router_invocation::verb::help;
      inv.help_topic = verb;
      return false;
    }
    if (take_config_flag(args, i, inv.config))
      continue;
    if (arg.empty() || arg[0] != '-') {
      words.assign(args.begin() + static_cast<long>(i), args.end());
      return true;
    }
    auto eq = arg.find('=');
    auto name = arg.substr(0, eq);
    bool has_inline = eq != std::string::npos;
    auto inline_value = has_inline ? arg.substr(eq + 1) : std::string{};
    auto value = [&] {
      return take_value(args, i, name, inline_value, has_inline);
    };
    if (!take(name, !has_inline, value))
      throw usage_error(verb + ": unknown option '" + arg + "'");
  }
  return true;
}

// The options of every subcommand that runs work (submit, explain,
// parallel): one parser, so that they mean the same in each.
template <class Value>
bool take_run_option(const std::string& name, Value value, run_request& req) {
  if (name == "--os" || name == "--requires-os") {
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
    req.output_limit = parse_positive("--output-limit", value(),
                                      "number of bytes");
  } else {
    return false;
  }
  return true;
}

// submit and explain: the same options, so a submit line can be explained
// by changing its verb.
router_invocation parse_run(const std::vector<std::string>& args,
                            std::size_t i, router_invocation inv,
                            const std::string& verb) {
  inv.what = verb == "explain" ? router_invocation::verb::explain
                               : router_invocation::verb::submit;
  auto& req = inv.request;
  auto take = [&](const std::string& name, bool flag, auto value) {
    if (take_run_option(name, value, req))
      return true;
    if (name == "--node") {
      req.node = value();
      if (req.node.empty())
        throw usage_error("--node: the node id must not be empty");
    } else if (name == "--no-auto-route" && flag) {
      req.auto_route = false;
    } else if (name == "--detach" && flag && verb == "submit") {
      inv.detach = true;
    } else if (name == "--json" && flag) {
      inv.json = true;
    } else {
      return false;
    }
    return true;
  };
  std::vector<std::string> command;
  if (!walk_options(args, i, inv, verb, command, take))
    return inv;
  if (command.empty())
    throw usage_error(verb + ": no command given (usage: cluster-router "
                      + verb + " [options] -- COMMAND [ARG...])");
  req.command = transport::join_command(command);
  if (req.command.find_first_not_of(" \t\n") == std::string::npos)
    throw usage_error(verb + ": the command is empty");
  return inv;
}

// --nodes a,b,c (repeatable) appends each id. A node named twice is the
// router's to refuse, since only it knows which aliases name the same node.
void add_nodes(const std::string& list, std::vector<std::string>& nodes) {
  std::size_t from = 0;
  for (;;) {
    auto comma = list.find(',', from);
    auto id = list.substr(from, comma == std::string::npos ? comma
                                                           : comma - from);
    if (id.empty())
      throw usage_error("--nodes: '" + list
                        + "' has an empty node name (ids, comma-separated)");
    nodes.push_back(std::move(id));
    if (comma == std::string::npos)
      return;
    from = comma + 1;
  }
}

// The rules every command list obeys, from `--` or from --file.
void check_parallel_commands(const parallel_invocation& p) {
  if (p.commands.empty())
    throw usage_error(
      p.file.empty()
        ? "parallel: no command given (usage: cluster-router parallel "
          "[options] -- COMMAND...)"
        : "parallel: --file " + p.file + " holds no command");
  for (std::size_t i = 0; i < p.commands.size(); ++i)
    if (p.commands[i].find_first_not_of(" \t\n") == std::string::npos)
      throw usage_error("parallel: command " + std::to_string(i + 1)
                        + " is empty");
  if (p.broadcast && p.commands.size() > 1)
    throw usage_error(
      "parallel --broadcast/--nodes: one command runs on every node, "
      + std::to_string(p.commands.size())
      + " were given (quote a command with arguments as one: 'uname -a')");
}

router_invocation parse_parallel(const std::vector<std::string>& args,
                                 std::size_t i, router_invocation inv) {
  inv.what = router_invocation::verb::parallel;
  auto& p = inv.parallel;
  auto take = [&](const std::string& name, bool flag, auto value) {
    if (take_run_option(name, value, inv.request))
      return true;
    if (name == "--file") {
      p.file = value();
      if (p.file.empty())
        throw usage_error("--file: the file name must not be empty ('-' "
                          "reads standard input)");
    } else if (name == "--broadcast" && flag) {
      p.broadcast = true;
    } else if (name == "--nodes") {
      add_nodes(value(), p.nodes);
      p.broadcast = true;
    } else if (name == "--max-parallel") {
      p.options.max_parallel = parse_positive("--max-parallel", value(),
                                              "whole number");
    } else if (name == "--fail-fast" && flag) {
      p.options.fail_fast = true;
    } else if (name == "--no-merge" && flag) {
      p.merge = false;
    } else if (name == "--progress" && flag) {
      p.progress = true;
    } else if (name == "--json" && flag) {
      inv.json = true;
    } else {
      return false;
    }
    return true;
  };
  std::vector<std::string> commands;
  if (!walk_options(args, i, inv, "parallel", commands, take))
    return inv;
  if (!p.file.empty() && !commands.empty())
    throw usage_error("parallel: give the commands after -- or in --file, "
                      "not both");
  p.commands = std::move(commands);
  if (p.file.empty())
    check_parallel_commands(p);
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
      if (!has_usage(topic))
        throw usage_error("help: unknown command '" + topic + "'");
      inv.help_topic = topic;
    }
    return inv;
  }
  if (verb == "submit" || verb == "explain")
    return parse_run(args, first + 1, std::move(inv), verb);
  if (verb == "parallel")
    return parse_parallel(args, first + 1, std::move(inv));
  if (cli::parse_query_verb(args, first, inv))
    return inv;
  throw usage_error("unknown command '" + verb + "'");
}

void load_command_file(parallel_invocation& p) {
  if (p.file.empty())
    return;
  // /dev/stdin reads a pipe, a file or a terminal alike.
  auto file = read_text_file(p.file == "-" ? "/dev/stdin" : p.file);
  if (!file.ok)
    throw usage_error("--file " + p.file + ": " + file.error);
  p.commands = command_lines(file.contents);
  check_parallel_commands(p);
}

std::vector<std::string> command_lines(std::string_view text) {
  std::vector<std::string> commands;
  while (!text.empty()) {
    auto eol = text.find('\n');
    auto line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{}
                                         : text.substr(eol + 1);
    // A file written on Windows still holds the commands it shows.
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    auto first = line.find_first_not_of(" \t");
    if (first != std::string_view::npos && line[first] != '#')
      commands.emplace_back(line);
  }
  return commands;
}

} // namespace cluster
