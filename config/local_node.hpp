#pragma once

#include "config/cluster_config.hpp"
#include "config/config_flags.hpp"
#include "config/settings.hpp"
#include "messages/node.hpp"

#include <string>
#include <utility>
#include <vector>

namespace cluster {

/// The embedded default: this machine as a node, its id the short host name,
/// its OS and architecture from uname, its slots from the settings.
node_info embedded_local_node(const settings& cfg);

/// What load_cluster_config needs from this process: its environment, its
/// home, this machine as the local default, and the command line's
/// `--config` / `--set` values.
config_inputs process_config_inputs(const config_flags& flags);

} // namespace cluster
