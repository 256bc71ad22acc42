#pragma once

#include "config/settings.hpp"
#include "messages/type_ids.hpp"

#include <caf/fwd.hpp>

#include <vector>

namespace cluster {

/// Spawns the router over `nodes` and their executors (same order). It hands
/// a command to an executor only while that node has a free slot, and holds
/// at most `cfg.queue_limit` commands waiting.
router_actor spawn_router(caf::actor_system& sys, std::vector<node_info> nodes,
                          std::vector<executor_actor> executors, settings cfg);

} // namespace cluster
