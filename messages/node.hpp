#pragma once

// What a node is: its identity, platform and capacity, as configured.

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace cluster {

/// A node of the cluster as the configuration describes it.
struct node_info {
  std::string id;                         ///< Unique id, e.g. "builder".
  std::vector<std::string> aliases;       ///< Other names `offload_to` accepts.
  std::string os;                         ///< "linux" or "darwin".
  std::string arch;                       ///< "x86_64" or "arm64".
  std::vector<std::string> capabilities;  ///< e.g. "docker", "gpu".
  std::uint32_t slots = 1;                ///< Commands it may run at once.
  bool local = false;                     ///< True for the machine we run on.

  friend bool operator==(const node_info& a, const node_info& b) {
    return a.id == b.id && a.aliases == b.aliases && a.os == b.os
           && a.arch == b.arch && a.capabilities == b.capabilities
           && a.slots == b.slots && a.local == b.local;
  }
};

/// Serializes `node_info` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_info& x) {
  return f(caf::meta::type_name("cluster.node_info"), x.id, x.aliases, x.os,
           x.arch, x.capabilities, x.slots, x.local);
}

} // namespace cluster
