#pragma once

// `cluster-router submit`: one command, its output streamed as it runs.

#include "actors/runtime.hpp"
#include "config/router_cli.hpp"

#include <caf/fwd.hpp>

namespace cluster {

/// Runs the command `inv` describes and waits for it, copying its output to
/// ours while it runs (from the task's spool files); returns the exit
/// status (the command's own, or 124, 125, 126, 130).
int submit(caf::actor_system& sys, runtime& rt, router_invocation& inv);

} // namespace cluster
