#pragma once

#include "config/settings.hpp"
#include "messages/type_ids.hpp"

#include <caf/fwd.hpp>

#include <chrono>
#include <vector>

namespace cluster {

/// Spawns the health monitor: reads the local node's /proc directly and
/// probes every remote node over its executor's connection, every
/// `cfg.health_interval` (failed nodes with backoff); pushes each sample to
/// `router` and serves snapshots of the whole cluster. `executors` is in the
/// same order as `nodes`. Without `sample_remote`, remote nodes are probed
/// only for a snapshot that asks for a refresh.
health_monitor_actor spawn_health_monitor(caf::actor_system& sys,
                                          std::vector<node_info> nodes,
                                          std::vector<executor_actor> executors,
                                          router_actor router, settings cfg,
                                          bool sample_remote = true);

/// How long to wait for a snapshot: a refresh takes up to one probe's
/// CLUSTER_STATUS_TIMEOUT, plus slack for the messages around it.
std::chrono::milliseconds snapshot_deadline(const settings& cfg);

} // namespace cluster
