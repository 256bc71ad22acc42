#pragma once

#include "config/node_config.hpp"
#include "config/settings.hpp"
#include "messages/type_ids.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace cluster {

namespace transport {
class ssh_reactor;
} // namespace transport

/// Spawns the executor of a remote node: resolves its address through
/// `resolver`, runs commands over `ssh` on warm connections, at most
/// `node.info.slots` at once; with `warm`, connects right away.
executor_actor spawn_ssh_executor(caf::actor_system& sys, node_config node,
                                  resolver_actor resolver,
                                  std::shared_ptr<transport::ssh_reactor> ssh,
                                  settings cfg, bool warm = false);

} // namespace cluster
