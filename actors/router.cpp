#include "actors/router.hpp"

#include "actors/placement.hpp"
#include "actors/run_outcome.hpp"
#include "transport/log.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <deque>
#include <memory>
#include <functional>
#include <unordered_map>

namespace cluster {

namespace {

// A command admitted but not yet finished.
struct pending {
  run_request req;
  eligibility candidates;
  command_profile profile;
  std::function<void(run_result)> on_done;
  std::string retried;  // nodes that could not be reached, and why
};

struct batch_state {
  caf::typed_response_promise<batch_result> promise;
  progress_listener_actor listener;
  batch_result result;
  std::uint32_t done = 0;
};

struct router_state {
  static inline const char* name = "router";
  settings cfg;
  load_limits limits;
  std::vector<node_view> views;
  std::vector<executor_actor> executors;
  std::deque<pending> queue;
  std::unordered_map<std::string, std::size_t> running;  // task -> node
  std::unordered_map<std::string, batch_state> batches;
};

using router_pointer = router_actor::stateful_pointer<router_state>;

// How long the router waits for an executor: the command's own deadline plus
// the kill grace plus slack, so the executor's timeout always fires first.
std::chrono::milliseconds executor_deadline(const router_state& st,
                                            const run_request& req) {
  return effective_timeout(req, st.cfg) + 2 * st.cfg.kill_grace
         + std::chrono::seconds{30};
}

void dispatch(router_pointer self);

// A command that never reached its node may go to another eligible one:
// only `retriable` connection failures qualify, which the transport reports
// only when the command cannot have started, so nothing runs twice.
bool may_retry(const pending& job, const run_result& r) {
  return job.candidates.auto_routed && r.error == error_class::connection
         && r.retriable && job.candidates.nodes.size() > 1;
}

// Takes node `node` out of the job's candidates and marks it unreachable
// until the health monitor's next sample says otherwise.
void retry_elsewhere(router_pointer self, pending& job, std::size_t node,
                     const run_result& r) {
  auto& st = self->state;
  auto& view = st.views[node];
  auto& nodes = job.candidates.nodes;
  nodes.erase(std::remove(nodes.begin(), nodes.end(), node), nodes.end());
  job.retried += (job.retried.empty() ? "" : "; ") + view.info.id + " failed "
                 + "before the command started (" + r.error_message + ")";
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
  st.running.emplace(job.req.task_id, where.node);
  transport::log(log_level::info, "router: ", job.req.task_id, " -> ",
                 view.info.id, " (", where.reason, ")");
  auto req = job.req;
  auto node_id = view.info.id;
  // Shared, not copied: the job goes back to the queue on a retry.
  auto shared = std::make_shared<pending>(std::move(job));
  auto finish = [self, node = where.node, shared, node_id,
                 reason = where.reason](run_result r) {
    auto& st = self->state;
    --st.views[node].busy;
    st.running.erase(shared->req.task_id);
    if (may_retry(*shared, r)) {
      retry_elsewhere(self, *shared, node, r);
      // First in line: it was admitted before everything still queued.
      st.queue.push_front(std::move(*shared));
      dispatch(self);
      return;
    }
    r.node = node_id;
    r.auto_routed = shared->candidates.auto_routed;
    r.reason = reason;
    if (!shared->retried.empty())
      r.reason += "; after " + shared->retried;
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

// Hands queued commands to nodes with free slots, oldest first; a command
// whose nodes are all full waits without blocking those behind it.
void dispatch(router_pointer self) {
  auto& st = self->state;
  for (auto i = st.queue.begin(); i != st.queue.end();) {
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

// Admits one command or answers at once why it cannot run.
void admit(router_pointer self, run_request req,
           std::function<void(run_result)> on_done) {
  auto& st = self->state;
  auto candidates = eligible_nodes(req, st.views);
  if (!candidates.error.empty()) {
    auto r = make_failed_result(req, error_class::placement,
                                std::move(candidates.error));
    on_done(std::move(r));
    return;
  }
  if (st.queue.size() >= st.cfg.queue_limit) {
    on_done(make_failed_result(req, error_class::overloaded,
                               "the router already holds "
                                 + std::to_string(st.queue.size())
                                 + " waiting commands (CLUSTER_QUEUE_LIMIT)",
                               true));
    return;
  }
  // Classified once, on admission: the command text never changes.
  auto profile = classify_command(req.command);
  st.queue.push_back(pending{std::move(req), std::move(candidates),
                             std::move(profile), std::move(on_done), {}});
}

router_actor::behavior_type router(router_pointer self,
                                   std::vector<node_info> nodes,
                                   std::vector<executor_actor> executors,
                                   settings cfg) {
  auto& st = self->state;
  st.cfg = cfg;
  st.limits = load_limits_from(cfg);
  for (auto& n : nodes)
    st.views.push_back(node_view{std::move(n), std::nullopt, 0});
  st.executors = std::move(executors);
  return {
    [=](atom::run, run_request& req) -> caf::result<run_result> {
      auto promise = self->make_response_promise<run_result>();
      admit(self, std::move(req),
            [promise](run_result r) mutable { promise.deliver(std::move(r)); });
      dispatch(self);
      return promise;
    },
    [=](atom::run, batch_request& batch,
        progress_listener_actor& listener) -> caf::result<batch_result> {
      auto& st = self->state;
      auto promise = self->make_response_promise<batch_result>();
      if (st.batches.count(batch.batch_id) != 0) {
        promise.deliver(
          caf::make_error(caf::sec::runtime_error,
                          "batch id " + batch.batch_id + " is already running"));
        return promise;
      }
      auto total = static_cast<std::uint32_t>(batch.items.size());
      auto& b = st.batches[batch.batch_id];
      b.promise = promise;
      b.listener = listener;
      b.result.batch_id = batch.batch_id;
      b.result.results.resize(total);
      auto batch_id = batch.batch_id;
      auto on_item = [self, batch_id, total](std::size_t index, run_result r) {
        auto& batches = self->state.batches;
        auto i = batches.find(batch_id);
        if (i == batches.end())
          return;
        auto& b = i->second;
        auto task_id = r.task_id;
        b.result.results[index] = std::move(r);
        ++b.done;
        if (b.listener)
          self->send(b.listener, atom::progress_v,
                     batch_progress{batch_id, b.done, total, task_id});
        if (b.done == total) {
          auto finished = std::move(b);
          batches.erase(i);
          finished.promise.deliver(std::move(finished.result));
        }
      };
      if (total == 0) {
        auto finished = std::move(b);
        st.batches.erase(batch_id);
        finished.promise.deliver(std::move(finished.result));
        return promise;
      }
      for (std::size_t i = 0; i < batch.items.size(); ++i)
        admit(self, std::move(batch.items[i]),
              [on_item, i](run_result r) { on_item(i, std::move(r)); });
      dispatch(self);
      return promise;
    },
    [=](atom::explain, const run_request& req) {
      auto& st = self->state;
      return explain_placement(req, st.views, st.limits);
    },
    [=](atom::cancel, const std::string& task_id) {
      auto& st = self->state;
      auto q = std::find_if(st.queue.begin(), st.queue.end(),
                            [&](auto& p) { return p.req.task_id == task_id; });
      if (q != st.queue.end()) {
        auto job = std::move(*q);
        st.queue.erase(q);
        job.on_done(make_failed_result(job.req, error_class::cancelled,
                                       "cancelled before it started"));
        return;
      }
      auto r = st.running.find(task_id);
      if (r != st.running.end())
        self->send(st.executors[r->second], atom::cancel_v, task_id);
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

} // namespace

router_actor spawn_router(caf::actor_system& sys, std::vector<node_info> nodes,
                          std::vector<executor_actor> executors, settings cfg) {
  return sys.spawn(router, std::move(nodes), std::move(executors),
                   std::move(cfg));
}

} // namespace cluster
