#pragma once

// The one entry point that spawns the whole runtime into an existing
// caf::actor_system, so any CAF application can embed it.

#include "config/settings.hpp"
#include "messages/type_ids.hpp"

#include <caf/fwd.hpp>

#include <memory>
#include <vector>

namespace cluster {

namespace transport {
class process_reactor;
} // namespace transport

/// Handles to a running runtime. Call shutdown() before the actor system is
/// destroyed: the actors hold each other's handles.
struct runtime {
  settings cfg;
  std::vector<node_info> nodes;
  std::vector<executor_actor> executors;
  router_actor router;
  health_monitor_actor health;
  std::shared_ptr<transport::process_reactor> reactor;

  /// Stops every actor and kills every process still running.
  void shutdown();
};

/// Spawns executors, router and health monitor for `nodes` (currently local
/// nodes only; exactly one must be marked local).
runtime spawn_runtime(caf::actor_system& sys, settings cfg,
                      std::vector<node_info> nodes);

} // namespace cluster
