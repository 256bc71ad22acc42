#pragma once

// The subcommands that show the cluster: its health (`cluster-status`, once
// or redrawn with --watch) and its nodes as configured (`nodes`).

#include "actors/runtime.hpp"
#include "config/cluster_config.hpp"
#include "config/router_cli.hpp"

#include <caf/fwd.hpp>

namespace cluster {

/// `cluster-status [--json] [--watch] [--interval S]`: samples every node
/// and prints the table (or the JSON object); with --watch again every
/// interval until SIGINT/SIGTERM, which end it with 0.
int cluster_status(caf::actor_system& sys, runtime& rt,
                   const router_invocation& inv);

/// `nodes [--json]`: every node as the configuration describes it; nothing
/// is contacted.
int show_nodes(const cluster_config& conf, const router_invocation& inv);

} // namespace cluster
