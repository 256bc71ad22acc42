#pragma once

// The MCP protocol of one client session, as plain logic: JSON-RPC lines in,
// reply lines and tool calls out. The gateway actor owns one `session` and
// turns each `tool_call` into messages to the runtime.

#include "actors/placement.hpp"
#include "config/settings.hpp"
#include "messages/health.hpp"
#include "messages/placement.hpp"
#include "messages/run.hpp"
#include "messages/task.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cluster::mcp {

class json_writer;

/// The protocol revisions this server speaks, newest first.
inline constexpr const char* modern_version = "2026-07-28";
/// The last revision with the `initialize` handshake.
inline constexpr const char* legacy_version = "2025-11-25";

/// Limits and thresholds the session needs to validate and describe calls.
struct session_options {
  std::string server_name = "cluster-execution-mcp";
  std::string server_version = "0.1.0";
  load_limits limits;  ///< Over any of them, a node is "busy".
  std::uint32_t max_timeout_s = 86'400;   ///< Largest per-call timeout accepted.
  std::uint32_t max_output_limit = 1 << 20;  ///< Largest per-call output limit.
  std::uint32_t max_batch = 1000;  ///< Most commands in one parallel_execute.
};

/// Session options with the thresholds of `cfg`.
session_options session_options_from(const settings& cfg);

/// Which part of a task's spooled output `task_output` returns.
struct output_request {
  bool stderr_stream = false;   ///< false: stdout.
  std::uint64_t offset = 0;     ///< First byte to return.
  std::uint32_t limit = 65536;  ///< Most bytes to return.
  std::uint32_t tail = 0;       ///< Non-zero: the last `tail` bytes instead.
};

/// A tool call the gateway must carry out by messaging the runtime.
struct tool_call {
  /// Which runtime operation the call maps to.
  enum class kind {
    run,      ///< Run one command (cluster_bash, offload_to).
    explain,  ///< Say where `run` would go; run nothing (explain: true).
    batch,    ///< Run many commands (parallel_execute).
    status,   ///< Report the cluster (cluster_status).
    task_status,  ///< One task's record; optionally wait for its end.
    task_output,  ///< A page of a task's spooled stdout or stderr.
    task_cancel,  ///< Cancel a task, wherever it runs.
    task_list,    ///< Recent tasks.
  };

  kind what = kind::run;
  std::string tool;              ///< Tool name as called.
  std::string request_id;        ///< JSON-RPC id as compact JSON (`7`, `"a"`).
  std::string protocol_version;  ///< Revision the reply must follow.
  std::string progress_token;    ///< Compact JSON of `_meta.progressToken`; empty: none.
  run_request run;               ///< For `run` and `explain`; task_id unset.
  batch_request batch;           ///< For `batch`; batch_id and task_ids unset.
  bool refresh = false;          ///< For `status`: probe every node first.
  bool merge_output = true;      ///< For a broadcast: group identical outputs.
  bool background = false;       ///< For `run`: answer at once with the task id.
  /// For `run`: answer "still running" after this long (0: the server's
  /// default); for `task_status`: wait up to this long for the end (0: don't).
  std::uint32_t wait_ms = 0;
  std::string task_id;           ///< For the task tools: an id or unique prefix.
  task_query query;              ///< For `task_list`.
  output_request output;         ///< For `task_output`.
};

/// What the gateway must do after one input line.
struct inbound {
  std::vector<std::string> replies;          ///< Lines to write now, in order.
  std::optional<tool_call> call;             ///< A tool call to start.
  std::optional<std::string> cancel_request; ///< Compact JSON id named by notifications/cancelled.
};

/// One client's protocol state (legacy: the negotiated version; modern: none).
class session {
public:
  /// Creates a session that has not seen `initialize` yet.
  explicit session(session_options opts = {});

  /// Handles one line from the client. Never throws; every malformed input
  /// turns into an error reply (or nothing, for a bad notification).
  inbound handle(std::string_view line);

  /// The reply to a finished cluster_bash / offload_to call.
  std::string run_reply(const tool_call& call, const run_result& result) const;

  /// The reply to a finished parallel_execute call.
  std::string batch_reply(const tool_call& call,
                          const batch_result& result) const;

  /// The reply to a cluster_bash / offload_to call with explain: true.
  std::string explain_reply(const tool_call& call,
                            const placement_explanation& explanation) const;

  /// The reply to cluster_status; `now_ms` (Unix ms) dates the samples' ages.
  std::string status_reply(const tool_call& call,
                           const cluster_snapshot& snapshot,
                           const slot_ledger& ledger,
                           std::int64_t now_ms) const;

  /// The reply to `call` whose result members `write` produces (the task
  /// tools' writers in task_results.hpp).
  std::string tool_reply(const tool_call& call,
                         const std::function<void(json_writer&)>& write) const;

  /// A tool result with isError: true, for a call the runtime could not serve.
  std::string failure_reply(const tool_call& call,
                            const std::string& message) const;

  /// A notifications/progress line for `call` (which must have a token).
  std::string progress_notification(const tool_call& call, double progress,
                                    std::optional<double> total,
                                    const std::string& message) const;

private:
  session_options opts_;
  std::string negotiated_version_;  ///< Legacy era: set by initialize.
  bool initialized_ = false;        ///< Legacy era: notifications/initialized seen.
};

} // namespace cluster::mcp
