// Batches against real sshd nodes: cancelling a batch leaves nothing running
// on any node, and a node that dies mid-batch costs only its own commands.

#include "actors/runtime.hpp"
#include "remote_support.hpp"
#include "runtime_support.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

#include <sys/stat.h>

using namespace cluster;
using namespace cluster::test;
using namespace std::chrono_literals;

BOOST_TEST_DONT_PRINT_LOG_VALUE(cluster::error_class)

namespace {

// Three sshd nodes with two slots each, beside the local node; batch items
// require the "sshd" capability so they never run at home.
struct parallel_fixture {
  sshd_nodes sshd{3};
  caf::actor_system_config caf_cfg;
  caf::actor_system sys{with_types(caf_cfg)};
  caf::scoped_actor self{sys};
  settings cfg;
  runtime rt;
  std::string scratch;

  parallel_fixture() {
    cfg = fixture_settings(sshd);
    std::vector<node_config> nodes{node_config{embedded_local_node(cfg), {}}};
    for (int i = 1; i <= 3; ++i) {
      nodes.push_back(remote_node(sshd, i));
      nodes.back().info.slots = 2;
      nodes.back().info.capabilities = {"sshd"};
    }
    rt = spawn_runtime(sys, cfg, nodes);
    scratch = sshd.dir() + "/scratch";
    ::mkdir(scratch.c_str(), 0700);
  }

  ~parallel_fixture() {
    rt.shutdown();
  }

  batch_request batch(const std::string& id, std::vector<std::string> commands) {
    batch_request b;
    b.batch_id = id;
    for (auto& c : commands) {
      run_request r;
      r.command = c;
      r.needs.capabilities = {"sshd"};
      b.items.push_back(r);
    }
    return b;
  }

  batch_result await_batch(std::chrono::seconds limit = 60s) {
    batch_result out;
    self->receive([&](batch_result& r) { out = std::move(r); },
                  caf::after(limit) >> [] { BOOST_FAIL("no batch result"); });
    return out;
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(parallel_remote)

BOOST_FIXTURE_TEST_CASE(cancelling_a_batch_leaves_no_remote_process,
                        parallel_fixture) {
  // Six fill every slot; two more wait and must never start.
  std::vector<std::string> commands;
  for (int i = 0; i < 8; ++i)
    commands.push_back("sleep 300 & echo $! > '" + scratch + "/p"
                       + std::to_string(i) + "'; wait");
  self->send(rt.router, atom::run_v, batch("cancel-me", commands),
             progress_listener_actor{});
  std::vector<pid_t> sleepers;
  for (int i = 0; i < 6; ++i)
    sleepers.push_back(wait_for_pid(scratch + "/p" + std::to_string(i)));
  self->send(rt.router, atom::cancel_v, std::string{"cancel-me"});
  auto r = await_batch();
  BOOST_REQUIRE_EQUAL(r.results.size(), 8u);
  for (auto& item : r.results)
    BOOST_TEST(item.error == error_class::cancelled);
  for (auto pid : sleepers)
    BOOST_TEST(process_gone(pid));
  // The two that waited never ran anywhere.
  BOOST_TEST(slurp(scratch + "/p6").empty());
  BOOST_TEST(slurp(scratch + "/p7").empty());
  BOOST_TEST(r.results[7].error_message.find("not started")
             != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_node_stopped_mid_batch_costs_only_its_commands,
                        parallel_fixture) {
  std::vector<std::string> commands;
  for (int i = 0; i < 18; ++i)
    commands.push_back("echo $PPID > '" + scratch + "/s" + std::to_string(i)
                       + "'; sleep 1; echo item" + std::to_string(i));
  self->send(rt.router, atom::run_v, batch("mid", commands),
             progress_listener_actor{});
  // Wait until the first round runs everywhere, then take node2 down.
  for (int i = 0; i < 6; ++i)
    wait_for_pid(scratch + "/s" + std::to_string(i));
  sshd.stop_node(2);
  auto r = await_batch();
  BOOST_REQUIRE_EQUAL(r.results.size(), 18u);
  std::size_t lost = 0;
  for (std::size_t i = 0; i < r.results.size(); ++i) {
    auto& item = r.results[i];
    if (item.ok()) {
      BOOST_TEST(item.out.text == "item" + std::to_string(i) + "\n");
      continue;
    }
    // Only what node2 was running when it died is lost, and says so.
    ++lost;
    BOOST_TEST(item.node == "node2");
    BOOST_TEST(item.error == error_class::connection);
  }
  BOOST_TEST(lost >= 1u);
  BOOST_TEST(lost <= 2u);
}

BOOST_AUTO_TEST_SUITE_END()
