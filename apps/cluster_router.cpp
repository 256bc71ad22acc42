// cluster-router: the command line for people. Wiring only.

#include "actors/health_monitor.hpp"
#include "actors/mcp/tool_results.hpp"
#include "actors/run_outcome.hpp"
#include "actors/runtime.hpp"
#include "apps/one_shot.hpp"
#include "apps/parallel_command.hpp"
#include "config/local_node.hpp"
#include "config/router_cli.hpp"
#include "messages/type_ids.hpp"
#include "transport/log.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <pthread.h>
#include <unistd.h>

using namespace cluster;

namespace {

int exit_status(const run_result& r) {
  switch (r.error) {
    case error_class::none:
    case error_class::command:
      return r.exit_code ? *r.exit_code : exit_code::cluster_error;
    case error_class::timeout: return exit_code::timeout;
    case error_class::cancelled: return exit_code::interrupted;
    case error_class::spawn: return exit_code::cannot_start;
    default: return exit_code::cluster_error;
  }
}

int submit(caf::actor_system& sys, runtime& rt, router_invocation& inv) {
  auto& req = inv.request;
  sample_before_routing(sys, rt, req);
  req.task_id = "cli-" + std::to_string(::getpid());
  req.output_limit = terminal_output_limit(rt, req);
  auto timeout = effective_timeout(req, rt.cfg);
  run_result result;
  {
    caf::scoped_actor self{sys};
    auto answer = self->request(rt.router,
                                timeout + 3 * rt.cfg.kill_grace
                                  + std::chrono::hours{1},
                                atom::run_v, req);
    // Watching starts once the task is in the router's mailbox, so a signal
    // already pending cancels it instead of overtaking it.
    interrupt_watch watch{rt.router, req.task_id};
    answer.receive([&](run_result& r) { result = std::move(r); },
                   [&](caf::error& err) {
                     result = make_failed_result(req, error_class::connection,
                                                 "the runtime did not answer: "
                                                   + caf::to_string(err));
                   });
  }
  if (inv.json) {
    mcp::json_writer json;
    mcp::write_run_object(json, result);
    std::cout << json.str() << '\n';
  } else {
    std::fwrite(result.out.text.data(), 1, result.out.text.size(), stdout);
    std::fflush(stdout);
    std::fwrite(result.err.text.data(), 1, result.err.text.size(), stderr);
    if (result.out.truncated || result.err.truncated)
      std::cerr << "cluster-router: output was cut to --output-limit "
                << req.output_limit << " bytes per stream\n";
  }
  if (!result.ran())
    std::cerr << "cluster-router: " << to_string(result.error)
              << (result.node.empty() ? "" : " on " + result.node) << ": "
              << result.error_message << '\n';
  return exit_status(result);
}

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
  if (x.error.empty())
    return 0;
  // The words and the status submit would end with.
  std::cerr << "cluster-router: " << to_string(error_class::placement) << ": "
            << x.error << '\n';
  return exit_code::cluster_error;
}

int cluster_status(caf::actor_system& sys, runtime& rt,
                   const router_invocation& inv) {
  caf::scoped_actor self{sys};
  cluster_snapshot snap;
  slot_ledger ledger;
  bool ok = true;
  auto on_error = [&](caf::error& err) {
    std::cerr << "cluster-router: no status: " << caf::to_string(err) << '\n';
    ok = false;
  };
  // A one-shot process has no history: sample every node now.
  self->request(rt.health, snapshot_deadline(rt.cfg), atom::get_v,
                atom::snapshot_v, true)
    .receive([&](cluster_snapshot& s) { snap = std::move(s); }, on_error);
  if (ok)
    self->request(rt.router, rt.cfg.status_timeout, atom::get_v, atom::ledger_v)
      .receive([&](slot_ledger& l) { ledger = std::move(l); }, on_error);
  if (!ok)
    return exit_code::cluster_error;
  auto limits = mcp::session_options_from(rt.cfg);
  if (inv.json) {
    mcp::json_writer json;
    mcp::write_status_object(json, snap, ledger, limits, mcp::unix_now_ms());
    std::cout << json.str() << '\n';
  } else {
    std::cout << mcp::status_table(snap, ledger, limits);
  }
  return 0;
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
  if (inv.what == router_invocation::verb::help) {
    std::cout << router_usage(inv.help_topic);
    return 0;
  }
  cluster_config conf;
  try {
    conf = load_cluster_config(
      process_config_inputs(inv.config));
  } catch (const config_error& e) {
    std::cerr << "cluster-router: " << e.what() << '\n';
    return exit_code::usage;
  }
  if (inv.what == router_invocation::verb::config) {
    std::cout << describe_config(conf);
    return 0;
  }
  auto& cfg = conf.cfg;
  transport::set_log_level(cfg.log);
  // Block the signals before any thread starts, so only the watcher sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  caf::actor_system_config caf_cfg;
  caf_cfg.add_message_types<caf::id_block::cluster>();
  caf::actor_system sys{caf_cfg};
  runtime_options options;
  // Only the nodes a command needs are contacted (see sample_before_routing).
  options.sample_remote_nodes = false;
  auto rt = spawn_runtime(sys, cfg, conf.nodes, options);
  int rc = 0;
  switch (inv.what) {
    case router_invocation::verb::submit: rc = submit(sys, rt, inv); break;
    case router_invocation::verb::explain: rc = explain(sys, rt, inv); break;
    case router_invocation::verb::parallel:
      rc = run_parallel(sys, rt, inv);
      break;
    default: rc = cluster_status(sys, rt, inv); break;
  }
  rt.shutdown();
  return rc;
}
