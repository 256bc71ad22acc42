#include "actors/run_outcome.hpp"

#include <algorithm>

namespace cluster {

namespace {

std::string duration_text(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms % 1000 == 0)
    return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

// Whether the kill of a timed-out or cancelled run is known to have worked.
std::string kill_report(const run_ending& ending) {
  if (ending.failure == error_class::none)
    return "the process group was killed";
  return "the kill could not be confirmed: " + ending.error;
}

} // namespace

run_result make_run_result(const run_request& req, const std::string& node,
                           const run_ending& ending,
                           const output_capture& capture,
                           std::chrono::milliseconds timeout) {
  run_result r;
  r.task_id = req.task_id;
  r.node = node;
  r.out = capture.out();
  r.err = capture.err();
  r.duration_ms = static_cast<std::uint64_t>(ending.duration.count());
  r.signal = ending.signal;
  using transport::process_end;
  switch (ending.end) {
    case process_end::exited:
      r.exit_code = ending.exit_code;
      if (ending.exit_code != 0)
        r.error = error_class::command;
      break;
    case process_end::timed_out:
      r.error = error_class::timeout;
      r.error_message = "timed out after " + duration_text(timeout) + "; "
                        + kill_report(ending);
      break;
    case process_end::cancelled:
      r.error = error_class::cancelled;
      r.error_message = "cancelled; " + kill_report(ending);
      break;
    case process_end::spawn_failed:
      r.error = ending.failure == error_class::none ? error_class::spawn
                                                    : ending.failure;
      r.error_message = ending.error;
      // Only a connection problem may go away by itself, and only a command
      // that never reached the node is safe to run again.
      r.retriable = r.error == error_class::connection && !ending.started;
      break;
  }
  return r;
}

std::chrono::milliseconds batch_deadline(const batch_request& batch,
                                         const settings& cfg,
                                         std::size_t node_count) {
  std::chrono::milliseconds each{0};
  for (auto& item : batch.items)
    each = std::max(each, effective_timeout(item, cfg) + 3 * cfg.kill_grace);
  auto count = batch.broadcast ? std::max(batch.nodes.size(), node_count)
                               : batch.items.size();
  return each * static_cast<long>(count) + std::chrono::hours{1};
}

std::chrono::milliseconds effective_timeout(const run_request& req,
                                            const settings& cfg) {
  return req.timeout_ms != 0 ? std::chrono::milliseconds{req.timeout_ms}
                             : cfg.cmd_timeout;
}

std::uint32_t effective_output_limit(const run_request& req,
                                     const settings& cfg) {
  return req.output_limit != 0 ? req.output_limit : cfg.output_limit;
}

std::optional<run_result> refusal(const run_request& req, bool id_in_use,
                                  std::size_t running, const node_info& node) {
  if (id_in_use)
    return make_failed_result(req, error_class::invalid,
                              "task id " + req.task_id + " is already running");
  // The router never sends more than the slots; this guards the contract.
  if (running >= node.slots)
    return make_failed_result(req, error_class::overloaded,
                              "all " + std::to_string(node.slots)
                                + " slots of " + node.id + " are busy",
                              true);
  return std::nullopt;
}

} // namespace cluster
