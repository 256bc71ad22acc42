#include "actors/mcp/tool_arguments.hpp"

#include "actors/mcp/argument_reader.hpp"
#include "actors/mcp/task_tools.hpp"
#include "actors/mcp/tool_catalog.hpp"

#include <utility>
#include <vector>

namespace cluster::mcp {

namespace {

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

// background / wait_seconds: how a run may outlive its call.
void long_running(argument_reader& in, call_arguments& out, bool explain) {
  in.flag("background", out.background);
  in.seconds("wait_seconds", out.wait_ms);
  if (explain && (out.background || out.wait_ms != 0))
    in.refuse("\"explain\" runs nothing, so \"background\" and "
              "\"wait_seconds\" do not apply");
  if (out.background && out.wait_ms != 0)
    in.refuse("\"background\" answers at once; \"wait_seconds\" is for a "
              "call that waits (use task_status to wait later)");
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
                       "timeout", "cwd", "max_output_bytes", "background",
                       "wait_seconds"});
    in.command(out.run.command);
    in.requirements(out.run.needs);
    in.auto_route(out.run.auto_route);
    in.flag("explain", explain);
    in.limits(out.run);
    long_running(in, out, explain);
  } else if (tool == offload_to_tool) {
    in.reject_unknown({"command", "node_id", "explain", "timeout", "cwd",
                       "max_output_bytes", "background", "wait_seconds"});
    in.command(out.run.command);
    in.node_id(out.run.node);
    // A named node is an explicit choice, not the router's.
    out.run.auto_route = false;
    in.flag("explain", explain);
    in.limits(out.run);
    long_running(in, out, explain);
  } else if (is_task_tool(tool)) {
    parse_task_arguments(tool, in, out, opts);
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
