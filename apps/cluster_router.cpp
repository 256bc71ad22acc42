// cluster-router: the command line for people. Wiring only.

#include "actors/mcp/tool_results.hpp"
#include "actors/runtime.hpp"
#include "apps/detached_runner.hpp"
#include "apps/exit_codes.hpp"
#include "apps/one_shot.hpp"
#include "apps/parallel_command.hpp"
#include "apps/status_commands.hpp"
#include "apps/submit_command.hpp"
#include "apps/task_commands.hpp"
#include "config/local_node.hpp"
#include "config/router_cli.hpp"
#include "messages/type_ids.hpp"
#include "transport/log.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <csignal>
#include <iostream>
#include <pthread.h>

using namespace cluster;

namespace {

using verb = router_invocation::verb;

// Prints the router's decision; nothing runs, so there is nothing to
// interrupt and no output limit to apply.
int explain(caf::actor_system& sys, runtime& rt,
            const router_invocation& inv) {
  sample_before_routing(sys, rt, inv.request);
  caf::scoped_actor self{sys};
  placement_explanation x;
  bool answered = false;
  self->request(rt.router, rt.cfg.status_timeout, atom::explain_v, inv.request)
    .receive(
      [&](placement_explanation& e) {
        x = std::move(e);
        answered = true;
      },
      [&](caf::error& err) {
        std::cerr << "cluster-router: the runtime did not answer: "
                  << caf::to_string(err) << '\n';
      });
  if (!answered)
    return exit_code::cluster_error;
  if (inv.json) {
    mcp::json_writer json;
    mcp::write_explanation_object(json, x);
    std::cout << json.str() << '\n';
  } else {
    std::cout << mcp::explanation_text(x) << '\n';
  }
  // The words and the status submit would end with.
  if (!x.policy.empty()) {
    std::cerr << "cluster-router: " << to_string(error_class::policy) << ": "
              << x.policy << '\n';
    return exit_code::cluster_error;
  }
  if (x.error.empty())
    return 0;
  std::cerr << "cluster-router: " << to_string(error_class::placement) << ": "
            << x.error << '\n';
  return exit_code::cluster_error;
}

// The subcommands that need no runtime: they read the configuration or the
// journal, and ^C simply ends them. -1 for the others.
int without_runtime(const cluster_config& conf, router_invocation& inv) {
  auto& cfg = conf.cfg;
  switch (inv.what) {
    case verb::config: std::cout << describe_config(conf); return 0;
    case verb::nodes: return show_nodes(conf, inv);
    case verb::status: return task_status(cfg, inv);
    case verb::logs: return task_logs(cfg, inv);
    case verb::cancel: return task_cancel(cfg, inv);
    case verb::tasks: return task_list(cfg, inv);
    case verb::submit:
      // Forks before any thread exists; the runner builds its own runtime.
      return inv.detach ? submit_detached(conf, inv) : -1;
    default: return -1;
  }
}

} // namespace

int main(int argc, char** argv) {
  router_invocation inv;
  try {
    inv = parse_router_args({argv + 1, argv + argc});
    // Before anything starts, so that a bad file is a usage error like a
    // bad flag.
    load_command_file(inv.parallel);
  } catch (const usage_error& e) {
    std::cerr << "cluster-router: " << e.what() << "\n\n" << router_usage("");
    return exit_code::usage;
  }
  if (inv.what == verb::help) {
    std::cout << router_usage(inv.help_topic);
    return 0;
  }
  cluster_config conf;
  try {
    conf = load_cluster_config(process_config_inputs(inv.config));
  } catch (const config_error& e) {
    std::cerr << "cluster-router: " << e.what() << '\n';
    return exit_code::usage;
  }
  auto& cfg = conf.cfg;
  transport::set_log_level(cfg.log);
  if (auto rc = without_runtime(conf, inv); rc >= 0)
    return rc;
  // Block the signals before any thread starts, so only the watcher sees them.
  block_interrupts();

  caf::actor_system_config caf_cfg;
  caf_cfg.add_message_types<caf::id_block::cluster>();
  caf::actor_system sys{caf_cfg};
  auto rt = spawn_one_shot_runtime(sys, conf);
  int rc = 0;
  switch (inv.what) {
    case verb::submit: rc = submit(sys, rt, inv); break;
    case verb::explain: rc = explain(sys, rt, inv); break;
    case verb::parallel: rc = run_parallel(sys, rt, inv); break;
    default: rc = cluster_status(sys, rt, inv); break;
  }
  rt.shutdown();
  return rc;
}
