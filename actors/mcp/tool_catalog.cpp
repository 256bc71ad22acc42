#include "actors/mcp/tool_catalog.hpp"

#include "actors/mcp/json_rpc.hpp"
#include "actors/mcp/task_tools.hpp"

#include <cassert>

namespace cluster::mcp {

namespace {

// The schemas are written as JSON text because that is how a reader checks
// them against the spec; tool_list_json parses and compacts the result.
// No "$schema" member: 2020-12 is the MCP default, and naming it explicitly
// makes draft-07 validators (the 1.x SDK's Ajv) refuse to compile the schema.

// The members of one finished command, as cluster_bash / offload_to /
// parallel_execute report it.
constexpr const char* run_result_properties = R"(
    "success": {"type": "boolean", "description": "True when the command ran and exited with status 0."},
    "executed_on": {"type": "string", "description": "Node id the command ran on (or was meant to run on)."},
    "stdout": {"type": "string", "description": "Standard output (head and tail when truncated)."},
    "stderr": {"type": "string", "description": "Standard error (head and tail when truncated)."},
    "return_code": {"type": ["integer", "null"], "description": "Exit status; null when the command did not end on its own (see error)."},
    "signal": {"type": ["integer", "null"], "description": "Signal that ended the process, if one did."},
    "error": {"type": "string", "enum": ["none", "command", "timeout", "cancelled", "spawn", "connection", "auth", "host_key", "placement", "overloaded", "invalid", "policy"], "description": "Why the command has no exit status of its own; none when it ran to completion. policy: the command policy refused it before it ran (error_message names the rule and the part of the command)."},
    "error_message": {"type": "string", "description": "Detail for error; empty when error is none."},
    "retriable": {"type": "boolean", "description": "True when the same call may succeed later (connection, overloaded)."},
    "stdout_truncated": {"type": "boolean"},
    "stderr_truncated": {"type": "boolean"},
    "stdout_bytes": {"type": "integer", "minimum": 0, "description": "Bytes the command wrote to stdout, kept or not."},
    "stderr_bytes": {"type": "integer", "minimum": 0, "description": "Bytes the command wrote to stderr, kept or not."},
    "duration_ms": {"type": "integer", "minimum": 0},
    "auto_routed": {"type": "boolean", "description": "True when the router chose the node."},
    "routing_reason": {"type": "string", "description": "Why this node was chosen."},
    "retried_from": {"type": "array", "items": {"type": "string"}, "description": "Nodes that failed to connect before the command started; it then ran on executed_on instead (never twice)."},
    "task_id": {"type": "string"})";

constexpr const char* run_result_required = R"(["success", "executed_on", "stdout", "stderr", "return_code", "signal", "error", "error_message", "retriable", "stdout_truncated", "stderr_truncated", "stdout_bytes", "stderr_bytes", "duration_ms", "auto_routed", "routing_reason", "retried_from", "task_id"])";

// One finished command: an item of parallel_execute's results.
std::string run_result_schema() {
  return std::string{R"({
  "type": "object",
  "properties": {)"} + run_result_properties + R"(
  },
  "required": )" + run_result_required + "}";
}

// What explain: true answers instead of running: the router's decision.
constexpr const char* explanation_schema = R"({
  "type": "object",
  "description": "Where the command would run now and why; nothing was run.",
  "properties": {
    "would_run_on": {"type": ["string", "null"], "description": "The node a run would go to now; null when no node qualifies (see error) or every eligible node is busy (see would_wait)."},
    "routing_reason": {"type": "string", "description": "The routing_reason a run would report."},
    "error": {"type": ["string", "null"], "description": "Why no node qualifies, naming the requirements: a run would fail with error placement. null when a node qualifies."},
    "auto_routed": {"type": "boolean", "description": "True when the router would choose among nodes (false for a named node or auto_route false)."},
    "would_wait": {"type": "boolean", "description": "True when every eligible node's slots are in use: a run would wait for one."},
    "weight": {"type": ["string", "null"], "enum": ["light", "heavy", null], "description": "How the command was classified: light commands stay on the local node unless it is busy, heavy ones go to the node with the most headroom."},
    "classification": {"type": "string", "description": "The classifier's reason, e.g. which program made the command heavy."},
    "policy": {"type": ["string", "null"], "description": "Why the command policy would refuse the command (a run would fail with error policy): the rule and the part of the command. null when it would run."},
    "nodes": {"type": "array", "description": "Every configured node, in configuration order, with the router's verdict.", "items": {
      "type": "object",
      "properties": {
        "node": {"type": "string"},
        "eligible": {"type": "boolean", "description": "Meets every requirement and is reachable."},
        "note": {"type": "string", "description": "Why not (e.g. lacks os=darwin), or its load."},
        "score": {"type": ["number", "null"], "description": "Load score, lower is better; null when not eligible."}
      },
      "required": ["node", "eligible", "note", "score"]
    }}
  },
  "required": ["would_run_on", "routing_reason", "error", "auto_routed", "would_wait", "weight", "classification", "nodes"]
})";

// cluster_bash / offload_to: a finished command, or with explain: true only
// the decision. oneOf keeps each shape's own required members, so a client
// still gets every run field of a run.
std::string run_or_explanation_schema() {
  return std::string{R"({
  "type": "object",
  "properties": {)"} + run_result_properties + R"(,
    "explanation": )" + explanation_schema + R"(,
    "task": )" + task_object_schema() + R"(
  },
  "oneOf": [
    {"title": "run", "description": "The command ran (or failed to).", "required": )"
         + run_result_required + R"(},
    {"title": "explanation", "description": "explain: true; nothing ran.", "required": ["explanation"]},
    {"title": "task", "description": "background: true, or still running after wait_seconds: the task goes on; follow it with task_status / task_output.", "required": ["task"]}
  ]
})";
}

// background and wait_seconds: a run that outlives its call.
std::string long_running_properties(const session_options& opts) {
  return R"(
    "background": {"type": "boolean", "default": false, "description": "true: answer at once with the task (task_id); follow it with task_status, task_output, task_cancel. For work longer than a minute."},
    "wait_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": )"
         + std::to_string(opts.max_timeout_s)
         + R"(, "description": "Answer after this long even if the command still runs (default: the server's, below the usual 60 s client timeout): the result is then the task, still running, with its output so far; the command goes on and is not killed."})";
}

constexpr const char* node_status_schema = R"({
  "type": "object",
  "properties": {
    "cpu_percent": {"type": ["number", "null"], "description": "null unless the node was sampled and reachable."},
    "memory_percent": {"type": ["number", "null"]},
    "load_1m": {"type": ["number", "null"]},
    "load_5m": {"type": ["number", "null"]},
    "load_15m": {"type": ["number", "null"]},
    "cpu_count": {"type": ["integer", "null"], "minimum": 0},
    "os": {"type": "string"},
    "arch": {"type": "string"},
    "status": {"type": "string", "enum": ["healthy", "busy", "unreachable", "unknown"], "description": "busy: CPU, load or memory above the server's thresholds; unreachable: the last probe failed; unknown: configured but not sampled yet."},
    "reachable": {"type": ["boolean", "null"], "description": "null when the node was never probed."},
    "error": {"type": ["string", "null"], "description": "Why the last probe failed; null when it did not."},
    "consecutive_failures": {"type": "integer", "minimum": 0, "description": "Probes that failed in a row; 0 after a good one."},
    "config_mismatch": {"type": ["string", "null"], "description": "How the detected OS or architecture differs from the node file; null when they agree (or the node was not sampled)."},
    "capabilities": {"type": "array", "items": {"type": "string"}, "description": "As configured; what requires_capabilities is matched against."},
    "slots": {"type": "integer", "minimum": 0, "description": "Commands the node may run at once."},
    "busy_slots": {"type": "integer", "minimum": 0},
    "queued": {"type": "integer", "minimum": 0, "description": "Commands waiting that only this node can take."},
    "sampled_at": {"type": ["string", "null"], "format": "date-time", "description": "When the figures were measured (UTC); null if never."},
    "sample_age_ms": {"type": ["integer", "null"], "minimum": 0, "description": "How old the figures were when this answer was written; null if never sampled."}
  },
  "required": ["cpu_percent", "memory_percent", "load_1m", "load_5m", "load_15m", "cpu_count", "os", "arch", "status", "reachable", "error", "consecutive_failures", "config_mismatch", "capabilities", "slots", "busy_slots", "queued", "sampled_at", "sample_age_ms"]
})";

constexpr const char* execution_annotations = R"({
  "readOnlyHint": false, "destructiveHint": true, "idempotentHint": false, "openWorldHint": true
})";

std::string command_property() {
  return R"("command": {"type": "string", "minLength": 1, "description": "Shell command, run as bash -c <command>: pipes, globs, && and $VARS work."})";
}

std::string requirement_properties() {
  return R"(
    "requires_os": {"type": "string", "enum": ["linux", "darwin", "macos"], "description": "Run only on a node with this OS (macos means darwin)."},
    "requires_arch": {"type": "string", "enum": ["x86_64", "arm64", "aarch64", "amd64"], "description": "Run only on a node with this CPU architecture (aarch64 means arm64, amd64 means x86_64)."},
    "requires_capabilities": {"type": "array", "items": {"type": "string", "minLength": 1}, "description": "Run only on a node that offers every one of these capabilities (names as in cluster_status, e.g. docker, gpu)."})";
}

std::string explain_property() {
  return R"("explain": {"type": "boolean", "default": false, "description": "true: run nothing; answer where the command would run now and why, with every node's verdict (structuredContent.explanation)."})";
}

// timeout, cwd and max_output_bytes: shared by every tool that runs commands.
std::string run_limit_properties(const session_options& opts,
                                 const char* timeout_scope) {
  return std::string{R"(
    "timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": )"}
         + std::to_string(opts.max_timeout_s)
         + R"(, "description": "Seconds )" + timeout_scope
         + R"( may run before it is killed; default: the server's timeout."},
    "cwd": {"type": "string", "pattern": "^/", "description": "Absolute working directory on the node that runs the command; default: the server's."},
    "max_output_bytes": {"type": "integer", "minimum": 1, "maximum": )"
         + std::to_string(opts.max_output_limit)
         + R"(, "description": "Bytes of stdout and of stderr to keep each (head and tail); default: the server's limit."})";
}

std::string cluster_bash_json(const session_options& opts) {
  return R"({
  "name": "cluster_bash",
  "title": "Run a command on the cluster",
  "description": "Run a shell command (bash -c) on the best node of the cluster and wait for it to finish. The router picks the least-loaded reachable node that meets requires_os / requires_arch / requires_capabilities; with auto_route=false the command runs on this machine, and the requirements are still checked (an unmet requirement fails with error \"placement\" instead of running in the wrong place). Use it for builds, tests and any command whose platform matters; use offload_to to name a node, parallel_execute for many independent commands. Returns success (ran and exited 0), return_code, stdout and stderr (each capped, keeping head and tail; stdout_truncated / stderr_truncated say so), executed_on, duration_ms, and when the command did not run to completion an error class (timeout, cancelled, spawn, connection, placement, overloaded, invalid, policy) with retriable. The command policy refuses, before anything runs, the few commands that destroy a machine by accident (rm -rf / or a system directory, mkfs/dd onto a disk, fork bombs, chmod -R of /): error policy, naming the rule. A non-zero exit is not a tool error: read stderr and return_code. With explain=true nothing runs: the result is only structuredContent.explanation, where the command would run now and why.",
  "inputSchema": {
    "type": "object",
    "properties": {
    )" + command_property() + "," + requirement_properties() + R"(,
    "auto_route": {"type": "boolean", "default": true, "description": "true: the router picks the node; false: run on this machine (requirements are still checked)."},
    )" + explain_property() + ","
         + run_limit_properties(opts, "the command") + ","
         + long_running_properties(opts) + R"(
    },
    "required": ["command"],
    "additionalProperties": false
  },
  "outputSchema": )" + run_or_explanation_schema() + R"(,
  "annotations": )" + execution_annotations + "}";
}

std::string offload_to_json(const session_options& opts) {
  return R"({
  "name": "offload_to",
  "title": "Run a command on a named node",
  "description": "Run a shell command (bash -c) on one named node and wait for it to finish. Use it when the command must run on a particular machine, e.g. for files, tools or hardware only that node has; cluster_status lists the node ids. Returns the same fields as cluster_bash; an unknown node fails with error \"placement\" naming the known nodes. With explain=true nothing runs: the result says whether the node can take the command now.",
  "inputSchema": {
    "type": "object",
    "properties": {
    )" + command_property() + R"(,
    "node_id": {"type": "string", "minLength": 1, "description": "Id or alias of the node to run on."},
    )" + explain_property() + ","
         + run_limit_properties(opts, "the command") + ","
         + long_running_properties(opts) + R"(
    },
    "required": ["command", "node_id"],
    "additionalProperties": false
  },
  "outputSchema": )" + run_or_explanation_schema() + R"(,
  "annotations": )" + execution_annotations + "}";
}

std::string parallel_execute_json(const session_options& opts) {
  auto max_batch = std::to_string(opts.max_batch);
  return R"({
  "name": "parallel_execute",
  "title": "Run commands in parallel",
  "description": "Run many shell commands at once over the cluster and wait for all of them. Two forms: commands (a list of up to )" + max_batch + R"( different commands, each placed like cluster_bash on whichever eligible node frees a slot first: test shards, builds of several targets) or command with nodes or broadcast=true (the same command once on each named node, or on every node meeting the requirements: the pdsh/clush job, e.g. uname -a everywhere). No node ever runs more than its slots; a call larger than the server can hold is refused with error overloaded instead of queued. One command failing does not stop the others unless fail_fast=true (then everything not finished is cancelled). A command whose node cannot be reached before it starts is retried on another eligible node (retried_from says so); a started command never runs twice. Returns results in input order (broadcast: in node order), each with the same fields as cluster_bash, plus total, succeeded and failed counts; a broadcast also returns groups: nodes whose output and exit status are identical, listed once.",
  "inputSchema": {
    "type": "object",
    "properties": {
    "commands": {"type": "array", "minItems": 1, "maxItems": )" + max_batch + R"(, "items": {"type": "string", "minLength": 1}, "description": "List form: shell commands, each run as bash -c <command> on a node of its own choosing."},
    "command": {"type": "string", "minLength": 1, "description": "Broadcast form: one shell command run on every target node (needs nodes or broadcast=true)."},
    "nodes": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}, "description": "Broadcast targets: node ids or aliases (see cluster_status), each once."},
    "broadcast": {"type": "boolean", "default": false, "description": "true with command and no nodes: run it on every node meeting the requirements, reachable or not (an unreachable node reports error connection)."},
    "merge_output": {"type": "boolean", "default": true, "description": "Broadcast: in the text, show nodes with identical output and exit status once, as one group."},
    "max_parallel": {"type": "integer", "minimum": 1, "maximum": )" + max_batch + R"(, "description": "Most commands of this call running at once; default: as many as the nodes have free slots."},
    "fail_fast": {"type": "boolean", "default": false, "description": "true: after the first command that does not succeed, cancel every command not finished (queued ones never start); stopped_by names it."},)"
         + requirement_properties() + ","
         + run_limit_properties(opts, "each command") + R"(
    },
    "additionalProperties": false
  },
  "outputSchema": {
    "type": "object",
    "properties": {
      "results": {"type": "array", "items": )" + run_result_schema() + R"(},
      "total": {"type": "integer", "minimum": 0},
      "succeeded": {"type": "integer", "minimum": 0, "description": "Commands that ran and exited 0."},
      "failed": {"type": "integer", "minimum": 0},
      "stopped_by": {"type": ["string", "null"], "description": "fail_fast: task_id of the first command that failed; null otherwise."},
      "groups": {"type": "array", "description": "Broadcast only: results with identical outcome and output, in order of first appearance.", "items": {
        "type": "object",
        "properties": {
          "nodes": {"type": "array", "items": {"type": "string"}},
          "success": {"type": "boolean"},
          "return_code": {"type": ["integer", "null"]},
          "error": {"type": "string"},
          "error_message": {"type": "string"},
          "stdout": {"type": "string"},
          "stderr": {"type": "string"}
        },
        "required": ["nodes", "success", "return_code", "error", "error_message", "stdout", "stderr"]
      }}
    },
    "required": ["results", "total", "succeeded", "failed", "stopped_by"]
  },
  "annotations": )" + execution_annotations + "}";
}

std::string cluster_status_json() {
  return std::string{R"({
  "name": "cluster_status",
  "title": "Cluster status",
  "description": "Show every node of the cluster: reachability, OS and architecture, capabilities, CPU, memory and load, slots in use, queued commands, a status (healthy, busy, unreachable, unknown) and how old each sample is. Read-only and quick; call it to choose requirements or a node, or after a connection or placement error. refresh=true probes every node first (takes up to the status timeout) instead of answering from the latest samples.",
  "inputSchema": {
    "type": "object",
    "properties": {
      "refresh": {"type": "boolean", "default": false, "description": "true: probe every node now and report those samples; false: the latest samples (taken every few seconds)."}
    },
    "additionalProperties": false
  },
  "outputSchema": {
    "type": "object",
    "properties": {
      "local_node": {"type": "string", "description": "Id of the node this server runs on."},
      "nodes": {"type": "object", "additionalProperties": )"} + node_status_schema + R"(},
      "queued": {"type": "integer", "minimum": 0, "description": "Commands waiting for any free slot."},
      "queue_limit": {"type": "integer", "minimum": 0}
    },
    "required": ["local_node", "nodes", "queued", "queue_limit"]
  },
  "annotations": {"readOnlyHint": true, "openWorldHint": false}
})";
}

} // namespace

bool is_known_tool(std::string_view name) {
  return name == cluster_bash_tool || name == offload_to_tool
         || name == parallel_execute_tool || name == cluster_status_tool
         || is_task_tool(name);
}

std::string tool_list_json(const session_options& opts) {
  auto text = "[" + cluster_bash_json(opts) + "," + offload_to_json(opts) + ","
              + parallel_execute_json(opts) + "," + cluster_status_json() + ","
              + task_tools_json(opts) + "]";
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  assert(!doc.HasParseError() && "tool schemas must be valid JSON");
  return doc.HasParseError() ? text : to_json(doc);
}

std::string server_instructions() {
  return "cluster-exec runs shell commands (bash -c) on the machines of a "
         "cluster. Call cluster_status to see the nodes, their OS, "
         "architecture, capabilities and load. Use cluster_bash for one "
         "command: it goes to the least-loaded node that meets requires_os / "
         "requires_arch / requires_capabilities (auto_route=false keeps it on "
         "this machine; explain=true only says where it would run, and why). "
         "Use offload_to to run on "
         "a named node and parallel_execute for independent commands that can "
         "run at once. Pass cwd (an absolute path) for builds and tests, and a "
         "timeout for long commands. Work longer than a minute: pass "
         "background=true (or let wait_seconds hand it off) and follow the "
         "task with task_status (wait_seconds), task_output and task_cancel; "
         "task_list shows recent tasks. Results carry success, return_code, "
         "stdout, stderr and, when a command did not run to completion, an "
         "error class with a retriable flag.";
}

} // namespace cluster::mcp
