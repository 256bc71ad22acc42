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
  std::vector<std::string> specialties;   ///< Work it is best at, e.g. "compilation".
  std::uint32_t slots = 1;                ///< Commands it may run at once.
  bool local = false;                     ///< True for the machine we run on.

  friend bool operator==(const node_info& a, const node_info& b) {
    return a.id == b.id && a.aliases == b.aliases && a.os == b.os
           && a.arch == b.arch && a.capabilities == b.capabilities
           && a.specialties == b.specialties
           && a.slots == b.slots && a.local == b.local;
  }
};

/// Serializes `node_info` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_info& x) {
  return f(caf::meta::type_name("cluster.node_info"), x.id, x.aliases, x.os,
           x.arch, x.capabilities, x.specialties, x.slots, x.local);
}

/// The address a node's host name resolved to, and how.
struct resolved_address {
  std::string host;     ///< The name that was resolved.
  std::string address;  ///< An IPv4 or IPv6 literal; empty when none was found.
  std::string method;   ///< "configured", "mdns", "dns", "fallback" or "cache".
  std::string error;    ///< Why nothing usable was found (address empty).

  friend bool operator==(const resolved_address& a, const resolved_address& b) {
    return a.host == b.host && a.address == b.address && a.method == b.method
           && a.error == b.error;
  }
};

/// Serializes `resolved_address` for CAF.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, resolved_address& x) {
  return f(caf::meta::type_name("cluster.resolved_address"), x.host, x.address,
           x.method, x.error);
}

} // namespace cluster
