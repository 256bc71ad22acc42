#pragma once

// A node as configured: what the router needs (node_info) plus how to reach
// it over SSH.

#include "messages/node.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cluster {

/// How to reach a remote node over SSH, after ~/.ssh/config and the
/// environment have been applied.
struct ssh_target {
  std::string host;         ///< Host name as configured (or the ssh_config alias).
  std::string hostname;     ///< Name or IP to resolve (ssh_config HostName, else host).
  std::string fallback_ip;  ///< Used when resolution fails; empty: none.
  std::uint16_t port = 22;
  std::string user;         ///< Login user (node, ssh_config, CLUSTER_SSH_USER, current user).
  std::vector<std::string> identity_files;  ///< Tried after ssh-agent, in order.

  friend bool operator==(const ssh_target& a, const ssh_target& b) {
    return a.host == b.host && a.hostname == b.hostname
           && a.fallback_ip == b.fallback_ip && a.port == b.port
           && a.user == b.user && a.identity_files == b.identity_files;
  }
};

/// One node of the cluster configuration.
struct node_config {
  node_info info;
  ssh_target ssh;  ///< Unused for the local node.

  friend bool operator==(const node_config& a, const node_config& b) {
    return a.info == b.info && a.ssh == b.ssh;
  }
};

} // namespace cluster
