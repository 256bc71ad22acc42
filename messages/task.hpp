#pragma once

// The vocabulary of the task journal: one record per task, what it was asked
// to do, where it ran and how it ended, kept after the process that ran it
// is gone.

#include "messages/run.hpp"

#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace cluster {

/// Where a task is in its life.
enum class task_state : std::uint8_t {
  queued,     ///< Admitted, waiting for a slot.
  running,    ///< Handed to a node.
  succeeded,  ///< Ran and exited 0.
  failed,     ///< Ran and exited non-zero, or could not run (see error).
  cancelled,  ///< Cancelled by a caller, fail-fast, or its owner's exit.
  lost,       ///< Its owning process died before recording an end.
};

/// Returns the stable lower-case name used in JSON and on the command line.
const char* to_string(task_state x);

/// Parses a name `to_string` returns; false when `text` is none of them.
bool from_string(const std::string& text, task_state& out);

/// True for the states a task never leaves.
bool is_final(task_state x);

/// Everything the journal keeps of one task.
struct task_record {
  std::string id;               ///< Unique; `cluster-router status ID` takes it.
  std::string command;
  requirements needs;
  std::string requested_node;   ///< The node asked for; empty: routed.
  std::string cwd;
  std::string submitter;        ///< Who asked: "mcp", "cli", "cli-detached".
  std::int32_t owner_pid = 0;   ///< Process whose runtime runs the task.
  std::string batch_id;         ///< The batch it belongs to; empty: none.
  std::string node;             ///< Where it runs or ran; empty until started.
  std::string reason;           ///< Why that node.
  std::int64_t created_ms = 0;  ///< Unix ms; 0: not yet.
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;
  task_state state = task_state::queued;
  caf::optional<int> exit_code;  ///< Set when the process ended on its own.
  error_class error = error_class::none;
  std::string error_message;
  std::string stdout_tail;       ///< Bounded, as the run result carried it.
  std::string stderr_tail;
  std::string stdout_path;       ///< Full stdout, spooled while it runs.
  std::string stderr_path;
  bool cancel_requested = false; ///< Another process asked its owner to cancel.

  friend bool operator==(const task_record& a, const task_record& b) {
    return a.id == b.id && a.command == b.command && a.needs == b.needs
           && a.requested_node == b.requested_node && a.cwd == b.cwd
           && a.submitter == b.submitter && a.owner_pid == b.owner_pid
           && a.batch_id == b.batch_id && a.node == b.node
           && a.reason == b.reason && a.created_ms == b.created_ms
           && a.started_ms == b.started_ms && a.finished_ms == b.finished_ms
           && a.state == b.state && a.exit_code == b.exit_code
           && a.error == b.error && a.error_message == b.error_message
           && a.stdout_tail == b.stdout_tail && a.stderr_tail == b.stderr_tail
           && a.stdout_path == b.stdout_path && a.stderr_path == b.stderr_path
           && a.cancel_requested == b.cancel_requested;
  }
};

/// Serializes `task_record` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_record& x) {
  return f(caf::meta::type_name("cluster.task_record"), x.id, x.command,
           x.needs, x.requested_node, x.cwd, x.submitter, x.owner_pid,
           x.batch_id, x.node, x.reason, x.created_ms, x.started_ms,
           x.finished_ms, x.state, x.exit_code, x.error, x.error_message,
           x.stdout_tail, x.stderr_tail, x.stdout_path, x.stderr_path,
           x.cancel_requested);
}

/// A task was handed to a node.
struct task_start {
  std::string id;
  std::string node;
  std::string reason;
  std::int64_t started_ms = 0;  ///< Unix ms.

  friend bool operator==(const task_start& a, const task_start& b) {
    return a.id == b.id && a.node == b.node && a.reason == b.reason
           && a.started_ms == b.started_ms;
  }
};

/// Serializes `task_start` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_start& x) {
  return f(caf::meta::type_name("cluster.task_start"), x.id, x.node, x.reason,
           x.started_ms);
}

/// Which tasks to list, newest first.
struct task_query {
  std::uint32_t limit = 20;     ///< At most this many.
  std::string state;            ///< A task_state name; empty: any.
  std::string id;               ///< An id or a unique prefix of one; empty: any.

  friend bool operator==(const task_query& a, const task_query& b) {
    return a.limit == b.limit && a.state == b.state && a.id == b.id;
  }
};

/// Serializes `task_query` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_query& x) {
  return f(caf::meta::type_name("cluster.task_query"), x.limit, x.state,
           x.id);
}

/// What the journal answered: records, or why it could not.
struct task_listing {
  std::vector<task_record> tasks;  ///< Newest first.
  std::string error;               ///< Non-empty: the journal is unusable, and why.

  friend bool operator==(const task_listing& a, const task_listing& b) {
    return a.tasks == b.tasks && a.error == b.error;
  }
};

/// Serializes `task_listing` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_listing& x) {
  return f(caf::meta::type_name("cluster.task_listing"), x.tasks, x.error);
}

} // namespace cluster
