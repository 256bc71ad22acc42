// cluster-execution-mcp: the MCP server on stdio. Wiring only.

#include "actors/mcp_gateway.hpp"
#include "actors/runtime.hpp"
#include "config/local_node.hpp"
#include "config/router_cli.hpp"
#include "messages/type_ids.hpp"
#include "transport/line_writer.hpp"
#include "transport/log.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <csignal>
#include <cstring>
#include <iostream>
#include <string>
#include <unistd.h>

namespace {

constexpr const char* usage = R"(usage: cluster-execution-mcp [--config PATH] [--set KEY=VALUE]... [--help] [--version]

An MCP server on stdio (JSON-RPC 2.0, one message per line). Start it from an
MCP client such as Claude Code; it runs shell commands on the node of the
cluster that fits them best. Protocol revisions: 2026-07-28 and 2025-11-25.
Logs go to stderr (CLUSTER_LOG_LEVEL=error|warning|info|debug).

  --config PATH     the node file (default: CLUSTER_CONFIG, else
                    $XDG_CONFIG_HOME/cluster-exec/nodes.json if it exists)
  --set KEY=VALUE   override one setting ('cluster-router config' lists them)
)";

} // namespace

int main(int argc, char** argv) {
  cluster::config_flags flags;
  std::vector<std::string> args{argv + 1, argv + argc};
  for (std::size_t i = 0; i < args.size(); ++i) {
    try {
      if (cluster::take_config_flag(args, i, flags))
        continue;
    } catch (const cluster::usage_error& e) {
      std::cerr << "cluster-execution-mcp: " << e.what() << '\n';
      return 2;
    }
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << usage;
      return 0;
    }
    if (args[i] == "--version") {
      std::cout << "cluster-execution-mcp 0.1.0\n";
      return 0;
    }
    std::cerr << "cluster-execution-mcp: unknown argument '" << args[i]
              << "'\n" << usage;
    return 2;
  }
  cluster::cluster_config conf;
  try {
    conf = cluster::load_cluster_config(
      cluster::process_config_inputs(flags));
  } catch (const cluster::config_error& e) {
    std::cerr << "cluster-execution-mcp: " << e.what() << '\n';
    return 2;
  }
  auto& cfg = conf.cfg;
  cluster::transport::set_log_level(cfg.log);
  // A client that goes away must not kill us mid-cleanup; writes then fail.
  std::signal(SIGPIPE, SIG_IGN);

  caf::actor_system_config caf_cfg;
  caf_cfg.add_message_types<caf::id_block::cluster>();
  caf::actor_system sys{caf_cfg};
  // An agent session lives long: its first remote command should find a
  // warm connection.
  cluster::runtime_options options;
  options.warm_connections = true;
  auto rt = cluster::spawn_runtime(sys, cfg, conf.nodes, options);
  auto out = std::make_shared<cluster::transport::line_writer>(STDOUT_FILENO);
  auto gateway = cluster::spawn_mcp_gateway(
    sys, cluster::gateway_wiring{rt.router, rt.health, rt.journal, out,
                                 cluster::mcp::session_options_from(cfg),
                                 cfg, rt.nodes.size()});
  cluster::transport::log(cluster::log_level::info, "serving on stdio, node ",
                          rt.local_node().info.id, ", ", rt.nodes.size(),
                          " nodes");

  // stdin is read here, on main's own thread: a blocking read on a CAF
  // thread (or in a detached actor) would stall the scheduler or shutdown.
  std::string line;
  while (std::getline(std::cin, line))
    caf::anon_send(gateway, cluster::atom::line_v, std::move(line));

  {
    caf::scoped_actor self{sys};
    self
      ->request(gateway, cfg.kill_grace * 3 + std::chrono::seconds{5},
                cluster::atom::shutdown_v)
      .receive([](cluster::atom::done) {},
               [](caf::error& err) {
                 cluster::transport::log(cluster::log_level::warning,
                                         "shutdown: ", caf::to_string(err));
               });
  }
  caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
  gateway = nullptr;
  rt.shutdown();
  out->flush();
  return 0;
}
