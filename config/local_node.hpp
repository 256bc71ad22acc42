#pragma once

#include "config/settings.hpp"
#include "messages/node.hpp"

namespace cluster {

/// The embedded default: this machine as a node, its id the short host name,
/// its OS and architecture from uname, its slots from the settings.
node_info embedded_local_node(const settings& cfg);

} // namespace cluster
