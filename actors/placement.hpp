#pragma once

// Where a command may run, and where it runs best: the router's decision
// logic as plain functions over a view of the nodes.

#include "messages/health.hpp"
#include "messages/node.hpp"
#include "messages/run.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace cluster {

/// What the router knows of one node when it decides.
struct node_view {
  node_info info;
  std::optional<node_sample> sample;  ///< Latest health sample, if any.
  std::uint32_t busy = 0;             ///< Slots in use now.
};

/// The nodes a request may run on at all, ignoring free slots.
struct eligibility {
  std::vector<std::size_t> nodes;  ///< Indexes into the views; empty on error.
  std::string error;               ///< Why no node qualifies (names what is missing).
  bool auto_routed = false;        ///< True when the router may choose among several.
  std::string basis;               ///< Why these nodes: "named node", ...
};

/// Finds the nodes that meet `req`'s hard constraints (named node, local-only
/// when auto-routing is off, OS, architecture, capabilities, reachability).
eligibility eligible_nodes(const run_request& req,
                           const std::vector<node_view>& views);

/// A node chosen for a request, with the reason in words.
struct choice {
  std::size_t node = 0;  ///< Index into the views.
  std::string reason;
};

/// Picks the eligible node with a free slot and the lowest load; nullopt
/// when every eligible node is full.
std::optional<choice> choose_node(const eligibility& candidates,
                                  const std::vector<node_view>& views);

/// Load score of a node: busy share of its slots plus CPU and load pressure.
double load_score(const node_view& view);

} // namespace cluster
