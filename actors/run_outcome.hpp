#pragma once

// Turning how a process ended (locally or on a remote node) into an honest
// run_result: one mapping for every executor.

#include "actors/output_capture.hpp"
#include "config/settings.hpp"
#include "messages/node.hpp"
#include "messages/run.hpp"
#include "transport/process_reactor.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace cluster {

/// How a run ended, in the transport's terms.
struct run_ending {
  transport::process_end end = transport::process_end::exited;
  /// What went wrong besides the command: for spawn_failed the class
  /// (none means spawn); for timed_out/cancelled, none when the kill is
  /// confirmed, connection when it is not.
  error_class failure = error_class::none;
  int exit_code = -1;                       ///< Shell status (exited).
  int signal = 0;
  std::string error;                        ///< Why it did not start (or the kill failed).
  std::chrono::milliseconds duration{0};
  bool started = false;  ///< The command reached the node before a failure.
};

/// The result of `req` on `node`, with the captured output; `timeout` is the
/// deadline that applied (named in a timeout's message).
run_result make_run_result(const run_request& req, const std::string& node,
                           const run_ending& ending,
                           const output_capture& capture,
                           std::chrono::milliseconds timeout);

/// The deadline of `req`: its own timeout, else CLUSTER_CMD_TIMEOUT.
std::chrono::milliseconds effective_timeout(const run_request& req,
                                            const settings& cfg);

/// How long a client waits for a whole batch before it gives the runtime up
/// for lost: every item run one after another to its deadline and killed
/// (a broadcast's items: at most `node_count`), plus an hour for waiting in
/// the queue. The router answers for every item well before.
std::chrono::milliseconds batch_deadline(const batch_request& batch,
                                         const settings& cfg,
                                         std::size_t node_count);

/// Bytes kept per output stream for `req`: its own limit, else
/// CLUSTER_OUTPUT_LIMIT.
std::uint32_t effective_output_limit(const run_request& req,
                                     const settings& cfg);

/// Why an executor must refuse `req` before starting it (a task id already
/// running, or every slot busy); nullopt when it may start.
std::optional<run_result> refusal(const run_request& req, bool id_in_use,
                                  std::size_t running, const node_info& node);

} // namespace cluster
