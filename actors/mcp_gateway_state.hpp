#pragma once

// The state of one MCP gateway and the steps its two halves share: the
// protocol and run/batch/status calls (mcp_gateway.cpp), and the task tools
// with the hand-off of long runs (mcp_gateway_tasks.cpp).

#include "actors/mcp_gateway.hpp"
#include "transport/line_writer.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace cluster::gateway {

using clock_type = std::chrono::steady_clock;

/// A tools/call that has not been answered yet.
struct call_in_flight {
  mcp::tool_call call;
  std::uint64_t serial = 0;           ///< Tells a reused request id apart.
  std::vector<std::string> task_ids;  ///< What to cancel.
  clock_type::time_point started;
  clock_type::time_point deadline;    ///< task_status: stop waiting then.
  bool cancelled = false;             ///< Answered with silence.
};

/// Everything one session's gateway holds.
struct state {
  static inline const char* name = "mcp_gateway";
  gateway_wiring wiring;
  mcp::session session;
  std::unordered_map<std::string, call_in_flight> calls;  ///< By request id.
  std::unordered_map<std::string, std::string> batches;   ///< Batch id -> request id.
  /// Tasks of this session no call waits for (background, handed off).
  std::unordered_set<std::string> detached;
  std::string id_prefix;
  std::uint64_t next_id = 0;
  std::uint64_t next_serial = 0;
  bool ticking = false;
  bool shutting_down = false;
  std::vector<caf::typed_response_promise<atom::done>> on_quiet;
};

/// The gateway's actor pointer.
using pointer = mcp_gateway_actor::stateful_pointer<state>;

/// Produces a call's reply line from its call.
using reply_fn = std::function<std::string(const mcp::tool_call&)>;

/// Writes one line to the client.
void write(state& st, std::string line);

/// Sends the reply of call `request_id` (unless the client cancelled it or
/// the id now names a later call than `serial`) and forgets the call.
void finish(pointer self, const std::string& request_id, std::uint64_t serial,
            const reply_fn& reply);

/// Answers shutdown waiters once no call and no task of the session is left.
void answer_quiet_waiters(pointer self);

/// A fresh task id: unique across sessions and restarts.
std::string new_task_id(state& st);

/// Registers `entry` under its request id; returns its serial.
std::uint64_t add_call(state& st, call_in_flight entry);

/// Starts a task tool call (task_status, task_output, task_cancel, task_list).
void start_task_call(pointer self, mcp::tool_call call);

/// Starts cluster_bash / offload_to with background: true.
void start_background_run(pointer self, mcp::tool_call call);

/// The timer of one call fired: hand its run off, or look at its task again.
void call_timer(pointer self, const std::string& request_id);

/// The last line the task wrote to stdout so far, for progress messages;
/// empty when none (or nothing was spooled).
std::string last_output_line(const state& st, const std::string& task_id);

} // namespace cluster::gateway
