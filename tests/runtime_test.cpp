// The runtime embedded into a test's own actor system, driven through the
// router with real processes, exactly as another CAF application would.

#include "actors/runtime.hpp"
#include "config/local_node.hpp"
#include "runtime_support.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <thread>
#include <sstream>
#include <string>
#include <unistd.h>

using namespace cluster;
using namespace cluster::test;
using namespace std::chrono_literals;

BOOST_TEST_DONT_PRINT_LOG_VALUE(cluster::error_class)

namespace {

struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/cluster-runtime-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() {
    std::string cmd = "rm -rf '" + path + "'";
    [[maybe_unused]] auto rc = std::system(cmd.c_str());
  }
  std::string read(const std::string& name) const {
    std::ifstream in{path + "/" + name};
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

struct fixture {
  caf::actor_system_config caf_cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  settings cfg;
  runtime rt;
  temp_dir tmp;

  explicit fixture(std::uint32_t slots = 2, std::uint32_t queue_limit = 64,
                   command_policy policy = {})
    : sys{with_types(caf_cfg)}, self{sys} {
    cfg.local_slots = slots;
    cfg.queue_limit = queue_limit;
    cfg.policy = std::move(policy);
    cfg.kill_grace = 300ms;
    cfg.health_interval = 200ms;
    rt = spawn_runtime(sys, cfg, {node_config{embedded_local_node(cfg), {}}});
  }

  ~fixture() {
    rt.shutdown();
  }

  run_request make(std::string task_id, std::string command) {
    run_request req;
    req.task_id = std::move(task_id);
    req.command = std::move(command);
    return req;
  }

  run_result run(run_request req) {
    run_result out;
    self->request(rt.router, 60s, atom::run_v, std::move(req))
      .receive([&](run_result& r) { out = std::move(r); },
               [&](caf::error& err) {
                 BOOST_FAIL("router did not answer: " << to_string(err));
               });
    return out;
  }

  // Waits until `file` exists and holds a line (a PID written by a command).
  pid_t wait_for_pid(const std::string& name) {
    for (int i = 0; i < 400; ++i) {
      auto text = tmp.read(name);
      if (!text.empty() && text.back() == '\n')
        return static_cast<pid_t>(std::stol(text));
      std::this_thread::sleep_for(25ms);
    }
    BOOST_FAIL("no pid written to " << name);
    return -1;
  }
};

struct one_slot : fixture {
  one_slot() : fixture(1, 2) {}
};

command_policy touch_denied() {
  command_policy p;
  p.deny_programs = {"touch"};
  return p;
}

// A policy as the node file would give it: `touch` refused outright.
struct no_touch : fixture {
  no_touch() : fixture(2, 64, touch_denied()) {}
};

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

} // namespace

BOOST_AUTO_TEST_SUITE(runtime)

BOOST_FIXTURE_TEST_CASE(embedded_runtime_runs_a_command, fixture) {
  auto r = run(make("a", "echo hello; echo oops >&2; exit 3"));
  BOOST_TEST(r.error == error_class::command);
  BOOST_TEST(r.ran());
  BOOST_REQUIRE(r.exit_code);
  BOOST_TEST(*r.exit_code == 3);
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.out.text == "hello\n");
  BOOST_TEST(r.err.text == "oops\n");
  BOOST_TEST(r.node == rt.local_node().info.id);
  BOOST_TEST(r.task_id == "a");
  BOOST_TEST(r.auto_routed);
  BOOST_TEST(!r.reason.empty());
}

BOOST_FIXTURE_TEST_CASE(never_more_than_the_slots_at_once, fixture) {
  // Each command logs + when it starts and - when it ends, under a lock.
  auto log = tmp.path + "/log";
  std::string cmd = "exec 9>>'" + log + "'; flock 9; echo + >&9; flock -u 9;"
                    " sleep 0.3; flock 9; echo - >&9";
  // A plain send: the reply arrives as an ordinary message, so all six are
  // in flight at once.
  for (int i = 0; i < 6; ++i)
    self->send(rt.router, atom::run_v, make("s" + std::to_string(i), cmd));
  // While they run, the ledger never shows more busy slots than there are.
  for (int i = 0; i < 10; ++i) {
    self->request(rt.router, 10s, atom::get_v, atom::ledger_v)
      .receive(
        [&](slot_ledger& l) {
          BOOST_REQUIRE_EQUAL(l.nodes.size(), 1u);
          BOOST_TEST(l.nodes[0].busy <= 2u);
        },
        [&](caf::error& err) { BOOST_FAIL(to_string(err)); });
    std::this_thread::sleep_for(50ms);
  }
  for (int i = 0; i < 6; ++i)
    self->receive([](run_result& r) { BOOST_TEST(r.ok()); },
                  caf::after(60s) >> [] {
                    BOOST_FAIL("a command did not finish");
                  });
  int running = 0;
  int peak = 0;
  for (auto c : tmp.read("log")) {
    if (c == '+')
      peak = std::max(peak, ++running);
    else if (c == '-')
      --running;
  }
  BOOST_TEST(peak == 2); // both slots used, never a third
}

BOOST_FIXTURE_TEST_CASE(requirements_no_node_meets_are_a_placement_error,
                        fixture) {
  auto req = make("p", "true");
  req.needs.os = rt.local_node().info.os == "linux" ? "darwin" : "linux";
  auto r = run(req);
  BOOST_TEST(r.error == error_class::placement);
  BOOST_TEST(r.error_message.find("no node offers os=" + req.needs.os)
             != std::string::npos);
  BOOST_TEST(!r.exit_code);
  req = make("q", "true");
  req.node = "no-such-node";
  r = run(req);
  BOOST_TEST(r.error == error_class::placement);
  BOOST_TEST(r.error_message.find("no-such-node") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(cancel_kills_the_process_group, fixture) {
  auto cmd = "sleep 300 & echo $! > '" + tmp.path + "/pid'; wait";
  std::optional<run_result> result;
  self->send(rt.router, atom::run_v, make("c", cmd));
  auto grandchild = wait_for_pid("pid");
  self->send(rt.router, atom::cancel_v, std::string{"c"});
  self->receive([&](run_result& r) { result = std::move(r); },
                caf::after(30s) >> [] { BOOST_FAIL("no reply to cancel"); });
  BOOST_REQUIRE(result);
  BOOST_TEST(result->error == error_class::cancelled);
  BOOST_TEST(!result->exit_code);
  BOOST_TEST(process_gone(grandchild));
}

BOOST_FIXTURE_TEST_CASE(timeout_kills_and_says_timeout, fixture) {
  auto req = make("t", "echo started; sleep 300 & echo $! > '" + tmp.path
                         + "/pid'; wait");
  req.timeout_ms = 400;
  auto r = run(req);
  BOOST_TEST(r.error == error_class::timeout);
  BOOST_TEST(!r.exit_code);
  BOOST_TEST(r.out.text == "started\n");
  BOOST_TEST(r.error_message.find("timed out") != std::string::npos);
  BOOST_TEST(process_gone(wait_for_pid("pid")));
}

BOOST_FIXTURE_TEST_CASE(queued_task_can_be_cancelled, one_slot) {
  std::vector<run_result> results;
  self->send(rt.router, atom::run_v, make("busy", "sleep 0.5"));
  self->send(rt.router, atom::run_v, make("waiting", "echo never"));
  self->send(rt.router, atom::cancel_v, std::string{"waiting"});
  for (int i = 0; i < 2; ++i)
    self->receive([&](run_result& r) { results.push_back(std::move(r)); },
                  caf::after(30s) >> [] { BOOST_FAIL("no reply"); });
  BOOST_REQUIRE_EQUAL(results.size(), 2u);
  // The queued one answers first: it never had to wait for a slot.
  BOOST_TEST(results[0].task_id == "waiting");
  BOOST_TEST(results[0].error == error_class::cancelled);
  BOOST_TEST(results[0].out.text.empty());
  BOOST_TEST(results[1].ok());
}

BOOST_FIXTURE_TEST_CASE(full_queue_answers_overloaded, one_slot) {
  // One slot and a queue of two: the fourth command is refused at once.
  std::vector<run_result> results;
  for (int i = 0; i < 4; ++i)
    self->send(rt.router, atom::run_v,
               make("o" + std::to_string(i), "sleep 0.2"));
  for (int i = 0; i < 4; ++i)
    self->receive([&](run_result& r) { results.push_back(std::move(r)); },
                  caf::after(30s) >> [] { BOOST_FAIL("no reply"); });
  BOOST_REQUIRE_EQUAL(results.size(), 4u);
  BOOST_TEST(results[0].task_id == "o3");
  BOOST_TEST(results[0].error == error_class::overloaded);
  BOOST_TEST(results[0].retriable);
  for (int i = 1; i < 4; ++i)
    BOOST_TEST(results[i].ok());
}

BOOST_FIXTURE_TEST_CASE(batch_keeps_input_order_and_reports_progress,
                        fixture) {
  batch_request batch;
  batch.batch_id = "b";
  // The first takes longest, so completion order differs from input order.
  batch.items = {make("b.0", "sleep 0.4; echo zero"),
                 make("b.1", "echo one"), make("b.2", "exit 7"),
                 make("b.3", "echo three")};
  batch.items[3].needs.os = "plan9";
  auto listener = caf::actor_cast<progress_listener_actor>(self);
  batch_result result;
  self->request(rt.router, 60s, atom::run_v, batch, listener)
    .receive([&](batch_result& r) { result = std::move(r); },
             [&](caf::error& err) { BOOST_FAIL(to_string(err)); });
  BOOST_REQUIRE_EQUAL(result.results.size(), 4u);
  BOOST_TEST(result.results[0].out.text == "zero\n");
  BOOST_TEST(result.results[1].out.text == "one\n");
  BOOST_TEST(*result.results[2].exit_code == 7);
  BOOST_TEST(result.results[3].error == error_class::placement);
  std::vector<std::uint32_t> done;
  for (int i = 0; i < 4; ++i)
    self->receive(
      [&](atom::progress, batch_progress& p) {
        BOOST_TEST(p.total == 4u);
        done.push_back(p.done);
      },
      caf::after(10s) >> [] { BOOST_FAIL("missing progress"); });
  BOOST_TEST(done == (std::vector<std::uint32_t>{1, 2, 3, 4}));
}

// `false &&` keeps the test harmless should the policy ever let it through:
// then only the touch would run, and the test fail.
BOOST_FIXTURE_TEST_CASE(a_refused_command_never_starts, fixture) {
  auto marker = tmp.path + "/ran";
  auto r = run(make("p", "false && rm -rf / ; touch '" + marker + "'"));
  BOOST_TEST(r.error == error_class::policy);
  BOOST_TEST(!r.ran());
  BOOST_TEST(!r.exit_code);
  BOOST_TEST(!r.retriable);
  BOOST_TEST(r.error_message.find("recursive-delete-root") != std::string::npos,
             r.error_message);
  BOOST_TEST(r.error_message.find("\"rm -rf /\"") != std::string::npos,
             r.error_message);
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(!exists(marker));
  // The same line without the refused part runs: the marker can appear.
  BOOST_TEST(run(make("q", "false && rm -rf /tmp/x ; touch '" + marker + "'")).ok());
  BOOST_TEST(exists(marker));
  placement_explanation x;
  self->request(rt.router, 10s, atom::explain_v, make("e", "sudo mkfs.ext4 /dev/sdz"))
    .receive([&](placement_explanation& e) { x = std::move(e); },
             [&](caf::error& err) { BOOST_FAIL(to_string(err)); });
  BOOST_TEST(x.policy.find("format-block-device") != std::string::npos, x.policy);
}

BOOST_FIXTURE_TEST_CASE(the_settings_policy_refuses_one_item_of_a_batch,
                        no_touch) {
  auto marker = tmp.path + "/touched";
  batch_request batch;
  batch.batch_id = "pb";
  batch.items = {make("pb.0", "echo zero"), make("pb.1", "touch '" + marker + "'"),
                 make("pb.2", "echo two")};
  auto listener = caf::actor_cast<progress_listener_actor>(self);
  batch_result result;
  self->request(rt.router, 60s, atom::run_v, batch, listener)
    .receive([&](batch_result& r) { result = std::move(r); },
             [&](caf::error& err) { BOOST_FAIL(to_string(err)); });
  BOOST_REQUIRE_EQUAL(result.results.size(), 3u);
  BOOST_TEST(result.results[0].out.text == "zero\n");
  BOOST_TEST(result.results[1].error == error_class::policy);
  BOOST_TEST(result.results[1].error_message.find("denied-program")
             != std::string::npos);
  BOOST_TEST(result.results[2].out.text == "two\n");
  BOOST_TEST(!exists(marker));
}

BOOST_FIXTURE_TEST_CASE(health_snapshot_describes_the_local_node, fixture) {
  cluster_snapshot snap;
  self->request(rt.health, 10s, atom::get_v, atom::snapshot_v, false)
    .receive([&](cluster_snapshot& s) { snap = std::move(s); },
             [&](caf::error& err) { BOOST_FAIL(to_string(err)); });
  BOOST_TEST(snap.local_node == rt.local_node().info.id);
  BOOST_REQUIRE_EQUAL(snap.nodes.size(), 1u);
  auto& n = snap.nodes[0];
  BOOST_TEST(n.reachable);
  BOOST_TEST(n.cpu_count >= 1u);
  BOOST_TEST(n.memory_percent > 0.0);
  BOOST_TEST(n.memory_percent <= 100.0);
  BOOST_TEST(n.cpu_percent >= 0.0);
  BOOST_TEST(n.cpu_percent <= 100.0);
  BOOST_TEST(n.os == rt.local_node().info.os);
  BOOST_TEST(n.sampled_at_ms > 0);
}

BOOST_AUTO_TEST_SUITE_END()
