#pragma once

// `cluster-router parallel`: many commands at once through the router's
// batch, or one command broadcast to many nodes.

#include "actors/runtime.hpp"
#include "config/router_cli.hpp"

#include <caf/fwd.hpp>

namespace cluster {

/// Runs the batch `inv` describes, prints its outcome, and returns the exit
/// status: 0 all succeeded, 1 some did not, 125 refused, 130 interrupted.
int run_parallel(caf::actor_system& sys, runtime& rt,
                 const router_invocation& inv);

} // namespace cluster
