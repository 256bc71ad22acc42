#pragma once

// Where a command may run, and where it runs best: the router's decision
// logic as plain functions over a view of the nodes.

#include "actors/command_class.hpp"
#include "config/settings.hpp"
#include "messages/health.hpp"
#include "messages/node.hpp"
#include "messages/placement.hpp"
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

/// The index of the node whose id or alias is `name`, if any.
std::optional<std::size_t> find_node(const std::vector<node_view>& views,
                                     const std::string& name);

/// True when the node offers the OS, architecture and capabilities `needs`
/// asks for (the detected platform wins over the configured one).
bool meets(const node_view& view, const requirements& needs);

/// Finds the nodes that meet `req`'s hard constraints (named node, local-only
/// when auto-routing is off, OS, architecture, capabilities, reachability).
eligibility eligible_nodes(const run_request& req,
                           const std::vector<node_view>& views);

/// When a node counts as loaded (the seed's three thresholds, with load
/// taken per CPU).
struct load_limits {
  double cpu_percent = 40;     ///< CLUSTER_CPU_THRESHOLD.
  double load_per_cpu = 1;     ///< CLUSTER_LOAD_THRESHOLD: 1-minute load / CPUs.
  double memory_percent = 80;  ///< CLUSTER_MEMORY_THRESHOLD.
};

/// The limits `cfg` sets.
load_limits load_limits_from(const settings& cfg);

/// True when a reachable sample exceeds any of the limits.
bool is_loaded(const node_sample& sample, const load_limits& limits);

/// A node chosen for a request, with the reason in words.
struct choice {
  std::size_t node = 0;  ///< Index into the views.
  std::string reason;
};

/// Picks a node with a free slot among the candidates: a light command stays
/// on the local node unless it is loaded; otherwise (and for heavy commands)
/// the node with the lowest load score, among the unloaded specialists in
/// the command's kind of work when there are any. nullopt when every
/// candidate is full.
std::optional<choice> choose_node(const eligibility& candidates,
                                  const std::vector<node_view>& views,
                                  const command_profile& profile,
                                  const load_limits& limits);

/// Load score of a node (lower is better): busy share of its slots plus CPU
/// %, load per CPU and memory % as fractions; a node never measured counts
/// as half loaded, so a measured idle node wins over an unknown one.
double load_score(const node_view& view);

/// The specialty of `node` that matches the command's kind of work
/// ("compilation" for a build), or empty when none does.
std::string matching_specialty(const node_info& node,
                               const command_profile& profile);

/// Where `req` would run on these views and why, with a verdict on every
/// node; decides exactly as the router would, runs nothing.
placement_explanation explain_placement(const run_request& req,
                                        const std::vector<node_view>& views,
                                        const load_limits& limits);

} // namespace cluster
