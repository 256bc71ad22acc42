#include "actors/executor.hpp"

#include "actors/output_capture.hpp"
#include "actors/run_outcome.hpp"
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
  bool probe = false;  // a health probe: takes no slot
};

struct executor_state {
  static inline const char* name = "executor";
  node_info node;
  std::shared_ptr<transport::process_reactor> reactor;
  settings cfg;
  std::unordered_map<std::string, running_task> tasks;
  std::size_t probes = 0;  // entries of `tasks` that are probes
};

using executor_pointer = executor_actor::stateful_pointer<executor_state>;

caf::result<run_result> start(executor_pointer self, run_request& req,
                              bool probe) {
  auto& st = self->state;
  if (auto no = refusal(req, st.tasks.count(req.task_id) != 0,
                        probe ? 0 : st.tasks.size() - st.probes, st.node))
    return *no;
  transport::process_spec spec;
  spec.command = req.command;
  spec.cwd = req.cwd;
  spec.timeout = effective_timeout(req, st.cfg);
  spec.kill_grace = st.cfg.kill_grace;
  auto capture = std::make_shared<output_capture>(
    effective_output_limit(req, st.cfg), probe ? std::string{} : req.spool);
  // The completion runs on the I/O thread and may outlive this actor:
  // hold only its address and send the result as a message.
  auto addr = self->address();
  auto timeout = spec.timeout;
  auto on_done = [addr, req, node_id = st.node.id, capture,
                  timeout](const transport::process_outcome& outcome) {
    run_ending ending{outcome.end,       error_class::none,
                      outcome.exit_code, outcome.signal,
                      outcome.error,     outcome.duration};
    auto result = make_run_result(req, node_id, ending, *capture, timeout);
    if (auto hdl = caf::actor_cast<executor_actor>(addr))
      caf::anon_send(hdl, atom::ended_v, std::move(result));
  };
  transport::log(log_level::debug, "executor ", st.node.id, ": start ",
                 req.task_id);
  auto& task = st.tasks[req.task_id];
  task.probe = probe;
  st.probes += probe ? 1 : 0;
  task.promise = self->make_response_promise<run_result>();
  task.process = st.reactor->start(std::move(spec), capture,
                                   std::move(on_done));
  return task.promise;
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
      return start(self, req, false);
    },
    [=](atom::probe, run_request& req) -> caf::result<run_result> {
      return start(self, req, true);
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
      self->state.probes -= i->second.probe ? 1 : 0;
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
