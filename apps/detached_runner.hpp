#pragma once

// `cluster-router submit --detach`: the task runs on in a process of its
// own, detached from the terminal, while the command line returns its id.

#include "config/cluster_config.hpp"
#include "config/router_cli.hpp"

namespace cluster {

/// Starts the task `inv` describes in a detached runner (double fork,
/// setsid, no terminal), waits until the journal holds its record, prints
/// its id (with --json an object), and returns 0; the runner carries the
/// task to its end. Must be called before any thread starts (no actor
/// system yet): the runner builds its own after the fork. Returns 3 when the
/// journal cannot be used (nothing runs), 125 when the runner failed.
int submit_detached(const cluster_config& conf, router_invocation& inv);

} // namespace cluster
