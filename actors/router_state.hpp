#pragma once

// The router's state and the steps its two halves share: single commands,
// placement and dispatch (router.cpp), and batches (router_batch.cpp).

#include "actors/batch_tracker.hpp"
#include "actors/placement.hpp"
#include "actors/router.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace cluster::routing {

/// A command admitted but not yet finished.
struct pending {
  run_request req;
  eligibility candidates;
  command_profile profile;
  std::function<void(run_result)> on_done;
  std::string retried;  // nodes that could not be reached, and why
  std::vector<std::string> retried_from;
  std::string batch_id;  // empty for a single command
  std::size_t index = 0; // its place in the batch
};

/// Where a running command runs, and the batch it belongs to.
struct running_task {
  std::size_t node = 0;
  std::string batch_id;
};

/// A batch being run: who waits for it, and its bookkeeping.
struct batch_state {
  caf::typed_response_promise<batch_result> promise;
  progress_listener_actor listener;
  batch_tracker tracker;
};

/// Everything the router holds.
struct router_state {
  static inline const char* name = "router";
  settings cfg;
  task_recording recording;
  load_limits limits;
  std::vector<node_view> views;
  std::vector<executor_actor> executors;
  std::deque<pending> queue;
  std::unordered_map<std::string, running_task> running;  // by task id
  std::unordered_map<std::string, batch_state> batches;
};

/// The router's actor pointer.
using router_pointer = router_actor::stateful_pointer<router_state>;

/// The tracker of batch `batch_id`, or null for a single command (or a batch
/// already answered).
batch_tracker* tracker_of(router_state& st, const std::string& batch_id);

/// Hands queued commands to nodes with free slots (see router.cpp).
void dispatch(router_pointer self);

/// Admits one command, or answers at once why it cannot run.
void admit(router_pointer self, pending job);

/// Ends a batch early: its queued items never start, its running items are
/// killed on their nodes; each still gets its own result.
void stop_batch(router_pointer self, const std::string& batch_id,
                std::string why, std::string stopped_by);

/// Admits a whole batch or refuses it as a whole, answering `promise`.
void run_batch(router_pointer self, batch_request batch,
               progress_listener_actor listener,
               caf::typed_response_promise<batch_result> promise);

} // namespace cluster::routing
