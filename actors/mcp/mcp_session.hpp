#pragma once

// The MCP protocol of one client session, as plain logic: JSON-RPC lines in,
// reply lines and tool calls out. The gateway actor owns one `session` and
// turns each `tool_call` into messages to the runtime.

#include "actors/placement.hpp"
#include "config/settings.hpp"
#include "messages/health.hpp"
#include "messages/placement.hpp"
#include "messages/run.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cluster::mcp {

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

/// A tool call the gateway must carry out by messaging the runtime.
struct tool_call {
  /// Which runtime operation the call maps to.
  enum class kind {
    run,      ///< Run one command (cluster_bash, offload_to).
    explain,  ///< Say where `run` would go; run nothing (explain: true).
    batch,    ///< Run many commands (parallel_execute).
    status,   ///< Report the cluster (cluster_status).
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
