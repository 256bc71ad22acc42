#pragma once

// The vocabulary of a routing decision explained: where a command would run,
// and what the router thought of every node.

#include <caf/meta/type_name.hpp>

#include <string>
#include <vector>

namespace cluster {

/// What the router thinks of one node for one command.
struct node_verdict {
  std::string node;      ///< Node id.
  bool eligible = false; ///< Meets every hard requirement and is reachable.
  std::string note;      ///< Why not, or its load: "lacks os=darwin", "2/8 slots busy, cpu 12%".
  double score = 0;      ///< Load score (lower is better); meaningful when eligible.

  friend bool operator==(const node_verdict& a, const node_verdict& b) {
    return a.node == b.node && a.eligible == b.eligible && a.note == b.note
           && a.score == b.score;
  }
};

/// Serializes `node_verdict` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_verdict& x) {
  return f(caf::meta::type_name("cluster.node_verdict"), x.node, x.eligible,
           x.note, x.score);
}

/// Where a command would run now, and why; nothing is run to find out.
struct placement_explanation {
  std::string node;      ///< The node it would run on; empty when none.
  std::string reason;    ///< The reason a run's result would carry.
  std::string error;     ///< Why no node qualifies (node empty).
  bool auto_routed = false;  ///< True when the router chose among nodes.
  bool would_wait = false;   ///< True when every eligible node is full now.
  std::string weight;        ///< "light" or "heavy".
  std::string classification;  ///< The classifier's reason, e.g. "heavy: make (build)".
  std::vector<node_verdict> nodes;  ///< Every configured node, in order.
  /// Why the command policy would refuse the command (a run would fail with
  /// error `policy` wherever it went); empty when it would not.
  std::string policy;

  friend bool operator==(const placement_explanation& a,
                         const placement_explanation& b) {
    return a.node == b.node && a.reason == b.reason && a.error == b.error
           && a.auto_routed == b.auto_routed && a.would_wait == b.would_wait
           && a.weight == b.weight && a.classification == b.classification
           && a.nodes == b.nodes && a.policy == b.policy;
  }
};

/// Serializes `placement_explanation` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f,
                                        placement_explanation& x) {
  return f(caf::meta::type_name("cluster.placement_explanation"), x.node,
           x.reason, x.error, x.auto_routed, x.would_wait, x.weight,
           x.classification, x.nodes, x.policy);
}

} // namespace cluster
