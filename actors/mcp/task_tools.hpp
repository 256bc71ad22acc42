#pragma once

// The task tools: long work an agent started (background, or handed off
// after wait_seconds) looked up, read, waited for and cancelled by task id.
// Names, argument parsing and tools/list entries live here together.

#include "actors/mcp/argument_reader.hpp"
#include "actors/mcp/tool_arguments.hpp"

#include <string>
#include <string_view>

namespace cluster::mcp {

/// One task's state, node, exit status and output tails; may wait for its end.
inline constexpr std::string_view task_status_tool = "task_status";
/// A page of a task's full stdout or stderr, by byte offset or from the end.
inline constexpr std::string_view task_output_tool = "task_output";
/// Cancels a task, wherever it runs; its process group is killed.
inline constexpr std::string_view task_cancel_tool = "task_cancel";
/// Recent tasks, newest first.
inline constexpr std::string_view task_list_tool = "task_list";

/// True for the four task tools.
bool is_task_tool(std::string_view name);

/// Reads the arguments of task tool `tool` into `out` (what, task_id, query,
/// output, wait_ms); problems go to `in`.
void parse_task_arguments(std::string_view tool, argument_reader& in,
                          call_arguments& out, const session_options& opts);

/// The tools/list entries of the task tools, comma-separated JSON objects.
std::string task_tools_json(const session_options& opts);

/// The JSON Schema of one task object.
std::string task_object_schema();

/// The outputSchema branch of a task object (`{"task": {...}}`), shared by
/// cluster_bash / offload_to (background, hand-off) and task_status.
std::string task_result_schema();

} // namespace cluster::mcp
