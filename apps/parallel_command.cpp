#include "apps/parallel_command.hpp"

#include "actors/mcp/tool_results.hpp"
#include "actors/run_outcome.hpp"
#include "apps/exit_codes.hpp"
#include "apps/one_shot.hpp"
#include "actors/batch_report.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <unistd.h>

namespace cluster {

namespace {

using batch_ptr = std::shared_ptr<const batch_request>;

// Runs detached, on a thread of its own: stderr may be a terminal paused
// with ^S or a pipe nobody drains, and a write that waits must not hold a
// scheduler thread the router needs.
progress_listener_actor::behavior_type
progress_printer(progress_listener_actor::pointer, bool show, batch_ptr batch) {
  return {
    [show, batch](atom::progress, const batch_progress& p) {
      if (!show)
        return;
      auto line = progress_line(p, *batch);
      std::fwrite(line.data(), 1, line.size(), stderr);
    },
  };
}

batch_ptr make_batch(const runtime& rt, const router_invocation& inv) {
  auto& p = inv.parallel;
  auto batch = std::make_shared<batch_request>();
  // Its items are journaled as `<batch_id>.<index>`: unique across runs.
  batch->batch_id = new_task_id("p");
  batch->options = p.options;
  batch->broadcast = p.broadcast;
  batch->nodes = p.nodes;
  auto item = inv.request;
  item.submitter = "cli";
  item.output_limit = terminal_output_limit(rt, item);
  for (auto& command : p.commands) {
    item.command = command;
    batch->items.push_back(item);
  }
  return batch;
}

// What the router answered (nothing when it did not), and whether a signal
// came while it worked.
struct batch_outcome {
  std::optional<batch_result> result;
  bool interrupted = false;
};

batch_outcome ask_router(caf::actor_system& sys, runtime& rt,
                         const batch_ptr& batch, bool show_progress) {
  batch_outcome out;
  auto listener = sys.spawn<caf::detached>(progress_printer, show_progress,
                                           batch);
  caf::scoped_actor self{sys};
  auto answer = self->request(rt.router, batch_deadline(*batch, rt.cfg, rt.nodes.size()),
                              atom::run_v, *batch, listener);
  {
    // Watching starts once the batch is in the router's mailbox, so a
    // signal already pending cancels the batch instead of overtaking it.
    // The router still answers with every item's result.
    interrupt_watch watch{rt.router, batch->batch_id};
    answer.receive([&](batch_result& r) { out.result = std::move(r); },
                   [&](caf::error& err) {
                     std::cerr << "cluster-router: the runtime did not answer: "
                               << caf::to_string(err) << '\n';
                   });
    out.interrupted = watch.interrupted();
  }
  // Progress was sent before the answer: let the last lines out before the
  // report starts.
  caf::anon_send_exit(listener, caf::exit_reason::user_shutdown);
  self->wait_for(listener);
  return out;
}

} // namespace

int run_parallel(caf::actor_system& sys, runtime& rt,
                 const router_invocation& inv) {
  auto batch = make_batch(rt, inv);
  // A broadcast names its nodes or takes every eligible one: nothing is
  // chosen by load, so nothing needs measuring first.
  if (!batch->broadcast)
    sample_before_routing(sys, rt, inv.request);
  auto show_progress = inv.parallel.progress || ::isatty(STDERR_FILENO) == 1;
  auto [answer, interrupted] = ask_router(sys, rt, batch, show_progress);
  if (!answer)
    return exit_code::cluster_error;
  auto& result = *answer;
  if (inv.json) {
    mcp::json_writer json;
    mcp::write_batch_object(json, result, *batch);
    std::cout << json.str() << '\n';
  } else if (result.error == error_class::none) {
    auto text = batch->broadcast
                  ? broadcast_report(result, *batch, inv.parallel.merge)
                  : list_report(result, *batch);
    text += batch_summary(result, *batch, interrupted);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  std::fflush(stdout);
  if (result.error != error_class::none) {
    // Nothing ran: the words and the status submit uses when no node can.
    std::cerr << "cluster-router: " << to_string(result.error) << ": "
              << result.error_message << '\n';
    return exit_code::cluster_error;
  }
  if (interrupted)
    return exit_code::interrupted;
  auto all_ok = std::all_of(result.results.begin(), result.results.end(),
                            [](const run_result& r) { return r.ok(); });
  return all_ok ? 0 : exit_code::failed;
}

} // namespace cluster
