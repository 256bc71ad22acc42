// The runtime with real sshd nodes: commands routed to SSH executors, run on
// warm libssh2 connections, killed remotely, and failing honestly.

#include "actors/runtime.hpp"
#include "remote_support.hpp"
#include "runtime_support.hpp"
#include "transport/ssh_reactor.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <sys/stat.h>

using namespace cluster;
using namespace cluster::test;
using namespace std::chrono_literals;

BOOST_TEST_DONT_PRINT_LOG_VALUE(cluster::error_class)

namespace {

// Runs `command` on `node` through the router and waits for its result.
run_result run_on(caf::actor_system& sys, const router_actor& router,
                  const std::string& node, const std::string& command,
                  std::uint32_t timeout_ms = 0) {
  run_request req;
  req.node = node;
  req.command = command;
  req.timeout_ms = timeout_ms;
  return run_through(sys, router, std::move(req));
}

struct remote_fixture {
  sshd_nodes sshd{2};
  caf::actor_system_config caf_cfg;
  caf::actor_system sys{with_types(caf_cfg)};
  caf::scoped_actor self{sys};
  settings cfg;
  runtime rt;
  std::string scratch;

  remote_fixture() {
    cfg = fixture_settings(sshd);
    std::vector<node_config> nodes{node_config{embedded_local_node(cfg), {}},
                                   remote_node(sshd, 1), remote_node(sshd, 2)};
    rt = spawn_runtime(sys, cfg, nodes);
    scratch = sshd.dir() + "/scratch";
    ::mkdir(scratch.c_str(), 0700);
  }

  ~remote_fixture() {
    rt.shutdown();
  }

  run_result run(const std::string& node, const std::string& command,
                 std::uint32_t timeout_ms = 0) {
    return run_on(sys, rt.router, node, command, timeout_ms);
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(remote_runtime)

BOOST_FIXTURE_TEST_CASE(runs_on_the_named_node_with_honest_results,
                        remote_fixture) {
  auto r = run("node1", "echo out; echo err >&2; echo $SSH_CONNECTION; exit 4");
  BOOST_TEST(r.node == "node1");
  BOOST_TEST(r.error == error_class::command);
  BOOST_REQUIRE(r.exit_code);
  BOOST_TEST(*r.exit_code == 4);
  BOOST_TEST(r.err.text == "err\n");
  // The command really ran through sshd on node1's address.
  BOOST_TEST(r.out.text.find("out\n") == 0u);
  BOOST_TEST(r.out.text.find(sshd.ip(1)) != std::string::npos);
  auto ok = run("alias2", "true");
  BOOST_TEST(ok.ok());
  BOOST_TEST(ok.node == "node2");
}

BOOST_FIXTURE_TEST_CASE(concurrent_commands_share_a_connection,
                        remote_fixture) {
  for (int i = 0; i < 8; ++i) {
    run_request req;
    req.task_id = "c" + std::to_string(i);
    req.node = "node1";
    req.command = "sleep 0.3; echo " + std::to_string(i);
    self->send(rt.router, atom::run_v, req);
  }
  for (int i = 0; i < 8; ++i)
    self->receive([](run_result& r) { BOOST_TEST(r.ok()); },
                  caf::after(60s) >> [] { BOOST_FAIL("no reply"); });
  BOOST_REQUIRE(rt.ssh);
  // One per node: node1's eight commands (and the health probes of both
  // nodes) share them.
  BOOST_TEST(rt.ssh->connections() == 2u);
}

BOOST_FIXTURE_TEST_CASE(timeout_kills_the_remote_process_group,
                        remote_fixture) {
  auto pid_file = scratch + "/timeout.pid";
  auto r = run("node1",
               "sleep 300 & echo $! > '" + pid_file + "'; echo started; wait",
               500);
  BOOST_TEST(r.error == error_class::timeout);
  BOOST_TEST(!r.exit_code);
  BOOST_TEST(r.out.text == "started\n");
  BOOST_TEST(process_gone(wait_for_pid(pid_file)));
}

BOOST_FIXTURE_TEST_CASE(cancel_kills_the_remote_process_group,
                        remote_fixture) {
  auto pid_file = scratch + "/cancel.pid";
  run_request req;
  req.task_id = "to-cancel";
  req.node = "node2";
  req.command = "sleep 300 & echo $! > '" + pid_file + "'; wait";
  self->send(rt.router, atom::run_v, req);
  auto grandchild = wait_for_pid(pid_file);
  self->send(rt.router, atom::cancel_v, std::string{"to-cancel"});
  run_result r;
  self->receive([&](run_result& x) { r = std::move(x); },
                caf::after(30s) >> [] { BOOST_FAIL("no reply to cancel"); });
  BOOST_TEST(r.error == error_class::cancelled);
  BOOST_TEST(process_gone(grandchild));
}

BOOST_FIXTURE_TEST_CASE(a_restarted_node_is_used_again, remote_fixture) {
  BOOST_TEST(run("node1", "true").ok());
  sshd.stop_node(1);
  auto down = run("node1", "true");
  BOOST_TEST(down.error == error_class::connection);
  BOOST_TEST(down.retriable);
  sshd.start_node(1);
  auto up = run("node1", "echo back");
  BOOST_TEST(up.ok());
  BOOST_TEST(up.out.text == "back\n");
}

BOOST_AUTO_TEST_CASE(warm_connections_are_open_before_the_first_command) {
  sshd_nodes sshd{2};
  caf::actor_system_config caf_cfg;
  caf::actor_system sys{with_types(caf_cfg)};
  settings cfg;
  cfg.known_hosts = sshd.known_hosts();
  cfg.host_key_policy = host_key_checking::strict;
  runtime_options options;
  options.warm_connections = true;
  auto rt = spawn_runtime(sys, cfg,
                          {node_config{embedded_local_node(cfg), {}},
                           remote_node(sshd, 1), remote_node(sshd, 2)},
                          options);
  BOOST_REQUIRE(rt.ssh);
  for (int i = 0; i < 400 && rt.ssh->connections() < 2; ++i)
    std::this_thread::sleep_for(25ms);
  // Nobody asked for anything yet, and both nodes are connected.
  BOOST_TEST(rt.ssh->connections() == 2u);
  auto r = run_on(sys, rt.router, "node2", "echo warm");
  BOOST_TEST(r.ok());
  BOOST_TEST(r.out.text == "warm\n");
  // The command used the warm connection instead of opening another.
  BOOST_TEST(rt.ssh->connections() == 2u);
  rt.shutdown();
}

BOOST_AUTO_TEST_CASE(changed_host_key_is_refused) {
  sshd_nodes sshd{1};
  // Node 1's address with somebody else's key: a man in the middle.
  std::string fake = sshd.dir() + "/fake_known_hosts";
  {
    std::ofstream out{fake};
    // known_hosts names a host on another port as [host]:port.
    if (sshd.port() == 22)
      out << sshd.ip(1);
    else
      out << '[' << sshd.ip(1) << "]:" << sshd.port();
    out << " ssh-ed25519 "
           "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n";
  }
  caf::actor_system_config caf_cfg;
  caf::actor_system sys{with_types(caf_cfg)};
  settings cfg;
  cfg.known_hosts = fake;
  cfg.host_key_policy = host_key_checking::accept_new;  // refused even so
  auto rt = spawn_runtime(
    sys, cfg, {node_config{embedded_local_node(cfg), {}}, remote_node(sshd, 1)});
  auto r = run_on(sys, rt.router, "node1", "true");
  rt.shutdown();
  BOOST_TEST(r.error == error_class::host_key);
  BOOST_TEST(r.error_message.find(sshd.ip(1)) != std::string::npos);
  BOOST_TEST(r.error_message.find("SHA256:") != std::string::npos);
  BOOST_TEST(!r.retriable);
  // The file still holds only the fake line: nothing was "accepted".
  auto lines = slurp(fake);
  BOOST_TEST(std::count(lines.begin(), lines.end(), '\n') == 1);
}

BOOST_AUTO_TEST_SUITE_END()
