#pragma once

// Reading one tool's arguments: every check a tool call's JSON must pass,
// each failure collected as a message naming the argument, so the model can
// fix them all in one retry. Shared by the tools' argument parsers.

#include "actors/mcp/json_rpc.hpp"
#include "actors/mcp/mcp_session.hpp"
#include "actors/utf8.hpp"
#include "config/platform_names.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cluster::mcp {

namespace arguments_detail {

using json = rapidjson::Value;

constexpr std::size_t max_quoted_bytes = 60;

// A short rendering of what the model sent, for "got ..." in messages.
inline std::string describe(const json& v) {
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

inline bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'
           || c == '\f';
  });
}

inline std::string_view view(const json& v) {
  return {v.GetString(), v.GetStringLength()};
}

/// Reads one tool's arguments, collecting every problem.
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

  // A positive number of seconds up to the server's largest timeout, as
  // milliseconds; `out_ms` keeps its default when absent.
  void seconds(const char* name, std::uint32_t& out_ms) {
    auto* v = find_member(args_, name);
    if (v == nullptr)
      return;
    if (!v->IsNumber() || v->GetDouble() <= 0) {
      fail(expected(name, "a positive number of seconds", *v));
      return;
    }
    auto secs = v->GetDouble();
    if (secs > opts_.max_timeout_s) {
      fail(expected(name,
                    "at most " + std::to_string(opts_.max_timeout_s) + " seconds",
                    *v));
      return;
    }
    // Round up, but absorb the binary noise of e.g. 0.1 * 1000; at least 1 ms
    // because 0 means "the default".
    auto ms = std::ceil(secs * 1000.0 - 1e-6);
    ms = std::clamp(ms, 1.0,
                    double(std::numeric_limits<std::uint32_t>::max()));
    out_ms = static_cast<std::uint32_t>(ms);
  }

  // A task id (or a unique prefix of one) as the task tools take it.
  void task_id(std::string& out) {
    auto* v = required("task_id", "the task id that cluster_bash, offload_to "
                                  "or task_list reported");
    if (v == nullptr)
      return;
    if (!v->IsString() || is_blank(view(*v)) || v->GetStringLength() > 200
        || std::any_of(view(*v).begin(), view(*v).end(),
                       [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
      fail(expected("task_id", "a task id (non-empty string without control "
                               "characters)", *v));
    else
      out.assign(view(*v));
  }

  // A byte offset: an integer from 0; `out` keeps its default when absent.
  void offset(const char* name, std::uint64_t& out) {
    auto* v = find_member(args_, name);
    if (v == nullptr)
      return;
    constexpr double most = 9007199254740991.0;  // 2^53 - 1: exact in JSON
    bool integral = v->IsNumber() && std::floor(v->GetDouble()) == v->GetDouble();
    if (!integral || v->GetDouble() < 0 || v->GetDouble() > most)
      fail(expected(name, "a byte offset (an integer from 0)", *v));
    else
      out = static_cast<std::uint64_t>(v->GetDouble());
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

  void timeout(std::uint32_t& timeout_ms) {
    seconds("timeout", timeout_ms);
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

} // namespace arguments_detail

/// Reads one tool's arguments (see arguments_detail::argument_reader).
using arguments_detail::argument_reader;

} // namespace cluster::mcp
