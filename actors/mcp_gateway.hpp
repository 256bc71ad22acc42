#pragma once

#include "actors/mcp/mcp_session.hpp"
#include "config/settings.hpp"
#include "messages/type_ids.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace cluster {

namespace transport {
class line_writer;
} // namespace transport

/// What one MCP session needs of the runtime it serves.
struct gateway_wiring {
  router_actor router;
  health_monitor_actor health;
  journal_actor journal;  ///< Null: no journal (the task tools say so).
  std::shared_ptr<transport::line_writer> out;  ///< Where reply lines go.
  mcp::session_options options;
  settings cfg;
  std::size_t node_count = 1;  ///< Nodes of the cluster: most items a broadcast has.
};

/// Spawns the gateway of one client session: lines in (atom::line), replies
/// and notifications out through `wiring.out`.
mcp_gateway_actor spawn_mcp_gateway(caf::actor_system& sys,
                                    gateway_wiring wiring);

} // namespace cluster
