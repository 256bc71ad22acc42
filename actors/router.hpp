#pragma once

#include "config/settings.hpp"
#include "messages/type_ids.hpp"

#include <caf/fwd.hpp>

#include <string>
#include <vector>

namespace cluster {

/// Where the router records tasks: the journal actor (null: none) and the
/// directory their full output is spooled to (empty: not spooled).
struct task_recording {
  journal_actor journal;
  std::string spool_dir;
};

/// Spawns the router over `nodes` and their executors (same order). It hands
/// a command to an executor only while that node has a free slot, and holds
/// at most `cfg.queue_limit` commands waiting; every task's admission, start
/// and end go to `recording.journal`.
router_actor spawn_router(caf::actor_system& sys, std::vector<node_info> nodes,
                          std::vector<executor_actor> executors, settings cfg,
                          task_recording recording = {});

} // namespace cluster
