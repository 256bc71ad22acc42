// The arguments of the cluster-router subcommands that run nothing: those
// that read the task journal, and those that show the cluster.

#include "config/config_flags.hpp"
#include "config/router_cli_detail.hpp"
#include "messages/task.hpp"

namespace cluster::cli {

namespace {

using verb = router_invocation::verb;

struct query_verb {
  const char* name;
  verb what;
  bool takes_id;  // a task id (or prefix) as its one bare argument
};

constexpr query_verb query_verbs[] = {
  {"status", verb::status, true},     {"logs", verb::logs, true},
  {"cancel", verb::cancel, true},     {"tasks", verb::tasks, false},
  {"nodes", verb::nodes, false},      {"cluster-status", verb::cluster_status, false},
  {"config", verb::config, false},
};

// One option of one of these verbs; false when `name` is not one of its own.
// `flag` is true when no `=VALUE` is attached; `value()` takes the value.
template <class Value>
bool take_query_option(verb what, const std::string& name, bool flag,
                       Value value, router_invocation& inv) {
  auto& t = inv.task;
  auto is = [&](const char* option, std::initializer_list<verb> verbs) {
    if (name != option)
      return false;
    for (auto v : verbs)
      if (v == what)
        return true;
    return false;
  };
  if (flag && is("--json", {verb::status, verb::cancel, verb::tasks,
                            verb::nodes, verb::cluster_status})) {
    inv.json = true;
  } else if (flag && is("--follow", {verb::status, verb::logs})) {
    t.follow = true;
  } else if (flag && is("--stderr", {verb::logs})) {
    t.stderr_stream = true;
  } else if (is("--tail", {verb::logs})) {
    t.tail = parse_positive("--tail", value(), "number of lines");
  } else if (is("--wait", {verb::cancel})) {
    t.wait_ms = parse_seconds_ms("--wait", value());
  } else if (is("--limit", {verb::tasks})) {
    t.limit = parse_positive("--limit", value(), "number of tasks");
  } else if (is("--state", {verb::tasks})) {
    t.state = value();
    task_state ignored;
    if (!from_string(t.state, ignored))
      throw usage_error("--state: '" + t.state
                        + "' is not queued, running, succeeded, failed, "
                          "cancelled or lost");
  } else if (flag && is("--watch", {verb::cluster_status})) {
    inv.watch = true;
  } else if (is("--interval", {verb::cluster_status})) {
    inv.interval_ms = parse_seconds_ms("--interval", value());
  } else {
    return false;
  }
  return true;
}

} // namespace

bool parse_query_verb(const std::vector<std::string>& args, std::size_t first,
                      router_invocation& inv) {
  const query_verb* q = nullptr;
  for (auto& v : query_verbs)
    if (args[first] == v.name)
      q = &v;
  if (q == nullptr)
    return false;
  std::string name_of_verb = q->name;
  inv.what = q->what;
  for (std::size_t i = first + 1; i < args.size(); ++i) {
    auto& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      inv.what = verb::help;
      inv.help_topic = name_of_verb;
      return true;
    }
    if (take_config_flag(args, i, inv.config))
      continue;
    if (arg.size() > 1 && arg[0] == '-') {
      auto eq = arg.find('=');
      auto name = arg.substr(0, eq);
      bool has_inline = eq != std::string::npos;
      auto inline_value = has_inline ? arg.substr(eq + 1) : std::string{};
      auto value = [&] {
        return take_value(args, i, name, inline_value, has_inline);
      };
      if (!take_query_option(q->what, name, !has_inline, value, inv))
        throw usage_error(name_of_verb + ": unknown option '" + arg + "'");
      continue;
    }
    if (q->takes_id && inv.task.id.empty() && !arg.empty()) {
      inv.task.id = arg;
      continue;
    }
    throw usage_error(name_of_verb + ": unexpected argument '" + arg + "'");
  }
  if (q->takes_id && inv.task.id.empty())
    throw usage_error(name_of_verb + ": no task id given (usage: cluster-router "
                      + name_of_verb + " ID; 'cluster-router tasks' lists them)");
  return true;
}

} // namespace cluster::cli
