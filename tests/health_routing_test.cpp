// The health monitor and the router against real sshd nodes, each with its
// own /proc load: the probe is the real one, run over the real connection.

#include "actors/health_monitor.hpp"
#include "actors/runtime.hpp"
#include "remote_support.hpp"
#include "runtime_support.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>

using namespace cluster;
using namespace cluster::test;
using namespace std::chrono_literals;

BOOST_TEST_DONT_PRINT_LOG_VALUE(cluster::error_class)

namespace {

// A heavy command (tar is bulk file work) that says where it ran.
constexpr const char* heavy_command
  = "tar cf /dev/null /etc/hostname && echo \"$SSH_CONNECTION\"";

struct health_fixture {
  sshd_nodes sshd{2};
  caf::actor_system_config caf_cfg;
  caf::actor_system sys{with_types(caf_cfg)};
  caf::scoped_actor self{sys};
  settings cfg;
  runtime rt;

  health_fixture() {
    cfg.known_hosts = sshd.known_hosts();
    cfg.host_key_policy = host_key_checking::strict;
    cfg.ssh_connect_timeout = 1s;
    cfg.ssh_retries = 0;
    cfg.status_timeout = 3s;
    // Only the tests' refreshes sample: a periodic probe must not notice a
    // stopped node before the router does.
    cfg.health_interval = 600s;
    std::vector<node_config> nodes{node_config{embedded_local_node(cfg), {}},
                                   remote_node(sshd, 1), remote_node(sshd, 2)};
    // The local node's load is this machine's, which the tests cannot set:
    // requiring "fixture" keeps their commands on the two fake-load nodes.
    nodes[1].info.capabilities = nodes[2].info.capabilities = {"fixture"};
    rt = spawn_runtime(sys, cfg, nodes);
  }

  ~health_fixture() {
    rt.shutdown();
  }

  cluster_snapshot refresh() {
    cluster_snapshot out;
    self->request(rt.health, 30s, atom::get_v, atom::snapshot_v, true)
      .receive([&](cluster_snapshot& s) { out = std::move(s); },
               [&](caf::error& err) { BOOST_FAIL(to_string(err)); });
    return out;
  }

  static const node_sample& node(const cluster_snapshot& snap,
                                 const std::string& id) {
    auto i = std::find_if(snap.nodes.begin(), snap.nodes.end(),
                          [&](auto& s) { return s.node == id; });
    BOOST_REQUIRE(i != snap.nodes.end());
    return *i;
  }

  run_result run_heavy() {
    run_request req;
    req.command = heavy_command;
    req.needs.capabilities = {"fixture"};
    return run_through(sys, rt.router, std::move(req));
  }

  placement_explanation explain(const std::string& command) {
    run_request req;
    req.task_id = "explain";
    req.command = command;
    req.needs.capabilities = {"fixture"};
    placement_explanation out;
    self->request(rt.router, 30s, atom::explain_v, req)
      .receive([&](placement_explanation& x) { out = std::move(x); },
               [&](caf::error& err) { BOOST_FAIL(to_string(err)); });
    return out;
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(health_routing)

BOOST_FIXTURE_TEST_CASE(remote_nodes_are_sampled_over_their_connection,
                        health_fixture) {
  sshd.set_loadavg(1, 7.5, 3.25, 1.0);
  sshd.set_memory_percent(1, 90);
  auto snap = refresh();
  BOOST_TEST(snap.nodes.size() == 3u);
  auto& n1 = node(snap, "node1");
  BOOST_TEST(n1.sampled);
  BOOST_TEST(n1.reachable);
  BOOST_TEST(n1.error.empty());
  BOOST_TEST(n1.load_1m == 7.5);
  BOOST_TEST(n1.load_5m == 3.25);
  BOOST_TEST(n1.load_15m == 1.0);
  BOOST_TEST(n1.memory_percent > 89.0);
  BOOST_TEST(n1.memory_percent < 91.0);
  BOOST_TEST(n1.cpu_count >= 1u);
  BOOST_TEST(n1.os == "linux");
  BOOST_TEST(n1.mismatch.empty());
  BOOST_TEST(n1.capabilities == std::vector<std::string>{"fixture"});
  auto& n2 = node(snap, "node2");
  BOOST_TEST(n2.reachable);
  BOOST_TEST(n2.load_1m == 0.0);
  // A second refresh sees a change made in between.
  sshd.set_loadavg(1, 0.5, 0.5, 0.5);
  BOOST_TEST(node(refresh(), "node1").load_1m == 0.5);
}

BOOST_FIXTURE_TEST_CASE(heavy_work_moves_away_from_a_loaded_node,
                        health_fixture) {
  sshd.set_loadavg(1, 12, 12, 12);
  refresh();
  auto r = run_heavy();
  BOOST_TEST(r.ok());
  BOOST_TEST(r.node == "node2");
  BOOST_TEST(r.out.text.find(sshd.ip(2)) != std::string::npos);
  BOOST_TEST(r.reason.find("node2") != std::string::npos);
  // The load moves; so does the work.
  sshd.set_loadavg(1, 0, 0, 0);
  sshd.set_loadavg(2, 12, 12, 12);
  refresh();
  r = run_heavy();
  BOOST_TEST(r.ok());
  BOOST_TEST(r.node == "node1");
  BOOST_TEST(r.out.text.find(sshd.ip(1)) != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(an_unreachable_node_is_skipped_and_said_so,
                        health_fixture) {
  sshd.set_loadavg(2, 12, 12, 12);  // node1 would win if it were up
  refresh();  // no probe from the start may be in flight when it stops
  sshd.stop_node(1);
  auto snap = refresh();
  auto& n1 = node(snap, "node1");
  BOOST_TEST(n1.sampled);
  BOOST_TEST(!n1.reachable);
  BOOST_TEST(!n1.error.empty());
  BOOST_TEST(n1.failures == 1u);
  auto x = explain(heavy_command);
  BOOST_TEST(x.node == "node2");
  BOOST_REQUIRE_EQUAL(x.nodes.size(), 3u);
  BOOST_TEST(!x.nodes[1].eligible);
  BOOST_TEST(x.nodes[1].note.find("unreachable: ") == 0u);
  auto r = run_heavy();
  BOOST_TEST(r.ok());
  BOOST_TEST(r.node == "node2");
  // Failures in a row are counted; a node that is back is used again.
  BOOST_TEST(node(refresh(), "node1").failures == 2u);
  sshd.start_node(1);
  auto back = node(refresh(), "node1");
  BOOST_TEST(back.reachable);
  BOOST_TEST(back.failures == 0u);
  BOOST_TEST(run_heavy().node == "node1");
}

BOOST_FIXTURE_TEST_CASE(a_node_lost_before_the_command_starts_is_retried,
                        health_fixture) {
  sshd.set_loadavg(2, 12, 12, 12);
  refresh();  // both reachable: node1 is the choice
  BOOST_TEST(explain(heavy_command).node == "node1");
  sshd.stop_node(1);  // ... and is gone before the router learns of it
  auto r = run_heavy();
  BOOST_TEST(r.ok());
  BOOST_TEST(r.node == "node2");
  BOOST_TEST(r.out.text.find(sshd.ip(2)) != std::string::npos);
  BOOST_TEST(r.reason.find("after node1 failed before the command started")
             != std::string::npos);
  // A named node is the caller's choice: no retry elsewhere.
  run_request named;
  named.node = "node1";
  named.command = "true";
  auto n = run_through(sys, rt.router, named);
  BOOST_TEST(n.error == error_class::connection);
  BOOST_TEST(n.node == "node1");
}

BOOST_AUTO_TEST_CASE(a_platform_unlike_the_configuration_is_reported) {
  sshd_nodes sshd{1};
  caf::actor_system_config caf_cfg;
  caf::actor_system sys{with_types(caf_cfg)};
  settings cfg;
  cfg.known_hosts = sshd.known_hosts();
  cfg.host_key_policy = host_key_checking::strict;
  auto wrong = remote_node(sshd, 1);
  wrong.info.os = "darwin";
  wrong.info.arch = "arm64";
  auto rt = spawn_runtime(sys, cfg,
                          {node_config{embedded_local_node(cfg), {}}, wrong});
  caf::scoped_actor self{sys};
  cluster_snapshot snap;
  self->request(rt.health, 30s, atom::get_v, atom::snapshot_v, true)
    .receive([&](cluster_snapshot& s) { snap = std::move(s); },
             [&](caf::error& err) { BOOST_FAIL(to_string(err)); });
  auto local = embedded_local_node(cfg);
  BOOST_REQUIRE_EQUAL(snap.nodes.size(), 2u);
  auto& n1 = snap.nodes[1];
  BOOST_TEST(n1.reachable);
  BOOST_TEST(n1.os == local.os);
  BOOST_TEST(n1.mismatch
             == "configured darwin/arm64, found " + local.os + "/"
                  + local.arch);
  // Routing trusts what the node is, not what the file says.
  run_request req;
  req.node = "node1";
  req.needs.os = "darwin";
  req.command = "true";
  auto r = run_through(sys, rt.router, req);
  BOOST_TEST(r.error == error_class::placement);
  rt.shutdown();
}

BOOST_AUTO_TEST_SUITE_END()
