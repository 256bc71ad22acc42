#pragma once

// Validation of tools/call arguments and their translation into runtime
// requests. A bad argument is the model's mistake to fix, so it comes back as
// text naming the argument (a tool result with isError), not a protocol error.

#include "actors/mcp/mcp_session.hpp"

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace cluster::mcp {

/// The validated arguments of one tools/call.
struct call_arguments {
  tool_call::kind what = tool_call::kind::run;  ///< Which runtime operation.
  run_request run;      ///< For `run` and `explain`; task_id left empty.
  batch_request batch;  ///< For `batch`; batch_id and task_ids left empty.
  bool refresh = false; ///< For `status`: probe every node first.
  bool merge_output = true; ///< For a broadcast: group identical outputs.
  bool background = false;  ///< For `run`: answer at once with the task id.
  std::uint32_t wait_ms = 0;  ///< See tool_call::wait_ms.
  std::string task_id;      ///< For the task tools.
  task_query query;         ///< For `task_list`.
  output_request output;    ///< For `task_output`.
  std::string error;    ///< Non-empty: why the arguments were refused.
};

/// Validates `arguments` (an object, or nullptr when the call has none) for
/// the known tool `tool` and builds the request it asks for.
call_arguments parse_tool_arguments(std::string_view tool,
                                    const rapidjson::Value* arguments,
                                    const session_options& opts);

} // namespace cluster::mcp
