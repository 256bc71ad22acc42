#pragma once

// Helpers the suites with real sshd nodes share: a node configuration for a
// fixture node, and running one command through the router.

#include "config/local_node.hpp"
#include "config/node_config.hpp"
#include "fixtures/sshd_nodes.hpp"
#include "messages/type_ids.hpp"
#include "runtime_support.hpp"

#include <caf/scoped_actor.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <thread>

#include <sys/types.h>

namespace cluster::test {

/// Node i of `nodes` as cluster-exec configures it: "node<i>", alias
/// "alias<i>", this machine's platform, 8 slots.
inline node_config remote_node(const sshd_nodes& nodes, int i) {
  node_config n;
  n.info.id = "node" + std::to_string(i);
  n.info.aliases = {"alias" + std::to_string(i)};
  auto local = embedded_local_node(settings{});
  n.info.os = local.os;
  n.info.arch = local.arch;
  n.info.slots = 8;
  n.ssh.host = nodes.ip(i);
  n.ssh.hostname = nodes.ip(i);
  n.ssh.port = nodes.port();
  n.ssh.user = nodes.user();
  n.ssh.identity_files = {nodes.identity_file()};
  return n;
}

/// Settings for a runtime over fixture nodes: strict host keys from the
/// fixture, one quick connect attempt, a short kill grace, so that a test
/// about failures fails fast.
inline settings fixture_settings(const sshd_nodes& nodes) {
  using namespace std::chrono_literals;
  settings cfg;
  cfg.kill_grace = 300ms;
  cfg.known_hosts = nodes.known_hosts();
  cfg.host_key_policy = host_key_checking::strict;
  cfg.ssh_connect_timeout = 1s;
  cfg.ssh_retries = 0;
  return cfg;
}

/// Sends `req` (a fresh task id is filled in) to `router` and waits for
/// its result.
inline run_result run_through(caf::actor_system& sys,
                              const router_actor& router, run_request req) {
  using namespace std::chrono_literals;
  static int counter = 0;
  req.task_id = "r" + std::to_string(++counter);
  run_result out;
  caf::scoped_actor self{sys};
  self->request(router, 60s, atom::run_v, req)
    .receive([&](run_result& r) { out = std::move(r); },
             [&](caf::error& err) { BOOST_FAIL(to_string(err)); });
  return out;
}

/// The pid a command wrote to `file` (a line ending in a newline), waiting
/// up to 10 s for it.
inline pid_t wait_for_pid(const std::string& file) {
  for (int i = 0; i < 400; ++i) {
    auto text = slurp(file);
    if (!text.empty() && text.back() == '\n')
      return static_cast<pid_t>(std::stol(text));
    std::this_thread::sleep_for(std::chrono::milliseconds{25});
  }
  BOOST_FAIL("no pid in " << file);
  return -1;
}

} // namespace cluster::test
