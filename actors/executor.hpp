#pragma once

#include "config/settings.hpp"
#include "messages/type_ids.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace cluster {

namespace transport {
class process_reactor;
} // namespace transport

/// Spawns the executor of the local node: runs commands as local process
/// groups through `reactor`, at most `node.slots` at once.
executor_actor spawn_local_executor(
  caf::actor_system& sys, node_info node,
  std::shared_ptr<transport::process_reactor> reactor, settings cfg);

} // namespace cluster
