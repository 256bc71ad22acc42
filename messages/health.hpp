#pragma once

// The vocabulary of node health: what a node is, and how it is doing.

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace cluster {

/// One live measurement of a node, taken by the health monitor.
struct node_sample {
  std::string node;            ///< Node id.
  bool sampled = false;        ///< False: never probed; the figures mean nothing.
  bool reachable = false;      ///< False when the last probe failed.
  std::string error;           ///< Why the last probe failed, if it did.
  double cpu_percent = 0;      ///< Busy share of all CPUs between two readings.
  double memory_percent = 0;   ///< (total - available) / total.
  double load_1m = 0;
  double load_5m = 0;
  double load_15m = 0;
  std::uint32_t cpu_count = 0;
  std::string os;              ///< "linux" or "darwin" as detected.
  std::string arch;            ///< "x86_64" or "arm64" as detected.
  std::int64_t sampled_at_ms = 0;  ///< Unix time of the sample, ms.
  /// Non-empty when the detected OS or architecture differs from the
  /// configuration ("configured darwin/arm64, found linux/x86_64").
  std::string mismatch;
  std::uint32_t failures = 0;  ///< Probes failed in a row (drives the backoff).
  /// As configured, so that status needs no second source.
  std::vector<std::string> capabilities;

  friend bool operator==(const node_sample& a, const node_sample& b) {
    return a.node == b.node && a.sampled == b.sampled
           && a.reachable == b.reachable
           && a.error == b.error && a.cpu_percent == b.cpu_percent
           && a.memory_percent == b.memory_percent && a.load_1m == b.load_1m
           && a.load_5m == b.load_5m && a.load_15m == b.load_15m
           && a.cpu_count == b.cpu_count && a.os == b.os && a.arch == b.arch
           && a.sampled_at_ms == b.sampled_at_ms && a.mismatch == b.mismatch
           && a.failures == b.failures && a.capabilities == b.capabilities;
  }
};

/// Serializes `node_sample` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_sample& x) {
  return f(caf::meta::type_name("cluster.node_sample"), x.node, x.sampled,
           x.reachable,
           x.error, x.cpu_percent, x.memory_percent, x.load_1m, x.load_5m,
           x.load_15m, x.cpu_count, x.os, x.arch, x.sampled_at_ms, x.mismatch,
           x.failures, x.capabilities);
}

/// The latest sample of every configured node (unsampled ones included).
struct cluster_snapshot {
  std::string local_node;  ///< Id of the node this runtime runs on.
  std::vector<node_sample> nodes;

  friend bool operator==(const cluster_snapshot& a, const cluster_snapshot& b) {
    return a.local_node == b.local_node && a.nodes == b.nodes;
  }
};

/// Serializes `cluster_snapshot` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_snapshot& x) {
  return f(caf::meta::type_name("cluster.cluster_snapshot"), x.local_node,
           x.nodes);
}

/// The router's slot ledger for one node.
struct slot_usage {
  std::string node;
  std::uint32_t slots = 0;    ///< Commands the node may run at once.
  std::uint32_t busy = 0;     ///< Commands running there now.
  std::uint32_t queued = 0;   ///< Commands waiting that only this node can take.

  friend bool operator==(const slot_usage& a, const slot_usage& b) {
    return a.node == b.node && a.slots == b.slots && a.busy == b.busy
           && a.queued == b.queued;
  }
};

/// Serializes `slot_usage` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, slot_usage& x) {
  return f(caf::meta::type_name("cluster.slot_usage"), x.node, x.slots, x.busy,
           x.queued);
}

/// Every node's slot ledger plus the router's queue.
struct slot_ledger {
  std::vector<slot_usage> nodes;
  std::uint32_t queued = 0;    ///< Commands waiting for any slot.
  std::uint32_t queue_limit = 0;

  friend bool operator==(const slot_ledger& a, const slot_ledger& b) {
    return a.nodes == b.nodes && a.queued == b.queued
           && a.queue_limit == b.queue_limit;
  }
};

/// Serializes `slot_ledger` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, slot_ledger& x) {
  return f(caf::meta::type_name("cluster.slot_ledger"), x.nodes, x.queued,
           x.queue_limit);
}

} // namespace cluster
