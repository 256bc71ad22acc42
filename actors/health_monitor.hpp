#pragma once

#include "config/settings.hpp"
#include "messages/type_ids.hpp"

#include <caf/fwd.hpp>

namespace cluster {

/// Spawns the health monitor of the local node: samples it every
/// `cfg.health_interval`, pushes each sample to `router`, and serves the
/// latest snapshot.
health_monitor_actor spawn_health_monitor(caf::actor_system& sys,
                                          node_info local, router_actor router,
                                          settings cfg);

} // namespace cluster
