#include "actors/executor.hpp"

#include "actors/output_capture.hpp"
#include "transport/log.hpp"
#include "transport/process_reactor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <unordered_map>

namespace cluster {

namespace {

struct running_task {
  caf::typed_response_promise<run_result> promise;
  transport::process_reactor::process_id process = 0;
};

struct executor_state {
  static inline const char* name = "executor";
  node_info node;
  std::shared_ptr<transport::process_reactor> reactor;
  settings cfg;
  std::unordered_map<std::string, running_task> tasks;
};

using executor_pointer = executor_actor::stateful_pointer<executor_state>;

std::string seconds_text(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms % 1000 == 0)
    return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

// Runs on the reactor's I/O thread: turns how the process ended into an
// honest result while the capture is still owned by that thread.
run_result make_result(const run_request& req, const std::string& node,
                       const transport::process_outcome& outcome,
                       const output_capture& capture,
                       std::chrono::milliseconds timeout) {
  run_result r;
  r.task_id = req.task_id;
  r.node = node;
  r.out = capture.out();
  r.err = capture.err();
  r.duration_ms = static_cast<std::uint64_t>(outcome.duration.count());
  r.signal = outcome.signal;
  using transport::process_end;
  switch (outcome.end) {
    case process_end::exited:
      r.exit_code = outcome.exit_code;
      break;
    case process_end::timed_out:
      r.error = error_class::timeout;
      r.error_message = "timed out after " + seconds_text(timeout)
                        + "; the process group was killed";
      break;
    case process_end::cancelled:
      r.error = error_class::cancelled;
      r.error_message = "cancelled; the process group was killed";
      break;
    case process_end::spawn_failed:
      r.error = error_class::spawn;
      r.error_message = outcome.error;
      break;
  }
  return r;
}

executor_actor::behavior_type
local_executor(executor_pointer self, node_info node,
               std::shared_ptr<transport::process_reactor> reactor,
               settings cfg) {
  self->state.node = std::move(node);
  self->state.reactor = std::move(reactor);
  self->state.cfg = cfg;
  self->attach_functor([reactor = self->state.reactor, self] {
    // Nothing may outlive the executor: kill what still runs.
    for (auto& [id, task] : self->state.tasks)
      reactor->cancel(task.process);
  });
  return {
    [=](atom::run, run_request& req) -> caf::result<run_result> {
      auto& st = self->state;
      if (st.tasks.count(req.task_id) != 0)
        return make_failed_result(req, error_class::invalid,
                                  "task id " + req.task_id
                                    + " is already running");
      if (st.tasks.size() >= st.node.slots)
        return make_failed_result(req, error_class::overloaded,
                                  "all " + std::to_string(st.node.slots)
                                    + " slots of " + st.node.id
                                    + " are busy",
                                  true);
      transport::process_spec spec;
      spec.command = req.command;
      spec.cwd = req.cwd;
      spec.timeout = req.timeout_ms != 0
                       ? std::chrono::milliseconds{req.timeout_ms}
                       : st.cfg.cmd_timeout;
      spec.kill_grace = st.cfg.kill_grace;
      auto limit = req.output_limit != 0 ? req.output_limit
                                         : st.cfg.output_limit;
      auto capture = std::make_shared<output_capture>(limit);
      // The completion runs on the I/O thread and may outlive this actor:
      // hold only its address and send the result as a message.
      auto addr = self->address();
      auto timeout = spec.timeout;
      auto on_done = [addr, req, node_id = st.node.id, capture,
                      timeout](const transport::process_outcome& outcome) {
        auto result = make_result(req, node_id, outcome, *capture, timeout);
        if (auto hdl = caf::actor_cast<executor_actor>(addr))
          caf::anon_send(hdl, atom::ended_v, std::move(result));
      };
      transport::log(log_level::debug, "executor ", st.node.id, ": start ",
                     req.task_id);
      auto& task = st.tasks[req.task_id];
      task.promise = self->make_response_promise<run_result>();
      task.process = st.reactor->start(std::move(spec), capture,
                                       std::move(on_done));
      return task.promise;
    },
    [=](atom::cancel, const std::string& task_id) {
      auto i = self->state.tasks.find(task_id);
      if (i != self->state.tasks.end())
        self->state.reactor->cancel(i->second.process);
    },
    [=](atom::ended, run_result& result) {
      auto i = self->state.tasks.find(result.task_id);
      if (i == self->state.tasks.end())
        return;
      transport::log(log_level::debug, "executor ", self->state.node.id,
                     ": ended ", result.task_id, " (", to_string(result.error),
                     ")");
      auto promise = std::move(i->second.promise);
      self->state.tasks.erase(i);
      promise.deliver(std::move(result));
    },
  };
}

} // namespace

executor_actor spawn_local_executor(
  caf::actor_system& sys, node_info node,
  std::shared_ptr<transport::process_reactor> reactor, settings cfg) {
  return sys.spawn(local_executor, std::move(node), std::move(reactor),
                   std::move(cfg));
}

} // namespace cluster
