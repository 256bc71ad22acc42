#include "actors/mcp/tool_arguments.hpp"

#include "actors/mcp/json_rpc.hpp"
#include "actors/mcp/tool_catalog.hpp"
#include "actors/utf8.hpp"
#include "config/platform_names.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace cluster::mcp {

namespace {

using json = rapidjson::Value;

constexpr std::size_t max_quoted_bytes = 60;

// A short rendering of what the model sent, for "got ..." in messages.
std::string describe(const json& v) {
  if (v.IsObject())
    return "an object";
  if (v.IsArray())
    return v.Empty() ? "[]" : "an array";
  if (!v.IsString())
    return to_json(v);
  std::string_view text{v.GetString(), v.GetStringLength()};
  if (text.size() <= max_quoted_bytes)
    return to_json(v);
  auto head = text.substr(0, utf8_prefix_boundary(text.substr(0, max_quoted_bytes)));
  json_writer w;
  w.string(head);
  auto quoted = w.str();
  return quoted.insert(quoted.size() - 1, "...");
}

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'
           || c == '\f';
  });
}

std::string_view view(const json& v) {
  return {v.GetString(), v.GetStringLength()};
}

// Reads one tool's arguments, collecting every problem so the model can fix
// them all in one retry.
class argument_reader {
public:
  argument_reader(std::string_view tool, const json* args,
                  const session_options& opts)
    : tool_(tool), args_(args), opts_(opts) {}

  void reject_unknown(std::vector<std::string_view> accepted) {
    if (args_ == nullptr)
      return;
    std::string list;
    for (auto name : accepted)
      list += (list.empty() ? "" : ", ") + std::string{name};
    for (auto& member : args_->GetObject()) {
      auto name = view(member.name);
      if (std::find(accepted.begin(), accepted.end(), name) != accepted.end())
        continue;
      fail("unknown argument \"" + std::string{name} + "\"; " + std::string{tool_}
           + (accepted.empty() ? " takes no arguments" : " accepts " + list));
    }
  }

  // A shell command: non-empty, not blank, no NUL (argv cannot carry one).
  bool shell_command(const char* name, const json& v, std::string& out) {
    if (!v.IsString() || is_blank(view(v)))
      return fail(expected(name, "a non-empty shell command string", v));
    if (view(v).find('\0') != std::string_view::npos)
      return fail(std::string{"argument \""} + name
                  + "\": must not contain NUL characters");
    out.assign(view(v));
    return true;
  }

  void command(std::string& out) {
    if (auto* v = required("command", "the shell command to run"))
      shell_command("command", *v, out);
  }

  void node_id(std::string& out) {
    auto* v = required("node_id", "the id or alias of the node to run on");
    if (v == nullptr)
      return;
    if (!v->IsString() || is_blank(view(*v))
        || view(*v).find('\0') != std::string_view::npos)
      fail(expected("node_id", "a node id or alias (non-empty string)", *v));
    else
      out.assign(view(*v));
  }

  // Node ids or aliases for a broadcast; each at most once.
  void node_names(std::vector<std::string>& out) {
    auto* v = find_member(args_, "nodes");
    if (v == nullptr)
      return;
    if (!v->IsArray() || v->Empty()) {
      fail(expected("nodes", "a non-empty array of node ids or aliases", *v));
      return;
    }
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
      auto& item = (*v)[i];
      auto name = "nodes[" + std::to_string(i) + "]";
      if (!item.IsString() || is_blank(view(item))
          || std::any_of(view(item).begin(), view(item).end(),
                         [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
        fail(expected(name, "a node id or alias (non-empty, no control "
                            "characters)", item));
      else if (std::find(out.begin(), out.end(), view(item)) != out.end())
        fail("argument \"" + name + "\": node \"" + std::string{view(item)}
             + "\" is named twice");
      else
        out.emplace_back(view(item));
    }
  }

  bool has(const char* name) const {
    return find_member(args_, name) != nullptr;
  }

  void commands(std::vector<std::string>& out) {
    auto* v = required("commands", "the list of shell commands to run");
    if (v == nullptr)
      return;
    if (!v->IsArray() || v->Empty()) {
      fail(expected("commands", "a non-empty array of shell command strings", *v));
      return;
    }
    if (v->Size() > opts_.max_batch) {
      fail("argument \"commands\": expected at most "
           + std::to_string(opts_.max_batch) + " commands, got "
           + std::to_string(v->Size()));
      return;
    }
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
      auto name = "commands[" + std::to_string(i) + "]";
      out.emplace_back();
      shell_command(name.c_str(), (*v)[i], out.back());
    }
  }

  void requirements(cluster::requirements& needs) {
    needs.os = choice("requires_os", os_names());
    needs.arch = choice("requires_arch", arch_names());
    capabilities(needs.capabilities);
  }

  // Names are matched exactly against the node file's, which are non-empty
  // and free of control characters: anything else cannot match any node, so
  // it is refused as a typo rather than reported as a capability no node
  // offers. A repeated name is kept once, so placement names it once.
  void capabilities(std::vector<std::string>& out) {
    auto* v = find_member(args_, "requires_capabilities");
    if (v == nullptr)
      return;
    if (!v->IsArray()) {
      fail(expected("requires_capabilities",
                    "an array of capability names (non-empty strings)", *v));
      return;
    }
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
      auto& item = (*v)[i];
      auto name = "requires_capabilities[" + std::to_string(i) + "]";
      if (!item.IsString() || is_blank(view(item))) {
        fail(expected(name, "a capability name (non-empty string)", item));
        continue;
      }
      auto text = view(item);
      if (std::any_of(text.begin(), text.end(), [](unsigned char c) {
            return c < 0x20 || c == 0x7f;
          })) {
        fail("argument \"" + name
             + "\": must not contain NUL or other control characters");
        continue;
      }
      if (std::find(out.begin(), out.end(), view(item)) == out.end())
        out.emplace_back(view(item));
    }
  }

  void auto_route(bool& out) {
    flag("auto_route", out);
  }

  // A boolean argument; `out` keeps its default when the argument is absent.
  void flag(const char* name, bool& out) {
    auto* v = find_member(args_, name);
    if (v == nullptr)
      return;
    if (v->IsBool())
      out = v->GetBool();
    else
      fail(expected(name, "true or false", *v));
  }

  void limits(run_request& req) {
    timeout(req.timeout_ms);
    cwd(req.cwd);
    max_output_bytes(req.output_limit);
  }

  // An integer from 1 to `most`; `out` keeps its default when absent.
  void whole_number(const char* name, std::uint32_t most,
                    std::string_view unit, std::uint32_t& out) {
    auto* v = find_member(args_, name);
    if (v == nullptr)
      return;
    auto range = "an integer from 1 to " + std::to_string(most);
    // 2020-12 counts 1000.0 as an integer; so do we.
    bool integral = v->IsNumber() && std::floor(v->GetDouble()) == v->GetDouble();
    if (!integral || v->GetDouble() < 1 || v->GetDouble() > most)
      fail(expected(name, range + std::string{unit}, *v));
    else
      out = static_cast<std::uint32_t>(v->GetDouble());
  }

  // A problem that is not about one argument's value.
  void refuse(std::string problem) {
    fail(std::move(problem));
  }

  std::string take_error() {
    return std::move(error_);
  }

private:
  static std::string expected(std::string_view name, std::string_view what,
                              const json& got) {
    return "argument \"" + std::string{name} + "\": expected "
           + std::string{what} + ", got " + describe(got);
  }

  bool fail(std::string problem) {
    error_ += (error_.empty() ? "" : "; ") + problem;
    return false;
  }

  const json* required(const char* name, std::string_view what) {
    auto* v = find_member(args_, name);
    if (v == nullptr)
      fail("missing required argument \"" + std::string{name} + "\": "
           + std::string{what});
    return v;
  }

  // An enum argument; returns the canonical value (aliases resolved), or
  // empty when absent or refused.
  std::string choice(const char* name,
                     const std::vector<name_alias>& accepted) {
    auto* v = find_member(args_, name);
    if (v == nullptr)
      return {};
    if (v->IsString())
      for (auto& [given, canonical] : accepted)
        if (view(*v) == given)
          return std::string{canonical};
    std::string list;
    for (auto& entry : accepted)
      list += (list.empty() ? "\"" : ", \"") + std::string{entry.first} + "\"";
    fail(expected(name, "one of " + list, *v));
    return {};
  }

  void timeout(std::uint32_t& timeout_ms) {
    auto* v = find_member(args_, "timeout");
    if (v == nullptr)
      return;
    if (!v->IsNumber() || v->GetDouble() <= 0) {
      fail(expected("timeout", "a positive number of seconds", *v));
      return;
    }
    auto seconds = v->GetDouble();
    if (seconds > opts_.max_timeout_s) {
      fail(expected("timeout",
                    "at most " + std::to_string(opts_.max_timeout_s) + " seconds",
                    *v));
      return;
    }
    // Round up, but absorb the binary noise of e.g. 0.1 * 1000; at least 1 ms
    // because 0 means "the default".
    auto ms = std::ceil(seconds * 1000.0 - 1e-6);
    ms = std::clamp(ms, 1.0,
                    double(std::numeric_limits<std::uint32_t>::max()));
    timeout_ms = static_cast<std::uint32_t>(ms);
  }

  void cwd(std::string& out) {
    auto* v = find_member(args_, "cwd");
    if (v == nullptr)
      return;
    if (!v->IsString() || v->GetStringLength() == 0 || view(*v).front() != '/'
        || view(*v).find('\0') != std::string_view::npos)
      fail(expected("cwd", "an absolute directory path (starting with /)", *v));
    else
      out.assign(view(*v));
  }

  void max_output_bytes(std::uint32_t& limit) {
    whole_number("max_output_bytes", opts_.max_output_limit,
                 " (bytes kept per stream)", limit);
  }

  std::string_view tool_;
  const json* args_;
  const session_options& opts_;
  std::string error_;
};

// The two forms of parallel_execute: `commands` (a list, each routed on its
// own) or `command` broadcast to `nodes` or, with broadcast: true, to every
// node meeting the requirements. Broadcasting needs an explicit ask: a lone
// `command` is more likely a model that wanted cluster_bash.
void parallel_form(argument_reader& in, call_arguments& out,
                   run_request shared) {
  bool broadcast = false;
  in.flag("broadcast", broadcast);
  in.node_names(out.batch.nodes);
  in.flag("merge_output", out.merge_output);
  auto wants_broadcast = broadcast || !out.batch.nodes.empty();
  if (in.has("commands") && in.has("command")) {
    in.refuse("give either \"commands\" (a list, each routed on its own) or "
              "\"command\" (one command broadcast to nodes), not both");
    return;
  }
  if (in.has("command") || wants_broadcast) {
    if (!wants_broadcast) {
      in.refuse("\"command\" runs one command on several nodes: add "
                "\"nodes\": [...] or \"broadcast\": true, or pass a list "
                "as \"commands\"");
      return;
    }
    in.command(shared.command);
    out.batch.broadcast = true;
    out.batch.items.push_back(std::move(shared));
    return;
  }
  if (in.has("merge_output"))
    in.refuse("\"merge_output\" groups a broadcast's identical outputs; it "
              "needs \"command\" with \"nodes\" or \"broadcast\": true");
  std::vector<std::string> commands;
  in.commands(commands);
  for (auto& command : commands) {
    out.batch.items.push_back(shared);
    out.batch.items.back().command = std::move(command);
  }
}

} // namespace

call_arguments parse_tool_arguments(std::string_view tool,
                                    const rapidjson::Value* arguments,
                                    const session_options& opts) {
  call_arguments out;
  argument_reader in{tool, arguments, opts};
  bool explain = false;
  if (tool == cluster_bash_tool) {
    in.reject_unknown({"command", "requires_os", "requires_arch",
                       "requires_capabilities", "auto_route", "explain",
                       "timeout", "cwd", "max_output_bytes"});
    in.command(out.run.command);
    in.requirements(out.run.needs);
    in.auto_route(out.run.auto_route);
    in.flag("explain", explain);
    in.limits(out.run);
  } else if (tool == offload_to_tool) {
    in.reject_unknown({"command", "node_id", "explain", "timeout", "cwd",
                       "max_output_bytes"});
    in.command(out.run.command);
    in.node_id(out.run.node);
    // A named node is an explicit choice, not the router's.
    out.run.auto_route = false;
    in.flag("explain", explain);
    in.limits(out.run);
  } else if (tool == parallel_execute_tool) {
    out.what = tool_call::kind::batch;
    in.reject_unknown({"commands", "command", "broadcast", "nodes",
                       "merge_output", "max_parallel", "fail_fast", "timeout",
                       "cwd", "requires_os", "requires_arch",
                       "requires_capabilities", "max_output_bytes"});
    run_request shared;
    in.requirements(shared.needs);
    in.limits(shared);
    in.whole_number("max_parallel", opts.max_batch,
                    " (commands of this call running at once)",
                    out.batch.options.max_parallel);
    in.flag("fail_fast", out.batch.options.fail_fast);
    parallel_form(in, out, std::move(shared));
  } else {
    out.what = tool_call::kind::status;
    in.reject_unknown({"refresh"});
    in.flag("refresh", out.refresh);
  }
  if (explain)
    out.what = tool_call::kind::explain;
  out.error = in.take_error();
  if (!out.error.empty())
    out.batch.items.clear();
  return out;
}

} // namespace cluster::mcp
