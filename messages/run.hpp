#pragma once

// The vocabulary of running a command: what is asked, and what came of it.

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <caf/optional.hpp>
#include <string>
#include <vector>

namespace cluster {

/// How a run ended: `none` for exit 0, `command` for the command's own failure,
/// anything else when it never ran to its own end.
enum class error_class : std::uint8_t {
  none,        ///< The command ran and exited 0.
  command,     ///< The command ran and exited non-zero (or died of a signal).
  timeout,     ///< The deadline passed; the process group was killed.
  cancelled,   ///< The caller cancelled; the process group was killed.
  spawn,       ///< The command could not be started (bad cwd, no shell, ...).
  connection,  ///< The node could not be reached or the link dropped (retriable).
  auth,        ///< The node refused every key we offered.
  host_key,    ///< The node's host key is unknown (strict) or has changed.
  placement,   ///< No node meets the requirements, or the named node is unknown.
  overloaded,  ///< Admission control refused the work; retry later (retriable).
  invalid,     ///< The request itself is malformed.
  policy,      ///< The command policy refused the command; it never ran.
};

/// Returns the stable lower-case name used in JSON and on the command line.
const char* to_string(error_class x);

/// Hard requirements a node must meet to run a command; empty means "any".
struct requirements {
  std::string os;    ///< "linux" or "darwin"; empty: any.
  std::string arch;  ///< "x86_64" or "arm64"; empty: any.
  std::vector<std::string> capabilities;  ///< All must be offered by the node.

  friend bool operator==(const requirements& a, const requirements& b) {
    return a.os == b.os && a.arch == b.arch && a.capabilities == b.capabilities;
  }
};

/// Serializes `requirements` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, requirements& x) {
  return f(caf::meta::type_name("cluster.requirements"), x.os, x.arch,
           x.capabilities);
}

/// One command to run somewhere in the cluster.
struct run_request {
  std::string task_id;        ///< Unique id; cancellation refers to it.
  std::string command;        ///< Run as `bash -c command`; never re-parsed by us.
  requirements needs;         ///< Hard constraints on the node.
  std::string node;           ///< A node id or alias to run on; empty: route.
  bool auto_route = true;     ///< false: stay on the local node (still checked).
  std::uint32_t timeout_ms = 0;        ///< 0: the configured default.
  std::string cwd;                     ///< Working directory; empty: the default.
  std::uint32_t output_limit = 0;      ///< Bytes kept per stream; 0: default.
  std::string submitter;       ///< Who asked ("mcp", "cli"), for the journal.
  /// Where the full output goes while it runs: `<spool>.out` and
  /// `<spool>.err`; empty: only the bounded capture is kept.
  std::string spool;

  friend bool operator==(const run_request& a, const run_request& b) {
    return a.task_id == b.task_id && a.command == b.command
           && a.needs == b.needs && a.node == b.node
           && a.auto_route == b.auto_route && a.timeout_ms == b.timeout_ms
           && a.cwd == b.cwd && a.output_limit == b.output_limit
           && a.submitter == b.submitter && a.spool == b.spool;
  }
};

/// Serializes `run_request` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_request& x) {
  return f(caf::meta::type_name("cluster.run_request"), x.task_id, x.command,
           x.needs, x.node, x.auto_route, x.timeout_ms, x.cwd, x.output_limit,
           x.submitter, x.spool);
}

/// One captured output stream, already bounded and valid UTF-8.
struct captured_output {
  std::string text;            ///< Head and tail, middle replaced by a marker.
  std::uint64_t total_bytes = 0;  ///< Bytes the command actually wrote.
  bool truncated = false;      ///< True when `text` omits part of the output.

  friend bool operator==(const captured_output& a, const captured_output& b) {
    return a.text == b.text && a.total_bytes == b.total_bytes
           && a.truncated == b.truncated;
  }
};

/// Serializes `captured_output` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, captured_output& x) {
  return f(caf::meta::type_name("cluster.captured_output"), x.text,
           x.total_bytes, x.truncated);
}

/// What came of one `run_request`. Honest: only `none` and `command` carry
/// the command's own exit status.
struct run_result {
  std::string task_id;
  std::string node;              ///< Where it ran (or was meant to run).
  error_class error = error_class::none;
  std::string error_message;     ///< Human-readable detail when `error != none`.
  bool retriable = false;        ///< True when trying again may succeed.
  caf::optional<int> exit_code;  ///< Set when the process ended (128+n for signal n).
  int signal = 0;                ///< Signal that ended the process, 0 if none.
  captured_output out;
  captured_output err;
  std::uint64_t duration_ms = 0;
  bool auto_routed = false;      ///< True when the router chose the node.
  std::string reason;            ///< Why this node was chosen.
  /// Nodes that failed to connect before the command started, in order;
  /// the command then ran on `node` instead (never twice).
  std::vector<std::string> retried_from;

  /// True when the command ran and exited with status 0.
  bool ok() const {
    return error == error_class::none && exit_code && *exit_code == 0;
  }

  /// True when the command ran to its own end (whatever its status).
  bool ran() const {
    return (error == error_class::none || error == error_class::command)
           && exit_code;
  }

  friend bool operator==(const run_result& a, const run_result& b) {
    return a.task_id == b.task_id && a.node == b.node && a.error == b.error
           && a.error_message == b.error_message && a.retriable == b.retriable
           && a.exit_code == b.exit_code && a.signal == b.signal
           && a.out == b.out && a.err == b.err
           && a.duration_ms == b.duration_ms && a.auto_routed == b.auto_routed
           && a.reason == b.reason && a.retried_from == b.retried_from;
  }
};

/// Serializes `run_result` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_result& x) {
  return f(caf::meta::type_name("cluster.run_result"), x.task_id, x.node,
           x.error, x.error_message, x.retriable, x.exit_code, x.signal, x.out,
           x.err, x.duration_ms, x.auto_routed, x.reason, x.retried_from);
}

/// Builds a result for a request that never ran.
run_result make_failed_result(const run_request& req, error_class err,
                              std::string message, bool retriable = false);

/// How a batch runs besides its items.
struct batch_options {
  /// Most items of this batch running at once; 0: only the nodes' slots cap it.
  std::uint32_t max_parallel = 0;
  /// After the first item that does not succeed, cancel every item that has
  /// not finished (queued ones never start).
  bool fail_fast = false;

  friend bool operator==(const batch_options& a, const batch_options& b) {
    return a.max_parallel == b.max_parallel && a.fail_fast == b.fail_fast;
  }
};

/// Serializes `batch_options` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch_options& x) {
  return f(caf::meta::type_name("cluster.batch_options"), x.max_parallel,
           x.fail_fast);
}

/// Many commands fanned out over the cluster; results come back in input
/// order. Two forms: a list of commands, each routed on its own; or one
/// command broadcast to a set of nodes (the pdsh/clush job).
struct batch_request {
  std::string batch_id;
  /// The commands; for a broadcast exactly one, the template every node runs.
  /// Items without a task id get `<batch_id>.<index>`.
  std::vector<run_request> items;
  batch_options options;
  bool broadcast = false;          ///< Run items[0] once on each target node.
  /// Broadcast targets (ids or aliases, in the order results come back);
  /// empty: every node meeting the template's requirements, in node order.
  std::vector<std::string> nodes;

  friend bool operator==(const batch_request& a, const batch_request& b) {
    return a.batch_id == b.batch_id && a.items == b.items
           && a.options == b.options && a.broadcast == b.broadcast
           && a.nodes == b.nodes;
  }
};

/// Serializes `batch_request` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch_request& x) {
  return f(caf::meta::type_name("cluster.batch_request"), x.batch_id, x.items,
           x.options, x.broadcast, x.nodes);
}

/// The results of a `batch_request`, one per item, in input order (for a
/// broadcast, one per target node in target order).
struct batch_result {
  std::string batch_id;
  std::vector<run_result> results;
  /// Not `none` when the batch was refused as a whole (`overloaded`,
  /// `placement`, `invalid`): nothing ran and `results` is empty.
  error_class error = error_class::none;
  std::string error_message;   ///< Why the batch was refused.
  /// With fail_fast: the task id of the first item that failed; every item
  /// cancelled because of it says so in its own result.
  std::string stopped_by;

  friend bool operator==(const batch_result& a, const batch_result& b) {
    return a.batch_id == b.batch_id && a.results == b.results
           && a.error == b.error && a.error_message == b.error_message
           && a.stopped_by == b.stopped_by;
  }
};

/// Serializes `batch_result` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch_result& x) {
  return f(caf::meta::type_name("cluster.batch_result"), x.batch_id,
           x.results, x.error, x.error_message, x.stopped_by);
}

/// Progress of a batch: how many of its items have finished.
struct batch_progress {
  std::string batch_id;
  std::uint32_t done = 0;
  std::uint32_t total = 0;
  std::string last_task_id;  ///< The item that just finished.
  std::uint32_t index = 0;   ///< Its position in the batch's results.
  std::string node;          ///< Where it ran (or was meant to run).
  bool ok = false;           ///< True when it ran and exited 0.

  friend bool operator==(const batch_progress& a, const batch_progress& b) {
    return a.batch_id == b.batch_id && a.done == b.done && a.total == b.total
           && a.last_task_id == b.last_task_id && a.index == b.index
           && a.node == b.node && a.ok == b.ok;
  }
};

/// Serializes `batch_progress` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch_progress& x) {
  return f(caf::meta::type_name("cluster.batch_progress"), x.batch_id, x.done,
           x.total, x.last_task_id, x.index, x.node, x.ok);
}

} // namespace cluster
