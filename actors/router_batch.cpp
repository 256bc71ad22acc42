// The router's batches: admission as a whole, progress, fail-fast and
// cancellation of every item, and the answer in input order.

#include "actors/batch_plan.hpp"
#include "actors/router_state.hpp"
#include "transport/log.hpp"

#include <algorithm>

namespace cluster::routing {

namespace {

// Records one item's result, reports progress, and answers the batch when
// it was the last.
void item_done(router_pointer self, const std::string& batch_id,
               std::size_t index, run_result r) {
  auto& st = self->state;
  auto i = st.batches.find(batch_id);
  if (i == st.batches.end())
    return;
  auto& b = i->second;
  batch_progress progress{batch_id, 0, b.tracker.total(), r.task_id,
                          static_cast<std::uint32_t>(index), r.node, r.ok()};
  auto failed_task = r.task_id;
  auto failed_node = r.node;
  auto stops = b.tracker.finished(index, std::move(r));
  progress.done = b.tracker.done();
  if (b.listener)
    self->send(b.listener, atom::progress_v, std::move(progress));
  if (stops)
    stop_batch(self, batch_id,
               "fail_fast: " + failed_task + " failed"
                 + (failed_node.empty() ? "" : " on " + failed_node),
               failed_task);
  i = st.batches.find(batch_id);
  if (i != st.batches.end() && i->second.tracker.complete()) {
    auto finished = std::move(i->second);
    st.batches.erase(i);
    finished.promise.deliver(finished.tracker.take_result());
  }
}

} // namespace

void stop_batch(router_pointer self, const std::string& batch_id,
                std::string why, std::string stopped_by) {
  auto& st = self->state;
  auto* t = tracker_of(st, batch_id);
  if (t == nullptr || t->stopping())
    return;
  t->stop(why, std::move(stopped_by));
  transport::log(log_level::info, "router: batch ", batch_id, " stops: ", why);
  std::vector<pending> unstarted;
  for (auto i = st.queue.begin(); i != st.queue.end();) {
    if (i->batch_id == batch_id) {
      unstarted.push_back(std::move(*i));
      i = st.queue.erase(i);
    } else {
      ++i;
    }
  }
  for (auto& [task, where] : st.running)
    if (where.batch_id == batch_id)
      self->send(st.executors[where.node], atom::cancel_v, task);
  // Last: each result may complete the batch and erase its state.
  for (auto& job : unstarted)
    job.on_done(make_failed_result(job.req, error_class::cancelled,
                                   "not started: " + why));
}

// A batch the queue cannot hold is refused whole, never half-run.
void run_batch(router_pointer self, batch_request batch,
               progress_listener_actor listener,
               caf::typed_response_promise<batch_result> promise) {
  auto& st = self->state;
  auto refuse = [&](error_class error, std::string message) {
    batch_result r;
    r.batch_id = batch.batch_id;
    r.error = error;
    r.error_message = std::move(message);
    promise.deliver(std::move(r));
  };
  if (batch.batch_id.empty() || st.batches.count(batch.batch_id) != 0) {
    refuse(error_class::invalid,
           batch.batch_id.empty()
             ? "a batch needs an id"
             : "batch id " + batch.batch_id + " is already running");
    return;
  }
  auto batch_id = batch.batch_id;
  auto options = batch.options;
  auto plan = plan_batch(std::move(batch), st.views);
  if (plan.error != error_class::none) {
    refuse(plan.error, std::move(plan.error_message));
    return;
  }
  auto room = st.cfg.queue_limit - std::min<std::size_t>(st.cfg.queue_limit,
                                                         st.queue.size());
  if (plan.items.size() > room) {
    refuse(error_class::overloaded,
           "overloaded: the batch has " + std::to_string(plan.items.size())
             + " commands but the router can take only " + std::to_string(room)
             + " more now (" + std::to_string(st.queue.size())
             + " waiting, CLUSTER_QUEUE_LIMIT=" + std::to_string(st.cfg.queue_limit)
             + "); retry later or split the batch");
    return;
  }
  st.batches.emplace(batch_id,
                     batch_state{promise, std::move(listener),
                                 batch_tracker{batch_id, plan.items.size(),
                                               options}});
  if (plan.items.empty()) {
    item_done(self, batch_id, 0, {}); // completes an empty batch at once
    return;
  }
  for (std::size_t i = 0; i < plan.items.size(); ++i) {
    pending job;
    job.req = std::move(plan.items[i]);
    job.batch_id = batch_id;
    job.index = i;
    job.on_done = [self, batch_id, i](run_result r) {
      item_done(self, batch_id, i, std::move(r));
    };
    admit(self, std::move(job));
  }
  dispatch(self);
}

} // namespace cluster::routing
