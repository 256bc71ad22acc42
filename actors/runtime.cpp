#include "actors/runtime.hpp"

#include "actors/executor.hpp"
#include "actors/health_monitor.hpp"
#include "actors/router.hpp"
#include "transport/process_reactor.hpp"

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include <algorithm>
#include <stdexcept>

namespace cluster {

runtime spawn_runtime(caf::actor_system& sys, settings cfg,
                      std::vector<node_info> nodes) {
  auto local = std::count_if(nodes.begin(), nodes.end(),
                             [](auto& n) { return n.local; });
  if (local != 1)
    throw std::invalid_argument("exactly one node must be the local node");
  runtime rt;
  rt.cfg = cfg;
  rt.nodes = nodes;
  rt.reactor = std::make_shared<transport::process_reactor>();
  for (auto& n : nodes) {
    if (!n.local)
      throw std::invalid_argument("node " + n.id
                                  + ": remote nodes are not supported yet");
    rt.executors.push_back(spawn_local_executor(sys, n, rt.reactor, cfg));
  }
  rt.router = spawn_router(sys, nodes, rt.executors, cfg);
  auto self_node = *std::find_if(nodes.begin(), nodes.end(),
                                 [](auto& n) { return n.local; });
  rt.health = spawn_health_monitor(sys, self_node, rt.router, cfg);
  return rt;
}

void runtime::shutdown() {
  caf::anon_send_exit(health, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
  for (auto& e : executors)
    caf::anon_send_exit(e, caf::exit_reason::user_shutdown);
  // Executors cancel their processes when they exit; the reactor's own
  // destructor kills whatever is left once the last handle is gone.
  executors.clear();
  router = nullptr;
  health = nullptr;
  reactor.reset();
}

} // namespace cluster
