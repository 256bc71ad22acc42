// The journal actor with a real scheduler and real SQLite files: what it
// records, how it answers when it cannot work, and how another process's
// cancel request reaches a running command through it.

#include "actors/journal.hpp"
#include "actors/runtime.hpp"
#include "config/local_node.hpp"
#include "runtime_support.hpp"
#include "transport/task_journal.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <unistd.h>

using namespace cluster;
using namespace cluster::test;
using namespace std::chrono_literals;

BOOST_TEST_DONT_PRINT_LOG_VALUE(cluster::task_state)
BOOST_TEST_DONT_PRINT_LOG_VALUE(cluster::error_class)

namespace {

struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/journal-actor-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

// Stops a runtime however the test ends: a failed check must not leave
// the actor system waiting for its actors forever.
struct runtime_guard {
  runtime& rt;
  ~runtime_guard() { rt.shutdown(); }
};

struct fixture {
  temp_dir tmp;
  caf::actor_system_config caf_cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  std::vector<journal_actor> journals;

  fixture() : sys{with_types(caf_cfg)}, self{sys} {
  }

  ~fixture() {
    for (auto& j : journals) {
      self->send_exit(j, caf::exit_reason::user_shutdown);
      self->wait_for(caf::actor_cast<caf::actor>(j));
    }
  }

  journal_actor spawn(const std::string& state_dir) {
    settings cfg;
    cfg.state_dir = state_dir;
    journals.push_back(spawn_journal(sys, cfg));
    return journals.back();
  }

  task_listing get(const journal_actor& j, task_query q) {
    task_listing out;
    self->request(j, 10s, atom::get_v, std::move(q))
      .receive([&](task_listing& l) { out = std::move(l); },
               [&](caf::error& err) {
                 BOOST_FAIL("journal did not answer: " << to_string(err));
               });
    return out;
  }

  task_listing get_id(const journal_actor& j, std::string id) {
    task_query q;
    q.id = std::move(id);
    return get(j, q);
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(journal_actor)

BOOST_FIXTURE_TEST_CASE(keeps_bounded_tails_of_huge_output, fixture) {
  auto j = spawn(tmp.path + "/state");
  run_result res;
  res.task_id = "huge-1";
  res.exit_code = 0;
  // 100 KiB of two-byte characters, then a marker at the very end.
  for (int i = 0; i < 50 * 1024; ++i)
    res.out.text += "\xC3\xA9";
  res.out.text += "END";
  self->send(j, atom::ended_v, res);
  auto l = get_id(j, "huge-1");
  BOOST_REQUIRE_EQUAL(l.tasks.size(), 1u);
  auto& tail = l.tasks[0].stdout_tail;
  BOOST_TEST(tail.size() <= 64u * 1024);
  BOOST_TEST(tail.size() > 60u * 1024);
  BOOST_TEST(tail.substr(tail.size() - 3) == "END");
  // It starts on a whole character.
  BOOST_TEST(static_cast<unsigned char>(tail[0]) == 0xC3u);
}

BOOST_FIXTURE_TEST_CASE(records_a_tasks_life, fixture) {
  auto j = spawn(tmp.path + "/state");
  task_record r;
  r.id = "life-1";
  r.command = "make -j8";
  r.submitter = "mcp";
  self->send(j, atom::put_v, r);
  self->send(j, atom::started_v, task_start{"life-1", "node1", "heavy", 0});
  run_result res;
  res.task_id = "life-1";
  res.exit_code = 0;
  res.out.text = "built\n";
  self->send(j, atom::ended_v, res);
  auto l = get_id(j, "life");
  BOOST_TEST(l.error == "");
  BOOST_REQUIRE_EQUAL(l.tasks.size(), 1u);
  auto& t = l.tasks[0];
  BOOST_TEST(t.id == "life-1");
  BOOST_TEST(t.command == "make -j8");
  BOOST_TEST(t.state == task_state::succeeded);
  BOOST_TEST(t.node == "node1");
  BOOST_TEST(t.stdout_tail == "built\n");
  // Filled in by the actor: who owns it and when things happened.
  BOOST_TEST(t.owner_pid == static_cast<std::int32_t>(::getpid()));
  BOOST_TEST(t.created_ms > 0);
  BOOST_TEST(t.started_ms >= t.created_ms);
  BOOST_TEST(t.finished_ms >= t.started_ms);
  // A listing has it too, and it is on disk for other processes.
  BOOST_TEST(get(j, task_query{}).tasks.size() == 1u);
  transport::task_journal other{tmp.path + "/state"};
  auto seen = other.find("life-1");
  BOOST_REQUIRE(seen);
  BOOST_TEST(seen->state == task_state::succeeded);
  // An unknown id is no error, an ambiguous prefix is.
  l = get_id(j, "nothing-like-it");
  BOOST_TEST(l.tasks.empty());
  BOOST_TEST(l.error == "");
  r.id = "life-2";
  self->send(j, atom::put_v, r);
  l = get_id(j, "life");
  BOOST_TEST(l.tasks.empty());
  BOOST_TEST(l.error.find("life-1") != std::string::npos, l.error);
}

BOOST_FIXTURE_TEST_CASE(a_cancel_for_another_process_is_written_down,
                        fixture) {
  auto j = spawn(tmp.path + "/state");
  task_record r;
  r.id = "elsewhere";
  r.state = task_state::running;
  r.owner_pid = 1;  // init: always there, so never reaped as lost
  self->send(j, atom::put_v, r);
  self->send(j, atom::cancel_v, std::string{"elsewhere"});
  auto l = get_id(j, "elsewhere");
  BOOST_REQUIRE_EQUAL(l.tasks.size(), 1u);
  BOOST_TEST(l.tasks[0].cancel_requested);
  transport::task_journal other{tmp.path + "/state"};
  BOOST_TEST(other.cancel_requests(1) == std::vector<std::string>{"elsewhere"},
             boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(an_unusable_journal_answers_with_why, fixture) {
  std::ofstream{tmp.path + "/file"} << "a file, not a directory";
  auto dir = tmp.path + "/file/state";
  auto j = spawn(dir);
  auto l = get(j, task_query{});
  BOOST_TEST(l.tasks.empty());
  BOOST_TEST(l.error.find(dir) != std::string::npos, l.error);
  // Writes are dropped, and the actor keeps answering.
  task_record r;
  r.id = "dropped";
  self->send(j, atom::put_v, r);
  l = get_id(j, "dropped");
  BOOST_TEST(l.tasks.empty());
  BOOST_TEST(l.error.find(dir) != std::string::npos, l.error);

  auto unset = spawn("");
  l = get(unset, task_query{});
  BOOST_TEST(l.error.find("no state directory") != std::string::npos, l.error);
}

BOOST_FIXTURE_TEST_CASE(another_process_cancel_request_reaches_the_router,
                        fixture) {
  settings cfg;
  cfg.local_slots = 2;
  cfg.kill_grace = 300ms;
  cfg.health_interval = 200ms;
  auto rt = spawn_runtime(sys, cfg, {node_config{embedded_local_node(cfg), {}}});
  runtime_guard stop{rt};
  auto state_dir = tmp.path + "/state";
  auto j = spawn(state_dir);
  auto marker = tmp.path + "/running";
  run_request req;
  req.task_id = "long-1";
  req.command = "touch '" + marker + "'; sleep 30";
  self->send(rt.router, atom::run_v, req);
  for (int i = 0; i < 400 && !std::filesystem::exists(marker); ++i)
    std::this_thread::sleep_for(25ms);
  BOOST_REQUIRE(std::filesystem::exists(marker));
  task_record r;
  r.id = "long-1";
  r.command = req.command;
  r.state = task_state::running;
  r.owner_pid = static_cast<std::int32_t>(::getpid());
  self->send(j, atom::put_v, r);
  self->send(j, atom::update_v, rt.router);
  // Another process's `cluster-router cancel long-1`.
  get(j, task_query{});  // the put is on disk once this answers
  transport::task_journal other{state_dir};
  BOOST_REQUIRE(other.request_cancel("long-1"));
  auto asked = std::chrono::steady_clock::now();
  std::optional<run_result> result;
  self->receive([&](run_result& res) { result = std::move(res); },
                caf::after(10s) >> [] {});
  BOOST_REQUIRE_MESSAGE(result, "the cancel request never reached the router");
  BOOST_TEST(result->task_id == "long-1");
  BOOST_TEST(result->error == error_class::cancelled);
  BOOST_TEST((std::chrono::steady_clock::now() - asked < 5s));
}

BOOST_AUTO_TEST_SUITE_END()
