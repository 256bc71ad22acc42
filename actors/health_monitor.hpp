#pragma once

#include "config/settings.hpp"
#include "messages/type_ids.hpp"

#include <caf/fwd.hpp>

#include <vector>

namespace cluster {

/// Spawns the health monitor: samples the local node of `nodes` every
/// `cfg.health_interval`, pushes each sample to `router`, and serves a
/// snapshot that lists every node (remote ones as not sampled yet).
health_monitor_actor spawn_health_monitor(caf::actor_system& sys,
                                          std::vector<node_info> nodes,
                                          router_actor router, settings cfg);

} // namespace cluster
