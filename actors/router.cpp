#include "actors/router.hpp"

#include "actors/command_policy.hpp"
#include "actors/router_state.hpp"
#include "actors/run_outcome.hpp"
#include "transport/log.hpp"
#include "transport/task_journal.hpp"
#include "transport/wall_clock.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <deque>
#include <memory>
#include <functional>
#include <unordered_map>

#include <unistd.h>

namespace cluster::routing {

// How long the router waits for an executor: the command's own deadline plus
// the kill grace plus slack, so the executor's timeout always fires first.
std::chrono::milliseconds executor_deadline(const router_state& st,
                                            const run_request& req) {
  return effective_timeout(req, st.cfg) + 2 * st.cfg.kill_grace
         + std::chrono::seconds{30};
}

batch_tracker* tracker_of(router_state& st, const std::string& batch_id) {
  if (batch_id.empty())
    return nullptr;
  auto i = st.batches.find(batch_id);
  return i == st.batches.end() ? nullptr : &i->second.tracker;
}

// A command that never reached its node may go to another eligible one:
// only `retriable` connection failures qualify, which the transport reports
// only when the command cannot have started, so nothing runs twice.
bool may_retry(router_state& st, const pending& job, const run_result& r) {
  if (auto* t = tracker_of(st, job.batch_id); t != nullptr && t->stopping())
    return false;
  return job.candidates.auto_routed && r.error == error_class::connection
         && r.retriable && job.candidates.nodes.size() > 1;
}

// Takes node `node` out of the job's candidates (so no node is tried twice)
// and marks it unreachable until the health monitor's next sample says
// otherwise.
void retry_elsewhere(router_pointer self, pending& job, std::size_t node,
                     const run_result& r) {
  auto& st = self->state;
  auto& view = st.views[node];
  auto& nodes = job.candidates.nodes;
  nodes.erase(std::remove(nodes.begin(), nodes.end(), node), nodes.end());
  job.retried += (job.retried.empty() ? "" : "; ") + view.info.id + " failed "
                 + "before the command started (" + r.error_message + ")";
  job.retried_from.push_back(view.info.id);
  node_sample down = view.sample.value_or(node_sample{});
  down.node = view.info.id;
  down.sampled = true;
  down.reachable = false;
  down.error = r.error_message;
  view.sample = std::move(down);
  transport::log(log_level::warning, "router: ", job.req.task_id, " could not ",
                 "reach ", view.info.id, ", trying another node: ",
                 r.error_message);
}

void start(router_pointer self, pending job, const choice& where) {
  auto& st = self->state;
  auto& view = st.views[where.node];
  ++view.busy;
  st.running.emplace(job.req.task_id, running_task{where.node, job.batch_id});
  if (auto* t = tracker_of(st, job.batch_id))
    t->started(job.index);
  transport::log(log_level::info, "router: ", job.req.task_id, " -> ",
                 view.info.id, " (", where.reason, ")");
  if (st.recording.journal)
    self->send(st.recording.journal, atom::started_v,
               task_start{job.req.task_id, view.info.id, where.reason,
                          transport::unix_now_ms()});
  auto req = job.req;
  auto node_id = view.info.id;
  // Shared, not copied: the job goes back to the queue on a retry.
  auto shared = std::make_shared<pending>(std::move(job));
  auto finish = [self, node = where.node, shared, node_id,
                 reason = where.reason](run_result r) {
    auto& st = self->state;
    --st.views[node].busy;
    st.running.erase(shared->req.task_id);
    if (may_retry(st, *shared, r)) {
      retry_elsewhere(self, *shared, node, r);
      // It holds no slot while it waits again, so the batch's cap counts
      // it as waiting too.
      if (auto* t = tracker_of(st, shared->batch_id))
        t->requeued(shared->index);
      // First in line: it was admitted before everything still queued.
      st.queue.push_front(std::move(*shared));
      dispatch(self);
      return;
    }
    r.node = node_id;
    r.auto_routed = shared->candidates.auto_routed;
    r.reason = reason;
    r.retried_from = shared->retried_from;
    if (!shared->retried.empty())
      r.reason += "; after " + shared->retried;
    if (auto* t = tracker_of(st, shared->batch_id);
        t != nullptr && t->stopping() && r.error == error_class::cancelled)
      r.error_message += " (" + t->stop_reason() + ")";
    shared->on_done(std::move(r));
    dispatch(self);
  };
  self
    ->request(st.executors[where.node], executor_deadline(st, req), atom::run_v,
              req)
    .then([finish](run_result& r) { finish(std::move(r)); },
          [finish, req, node_id](caf::error& err) {
            // The command may well have started: never retriable, so the
            // router does not run it elsewhere a second time.
            finish(make_failed_result(
              req, error_class::connection,
              "executor of " + node_id + " did not answer: " + to_string(err),
              false));
          });
}

bool any_free_slot(const router_state& st) {
  return std::any_of(st.views.begin(), st.views.end(),
                     [](auto& v) { return v.busy < v.info.slots; });
}

// Hands queued commands to nodes with free slots, oldest first; a command
// whose nodes are all full, or whose batch is at its own cap, waits without
// blocking those behind it. Work thus goes to whichever node frees a slot
// first: dynamic, never round-robin.
void dispatch(router_pointer self) {
  auto& st = self->state;
  for (auto i = st.queue.begin(); i != st.queue.end() && any_free_slot(st);) {
    if (auto* t = tracker_of(st, i->batch_id); t != nullptr && !t->may_start()) {
      ++i;
      continue;
    }
    auto where = choose_node(i->candidates, st.views, i->profile,
                             st.limits);
    if (!where) {
      ++i;
      continue;
    }
    auto job = std::move(*i);
    i = st.queue.erase(i);
    start(self, std::move(job), *where);
  }
}

// Tells the journal about a task it is given, and makes its end reach the
// journal too, whichever way it ends.
void record(router_pointer self, pending& job) {
  auto& st = self->state;
  if (!st.recording.journal)
    return;
  if (!st.recording.spool_dir.empty())
    job.req.spool = transport::spool_prefix(st.recording.spool_dir, job.req.task_id);
  task_record r;
  r.id = job.req.task_id;
  r.command = job.req.command;
  r.needs = job.req.needs;
  r.requested_node = job.req.node;
  r.cwd = job.req.cwd;
  r.submitter = job.req.submitter;
  r.owner_pid = static_cast<std::int32_t>(::getpid());
  r.batch_id = job.batch_id;
  r.created_ms = transport::unix_now_ms();
  if (!job.req.spool.empty()) {
    r.stdout_path = job.req.spool + ".out";
    r.stderr_path = job.req.spool + ".err";
  }
  self->send(st.recording.journal, atom::put_v, std::move(r));
  job.on_done = [journal = st.recording.journal, self,
                 done = std::move(job.on_done)](run_result r) {
    self->send(journal, atom::ended_v, r);
    done(std::move(r));
  };
}

// Admits one command or answers at once why it cannot run.
void admit(router_pointer self, pending job) {
  auto& st = self->state;
  record(self, job);
  // A fail-fast batch may stop while its later items are still admitted.
  if (auto* t = tracker_of(st, job.batch_id); t != nullptr && t->stopping()) {
    job.on_done(make_failed_result(job.req, error_class::cancelled,
                                   "not started: " + t->stop_reason()));
    return;
  }
  // Before placement: a refused command is refused wherever it would go,
  // and it never reaches an executor.
  if (auto verdict = check_command(job.req.command, st.cfg.policy, job.req.cwd);
      !verdict.allowed) {
    // The caller hears of it in the result; the log only keeps a trace.
    transport::log(log_level::info, "router: ", job.req.task_id, " ",
                   verdict.message());
    job.on_done(make_failed_result(job.req, error_class::policy,
                                   verdict.message()));
    return;
  }
  job.candidates = eligible_nodes(job.req, st.views);
  if (!job.candidates.error.empty()) {
    job.on_done(make_failed_result(job.req, error_class::placement,
                                   std::move(job.candidates.error)));
    return;
  }
  if (st.queue.size() >= st.cfg.queue_limit) {
    job.on_done(make_failed_result(job.req, error_class::overloaded,
                                   "the router already holds "
                                     + std::to_string(st.queue.size())
                                     + " waiting commands (CLUSTER_QUEUE_LIMIT)",
                                   true));
    return;
  }
  // Classified once, on admission: the command text never changes.
  job.profile = classify_command(job.req.command);
  st.queue.push_back(std::move(job));
}

router_actor::behavior_type router(router_pointer self,
                                   std::vector<node_info> nodes,
                                   std::vector<executor_actor> executors,
                                   settings cfg, task_recording recording) {
  auto& st = self->state;
  st.cfg = cfg;
  st.recording = std::move(recording);
  st.limits = load_limits_from(cfg);
  for (auto& n : nodes)
    st.views.push_back(node_view{std::move(n), std::nullopt, 0});
  st.executors = std::move(executors);
  return {
    [=](atom::run, run_request& req) -> caf::result<run_result> {
      auto promise = self->make_response_promise<run_result>();
      pending job;
      job.req = std::move(req);
      job.on_done = [promise](run_result r) mutable {
        promise.deliver(std::move(r));
      };
      admit(self, std::move(job));
      dispatch(self);
      return promise;
    },
    [=](atom::run, batch_request& batch,
        progress_listener_actor& listener) -> caf::result<batch_result> {
      auto promise = self->make_response_promise<batch_result>();
      run_batch(self, std::move(batch), std::move(listener), promise);
      return promise;
    },
    [=](atom::explain, const run_request& req) {
      auto& st = self->state;
      auto x = explain_placement(req, st.views, st.limits);
      if (auto verdict = check_command(req.command, st.cfg.policy, req.cwd);
          !verdict.allowed)
        x.policy = verdict.message();
      return x;
    },
    [=](atom::cancel, const std::string& id) {
      auto& st = self->state;
      if (st.batches.count(id) != 0) {
        stop_batch(self, id, "the batch was cancelled", {});
        return;
      }
      auto q = std::find_if(st.queue.begin(), st.queue.end(),
                            [&](auto& p) { return p.req.task_id == id; });
      if (q != st.queue.end()) {
        auto job = std::move(*q);
        st.queue.erase(q);
        job.on_done(make_failed_result(job.req, error_class::cancelled,
                                       "cancelled before it started"));
        return;
      }
      auto r = st.running.find(id);
      if (r != st.running.end())
        self->send(st.executors[r->second.node], atom::cancel_v, id);
    },
    [=](atom::update, node_sample& sample) {
      auto& st = self->state;
      for (auto& v : st.views)
        if (v.info.id == sample.node)
          v.sample = std::move(sample);
      dispatch(self);
    },
    [=](atom::get, atom::ledger) {
      auto& st = self->state;
      slot_ledger ledger;
      ledger.queued = static_cast<std::uint32_t>(st.queue.size());
      ledger.queue_limit = st.cfg.queue_limit;
      for (auto& v : st.views) {
        slot_usage u{v.info.id, v.info.slots, v.busy, 0};
        for (auto& p : st.queue)
          if (p.candidates.nodes.size() == 1
              && st.views[p.candidates.nodes.front()].info.id == v.info.id)
            ++u.queued;
        ledger.nodes.push_back(std::move(u));
      }
      return ledger;
    },
  };
}

} // namespace cluster::routing

namespace cluster {

router_actor spawn_router(caf::actor_system& sys, std::vector<node_info> nodes,
                          std::vector<executor_actor> executors, settings cfg,
                          task_recording recording) {
  return sys.spawn(routing::router, std::move(nodes), std::move(executors),
                   std::move(cfg), std::move(recording));
}

} // namespace cluster
