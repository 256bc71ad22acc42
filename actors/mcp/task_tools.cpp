#include "actors/mcp/task_tools.hpp"

namespace cluster::mcp {

namespace {

// The task states as task_list's `state` filter takes them.
const std::vector<name_alias>& state_names() {
  static const std::vector<name_alias> names{
    {"queued", "queued"},       {"running", "running"},
    {"succeeded", "succeeded"}, {"failed", "failed"},
    {"cancelled", "cancelled"}, {"lost", "lost"},
  };
  return names;
}

const std::vector<name_alias>& stream_names() {
  static const std::vector<name_alias> names{{"stdout", "stdout"},
                                             {"stderr", "stderr"}};
  return names;
}

constexpr std::uint32_t max_listed = 200;

constexpr const char* task_id_property = R"("task_id": {"type": "string", "minLength": 1, "description": "The task id cluster_bash, offload_to, parallel_execute or task_list reported (a unique prefix is enough)."})";

constexpr const char* task_annotations_read = R"({"readOnlyHint": true, "openWorldHint": false})";

} // namespace

bool is_task_tool(std::string_view name) {
  return name == task_status_tool || name == task_output_tool
         || name == task_cancel_tool || name == task_list_tool;
}

void parse_task_arguments(std::string_view tool, argument_reader& in,
                          call_arguments& out, const session_options& opts) {
  if (tool == task_status_tool) {
    out.what = tool_call::kind::task_status;
    in.reject_unknown({"task_id", "wait_seconds"});
    in.task_id(out.task_id);
    in.seconds("wait_seconds", out.wait_ms);
  } else if (tool == task_output_tool) {
    out.what = tool_call::kind::task_output;
    in.reject_unknown({"task_id", "stream", "offset", "limit", "tail"});
    in.task_id(out.task_id);
    out.output.stderr_stream = in.choice("stream", stream_names()) == "stderr";
    in.offset("offset", out.output.offset);
    in.whole_number("limit", opts.max_output_limit, " (bytes to return)",
                    out.output.limit);
    in.whole_number("tail", opts.max_output_limit,
                    " (bytes to return from the end)", out.output.tail);
    if (in.has("tail") && in.has("offset"))
      in.refuse("give either \"offset\" (read from there) or \"tail\" (the "
                "last bytes), not both");
  } else if (tool == task_cancel_tool) {
    out.what = tool_call::kind::task_cancel;
    in.reject_unknown({"task_id"});
    in.task_id(out.task_id);
  } else {
    out.what = tool_call::kind::task_list;
    in.reject_unknown({"limit", "state"});
    out.query.limit = 20;
    in.whole_number("limit", max_listed, " (tasks to list)", out.query.limit);
    out.query.state = in.choice("state", state_names());
  }
}

// One task as the task tools report it.
std::string task_object_schema() {
  return R"({
      "type": "object",
      "properties": {
        "task_id": {"type": "string"},
        "state": {"type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled", "lost"], "description": "lost: the process that ran it exited without recording an end."},
        "command": {"type": "string"},
        "executed_on": {"type": ["string", "null"], "description": "Node it runs or ran on; null before it started."},
        "routing_reason": {"type": "string"},
        "submitter": {"type": "string"},
        "created_at": {"type": ["string", "null"], "format": "date-time"},
        "started_at": {"type": ["string", "null"], "format": "date-time"},
        "finished_at": {"type": ["string", "null"], "format": "date-time"},
        "duration_ms": {"type": ["integer", "null"], "minimum": 0, "description": "Run time so far (running) or in all (finished); null before it started."},
        "success": {"type": "boolean", "description": "True when it ran and exited 0."},
        "return_code": {"type": ["integer", "null"]},
        "error": {"type": "string", "description": "The error class when it did not run to its own end (see cluster_bash); none otherwise."},
        "error_message": {"type": "string"},
        "stdout_tail": {"type": "string", "description": "The end of stdout so far (task_output pages through all of it)."},
        "stderr_tail": {"type": "string"},
        "cancel_requested": {"type": "boolean"}
      },
      "required": ["task_id", "state", "command", "executed_on", "routing_reason", "submitter", "created_at", "started_at", "finished_at", "duration_ms", "success", "return_code", "error", "error_message", "stdout_tail", "stderr_tail", "cancel_requested"]
    })";
}

std::string task_result_schema() {
  return R"({
  "type": "object",
  "description": "A task that outlives its call: started in the background, still running when wait_seconds passed, or looked up by task_status.",
  "properties": {"task": )" + task_object_schema() + R"(},
  "required": ["task"]
})";
}

std::string task_tools_json(const session_options& opts) {
  auto max_bytes = std::to_string(opts.max_output_limit);
  auto max_wait = std::to_string(opts.max_timeout_s);
  return std::string{R"({
  "name": "task_status",
  "title": "Task status",
  "description": "State, node, exit status and the end of the output of a task started with background=true, handed off after wait_seconds, or listed by task_list (from this session or any other). With wait_seconds, waits up to that long for the task to end first (keep it under your client's call timeout; call again to keep waiting).",
  "inputSchema": {"type": "object", "properties": {)"} + task_id_property + R"(,
    "wait_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": )" + max_wait + R"(, "description": "Wait up to this long for the task to end before answering."}},
    "required": ["task_id"], "additionalProperties": false},
  "outputSchema": )" + task_result_schema() + R"(,
  "annotations": )" + task_annotations_read + R"(
},{
  "name": "task_output",
  "title": "Task output",
  "description": "The full stdout (or stderr) of a task, spooled while it runs: a page from byte offset (default 0, up to limit bytes) or the last tail bytes. next_offset continues where the page ended; pages end on character boundaries, so consecutive pages join to exactly the bytes written (invalid UTF-8 shows as U+FFFD). complete is true once the task has ended and the page reaches the end.",
  "inputSchema": {"type": "object", "properties": {)" + task_id_property + R"(,
    "stream": {"type": "string", "enum": ["stdout", "stderr"], "default": "stdout"},
    "offset": {"type": "integer", "minimum": 0, "description": "First byte to return."},
    "limit": {"type": "integer", "minimum": 1, "maximum": )" + max_bytes + R"(, "default": 65536, "description": "Most bytes to return."},
    "tail": {"type": "integer", "minimum": 1, "maximum": )" + max_bytes + R"(, "description": "Return the last this many bytes instead of reading from offset."}},
    "required": ["task_id"], "additionalProperties": false},
  "outputSchema": {"type": "object", "properties": {
    "task_id": {"type": "string"},
    "stream": {"type": "string", "enum": ["stdout", "stderr"]},
    "state": {"type": "string"},
    "offset": {"type": "integer", "minimum": 0},
    "next_offset": {"type": "integer", "minimum": 0},
    "size": {"type": "integer", "minimum": 0, "description": "Bytes in the stream so far."},
    "complete": {"type": "boolean"},
    "text": {"type": "string"}},
    "required": ["task_id", "stream", "state", "offset", "next_offset", "size", "complete", "text"]},
  "annotations": )" + task_annotations_read + R"(
},{
  "name": "task_cancel",
  "title": "Cancel a task",
  "description": "Cancel a task, wherever it runs (this session, another session, a cluster-router process): queued, it never starts; running, its whole process group is killed on its node. Answers with the task's state after the cancel took effect (or cancel_requested when its owner has not acted on it yet).",
  "inputSchema": {"type": "object", "properties": {)" + task_id_property + R"(},
    "required": ["task_id"], "additionalProperties": false},
  "outputSchema": )" + task_result_schema() + R"(,
  "annotations": {"readOnlyHint": false, "destructiveHint": true, "idempotentHint": true, "openWorldHint": false}
},{
  "name": "task_list",
  "title": "Recent tasks",
  "description": "The most recent tasks of every session and command line, newest first, with state, node, exit status and command; filter by state.",
  "inputSchema": {"type": "object", "properties": {
    "limit": {"type": "integer", "minimum": 1, "maximum": )" + std::to_string(max_listed) + R"(, "default": 20},
    "state": {"type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled", "lost"]}},
    "additionalProperties": false},
  "outputSchema": {"type": "object", "properties": {
    "tasks": {"type": "array", "items": )" + task_object_schema() + R"(}},
    "required": ["tasks"]},
  "annotations": )" + task_annotations_read + R"(
})";
}

} // namespace cluster::mcp
