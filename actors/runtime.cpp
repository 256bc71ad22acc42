#include "actors/runtime.hpp"

#include "actors/executor.hpp"
#include "actors/health_monitor.hpp"
#include "actors/journal.hpp"
#include "actors/resolver.hpp"
#include "actors/router.hpp"
#include "actors/ssh_executor.hpp"
#include "transport/log.hpp"
#include "transport/name_lookup.hpp"
#include "transport/process_reactor.hpp"
#include "transport/ssh_reactor.hpp"
#include "transport/task_journal.hpp"

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <algorithm>
#include <stdexcept>

namespace cluster {

namespace {

// The spool directory, created when missing; empty (with a warning) when it
// cannot be written: commands then run with only their bounded capture.
std::string prepare_spool_dir(const std::string& state_dir) {
  try {
    transport::prepare_private_directory(state_dir + "/spool",
                                         "spool directory");
    return state_dir;
  } catch (const transport::journal_error& e) {
    transport::log(log_level::warning, "task output is not spooled: ",
                   e.what());
    return {};
  }
}

} // namespace

const node_config& runtime::local_node() const {
  return *std::find_if(nodes.begin(), nodes.end(),
                       [](auto& n) { return n.info.local; });
}

runtime spawn_runtime(caf::actor_system& sys, settings cfg,
                      std::vector<node_config> nodes,
                      runtime_options options) {
  auto local = std::count_if(nodes.begin(), nodes.end(),
                             [](auto& n) { return n.info.local; });
  if (local != 1)
    throw std::invalid_argument("exactly one node must be the local node");
  runtime rt;
  rt.cfg = cfg;
  rt.nodes = nodes;
  rt.processes = std::make_shared<transport::process_reactor>();
  std::vector<node_info> infos;
  for (auto& n : nodes) {
    infos.push_back(n.info);
    if (n.info.local) {
      rt.executors.push_back(
        spawn_local_executor(sys, n.info, rt.processes, cfg));
      continue;
    }
    // One SSH I/O thread and one resolver for every remote node, created
    // only when there is one: the embedded default starts no such threads.
    if (!rt.ssh) {
      rt.ssh = std::make_shared<transport::ssh_reactor>();
      rt.lookup = std::make_shared<transport::name_lookup>();
      rt.resolver = spawn_resolver(sys, cfg.ip_cache_ttl, cfg.ssh_timeout,
                                   rt.lookup);
    }
    rt.executors.push_back(
      spawn_ssh_executor(sys, n, rt.resolver, rt.ssh, cfg,
                         options.warm_connections));
  }
  task_recording recording;
  if (options.journal && !cfg.state_dir.empty()) {
    rt.journal = spawn_journal(sys, cfg);
    recording = {rt.journal, prepare_spool_dir(cfg.state_dir)};
  }
  rt.router = spawn_router(sys, infos, rt.executors, cfg, recording);
  if (rt.journal)
    caf::anon_send(rt.journal, atom::update_v, rt.router);
  rt.health = spawn_health_monitor(sys, infos, rt.executors, rt.router, cfg,
                                   options.sample_remote_nodes);
  return rt;
}

void runtime::shutdown() {
  if (!router)
    return;
  auto& sys = router->home_system();
  caf::anon_send_exit(health, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
  if (resolver)
    caf::anon_send_exit(resolver, caf::exit_reason::user_shutdown);
  for (auto& e : executors)
    caf::anon_send_exit(e, caf::exit_reason::user_shutdown);
  // Executors cancel their runs when they exit and drop their reactor
  // handles with their state. Waiting for that makes the handles below the
  // last ones, so the reactors' destructors (which join I/O threads and may
  // wait for remote kills) run here, not on a scheduler thread.
  {
    caf::scoped_actor self{sys};
    for (auto& e : executors)
      self->wait_for(e);
    if (journal) {
      // Its mailbox is FIFO: once this query is answered, every record sent
      // before it is written.
      self->request(journal, std::chrono::seconds{10}, atom::get_v,
                    task_query{0, {}, {}})
        .receive([](task_listing&) {}, [](caf::error&) {});
      caf::anon_send_exit(journal, caf::exit_reason::user_shutdown);
      self->wait_for(journal);
    }
  }
  executors.clear();
  journal = nullptr;
  router = nullptr;
  health = nullptr;
  resolver = nullptr;
  processes.reset();
  ssh.reset();
  lookup.reset();
}

} // namespace cluster
