#pragma once

// The one entry point that spawns the whole runtime into an existing
// caf::actor_system, so any CAF application can embed it.

#include "config/node_config.hpp"
#include "config/settings.hpp"
#include "messages/type_ids.hpp"

#include <caf/fwd.hpp>

#include <memory>
#include <vector>

namespace cluster {

namespace transport {
class process_reactor;
class ssh_reactor;
class name_lookup;
} // namespace transport

/// Handles to a running runtime. Call shutdown() before the actor system is
/// destroyed: the actors hold each other's handles.
struct runtime {
  settings cfg;
  std::vector<node_config> nodes;
  std::vector<executor_actor> executors;  ///< Same order as `nodes`.
  router_actor router;
  health_monitor_actor health;
  journal_actor journal;    ///< Null without a state directory (or when off).
  resolver_actor resolver;  ///< Null without remote nodes.
  std::shared_ptr<transport::process_reactor> processes;
  std::shared_ptr<transport::ssh_reactor> ssh;  ///< Null without remote nodes.
  std::shared_ptr<transport::name_lookup> lookup;  ///< Null without remote nodes.

  /// The local node's configuration.
  const node_config& local_node() const;

  /// Stops every actor, waits until the executors are gone, and kills every
  /// process still running. Blocks: call it from the thread that owns the
  /// runtime, never from an actor. Does nothing the second time.
  void shutdown();
};

/// How a runtime starts.
struct runtime_options {
  /// Connect to every remote node at start, so the first command finds a
  /// warm connection: right for long-lived processes (the MCP server), a
  /// waste for a one-shot command line.
  bool warm_connections = false;
  /// Probe remote nodes' health from the start and on every interval. Off,
  /// they are probed only when a snapshot asks for a refresh: right for a
  /// one-shot command that names its node and must not touch the others.
  bool sample_remote_nodes = true;
  /// Record every task in the journal under `settings::state_dir` and spool
  /// its full output there (nothing happens without a state directory).
  bool journal = true;
};

/// Spawns executors (local or SSH), router, resolver and health monitor for
/// `nodes`, exactly one of which must be marked local.
runtime spawn_runtime(caf::actor_system& sys, settings cfg,
                      std::vector<node_config> nodes,
                      runtime_options options = {});

} // namespace cluster
