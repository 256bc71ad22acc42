// The router's batch fan-out under CAF's deterministic test scheduler: every
// message is delivered when the test says so, so slot limits, ordering,
// fail-fast and retry-elsewhere are checked step by step, never by timing.
// The executors here are stand-ins that hold each command until the test
// ends it; the real executors are exercised against real nodes in
// remote_runtime and parallel_remote.

#include "actors/router.hpp"
#include "runtime_support.hpp"

#include <caf/actor_system.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <optional>

using namespace cluster;

namespace {

// What one stand-in executor was given and still holds.
struct node_stage {
  struct job {
    run_request req;
    caf::typed_response_promise<run_result> promise;
  };
  std::vector<job> running;
  std::vector<std::string> seen;     // task ids, in arrival order
  std::vector<std::string> cancels;  // task ids the router cancelled
  std::size_t peak = 0;              // most commands held at once

  bool holds(const std::string& task) const {
    return std::any_of(running.begin(), running.end(),
                       [&](auto& j) { return j.req.task_id == task; });
  }
};

// Delivers `r` for the job it names; the real executor does the same when a
// process ends.
void end_job(node_stage& stage, run_result r) {
  auto i = std::find_if(stage.running.begin(), stage.running.end(),
                        [&](auto& j) { return j.req.task_id == r.task_id; });
  if (i == stage.running.end())
    return;
  auto promise = i->promise;
  stage.running.erase(i);
  promise.deliver(std::move(r));
}

executor_actor::behavior_type stand_in(executor_actor::pointer self,
                                       std::shared_ptr<node_stage> stage) {
  return {
    [=](atom::run, run_request& req) -> caf::result<run_result> {
      auto promise = self->make_response_promise<run_result>();
      stage->seen.push_back(req.task_id);
      stage->running.push_back({std::move(req), promise});
      stage->peak = std::max(stage->peak, stage->running.size());
      return promise;
    },
    [=](atom::probe, run_request& req) -> run_result {
      return make_failed_result(req, error_class::invalid, "no probes here");
    },
    [=](atom::cancel, const std::string& task) {
      stage->cancels.push_back(task);
      if (stage->holds(task)) {
        auto r = make_failed_result(run_request{task, {}, {}, {}, true, 0, {}, 0},
                                    error_class::cancelled, "cancelled");
        end_job(*stage, std::move(r));
      }
    },
    [=](atom::ended, run_result& r) { end_job(*stage, std::move(r)); },
  };
}

// What a client of the router saw of one batch.
struct batch_outcome {
  std::optional<batch_result> result;
  std::vector<batch_progress> progress;
};

progress_listener_actor::behavior_type
batch_client(progress_listener_actor::pointer self, router_actor router,
             batch_request req, std::shared_ptr<batch_outcome> out) {
  self
    ->request(router, caf::infinite, atom::run_v, std::move(req),
              caf::actor_cast<progress_listener_actor>(self))
    .then([out](batch_result& r) { out->result = std::move(r); },
          [](caf::error& err) { BOOST_FAIL("router failed: " << to_string(err)); });
  return {
    [out](atom::progress, const batch_progress& p) { out->progress.push_back(p); },
  };
}

caf::actor_system_config& deterministic(caf::actor_system_config& cfg) {
  test::with_types(cfg);
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  return cfg;
}

struct router_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{deterministic(cfg)};
  caf::scheduler::test_coordinator& sched
    = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  std::vector<std::shared_ptr<node_stage>> stages;
  std::vector<executor_actor> executors;
  router_actor router;

  // `slots` per node, node ids n1, n2, ...; none local, so no command
  // prefers home.
  void start(std::vector<std::uint32_t> slots, settings s = {}) {
    std::vector<node_info> nodes;
    for (std::size_t i = 0; i < slots.size(); ++i) {
      node_info n;
      n.id = "n" + std::to_string(i + 1);
      n.os = "linux";
      n.arch = "x86_64";
      n.slots = slots[i];
      nodes.push_back(n);
      stages.push_back(std::make_shared<node_stage>());
      executors.push_back(sys.spawn(stand_in, stages.back()));
    }
    router = spawn_router(sys, nodes, executors, s);
    sched.run();
  }

  std::shared_ptr<batch_outcome> submit(batch_request req) {
    auto out = std::make_shared<batch_outcome>();
    sys.spawn(batch_client, router, std::move(req), out);
    sched.run();
    return out;
  }

  // Ends task `task` wherever it runs with `exit_code`.
  void finish(const std::string& task, int exit_code = 0) {
    for (std::size_t i = 0; i < stages.size(); ++i)
      if (stages[i]->holds(task)) {
        run_result r;
        r.task_id = task;
        r.exit_code = exit_code;
        r.error = exit_code == 0 ? error_class::none : error_class::command;
        caf::anon_send(executors[i], atom::ended_v, std::move(r));
        sched.run();
        return;
      }
    BOOST_FAIL("no node runs " << task);
  }

  // The node `task` could not reach: a failure before the command started.
  void refuse_connection(const std::string& task, bool before_start = true) {
    for (std::size_t i = 0; i < stages.size(); ++i)
      if (stages[i]->holds(task)) {
        auto r = make_failed_result(run_request{task, {}, {}, {}, true, 0, {}, 0},
                                    error_class::connection,
                                    "connection refused", before_start);
        caf::anon_send(executors[i], atom::ended_v, std::move(r));
        sched.run();
        return;
      }
    BOOST_FAIL("no node runs " << task);
  }

  std::size_t running_total() const {
    std::size_t n = 0;
    for (auto& s : stages)
      n += s->running.size();
    return n;
  }

  // Where `task` runs now, or -1.
  int node_of(const std::string& task) const {
    for (std::size_t i = 0; i < stages.size(); ++i)
      if (stages[i]->holds(task))
        return static_cast<int>(i);
    return -1;
  }

  ~router_fixture() {
    for (auto& e : executors)
      caf::anon_send_exit(e, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    sched.run();
  }
};

batch_request list_batch(std::string id, std::size_t n,
                         batch_options options = {}) {
  batch_request b;
  b.batch_id = std::move(id);
  b.options = options;
  for (std::size_t i = 0; i < n; ++i) {
    run_request r;
    r.command = "make target" + std::to_string(i);
    b.items.push_back(r);
  }
  return b;
}

std::string item(const std::string& batch, std::size_t i) {
  return batch + "." + std::to_string(i);
}

} // namespace

BOOST_AUTO_TEST_SUITE(router_batch)

BOOST_FIXTURE_TEST_CASE(no_node_ever_runs_more_than_its_slots, router_fixture) {
  start({2, 2, 2});
  auto out = submit(list_batch("b", 20));
  BOOST_CHECK_EQUAL(running_total(), 6u);
  for (auto& s : stages)
    BOOST_CHECK_EQUAL(s->running.size(), 2u);
  // End whatever runs, oldest first, until the batch is done; a freed slot
  // is refilled at once and never overfilled.
  for (int guard = 0; !out->result && guard < 100; ++guard) {
    for (auto& s : stages)
      BOOST_CHECK_LE(s->running.size(), 2u);
    std::string next;
    for (auto& s : stages)
      if (!s->running.empty()) {
        next = s->running.front().req.task_id;
        break;
      }
    BOOST_REQUIRE(!next.empty());
    finish(next);
  }
  BOOST_REQUIRE(out->result);
  for (auto& s : stages)
    BOOST_CHECK_EQUAL(s->peak, 2u);
  BOOST_CHECK_EQUAL(out->result->results.size(), 20u);
  BOOST_CHECK_EQUAL(out->progress.size(), 20u);
  for (std::size_t i = 0; i < out->progress.size(); ++i)
    BOOST_CHECK_EQUAL(out->progress[i].done, i + 1);
}

BOOST_FIXTURE_TEST_CASE(results_come_back_in_input_order, router_fixture) {
  start({1, 1, 1});
  auto out = submit(list_batch("b", 3));
  // Finish in reverse order, each with its own exit status.
  finish(item("b", 2), 2);
  finish(item("b", 1), 1);
  BOOST_CHECK(!out->result);
  finish(item("b", 0), 0);
  BOOST_REQUIRE(out->result);
  auto& results = out->result->results;
  BOOST_REQUIRE_EQUAL(results.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_CHECK_EQUAL(results[i].task_id, item("b", i));
    BOOST_REQUIRE(results[i].exit_code);
    BOOST_CHECK_EQUAL(*results[i].exit_code, static_cast<int>(i));
  }
  // Progress follows completion, and says which item and node.
  BOOST_REQUIRE_EQUAL(out->progress.size(), 3u);
  BOOST_CHECK_EQUAL(out->progress[0].index, 2u);
  BOOST_CHECK(!out->progress[0].ok);
  BOOST_CHECK_EQUAL(out->progress[2].index, 0u);
  BOOST_CHECK(out->progress[2].ok);
  BOOST_CHECK_EQUAL(out->progress[2].node, results[0].node);
  BOOST_CHECK(!results[0].node.empty());
}

BOOST_FIXTURE_TEST_CASE(work_goes_to_the_node_that_frees_a_slot_first,
                        router_fixture) {
  start({1, 1});
  auto out = submit(list_batch("b", 4));
  auto first = node_of(item("b", 0));
  auto second = node_of(item("b", 1));
  BOOST_REQUIRE(first >= 0 && second >= 0 && first != second);
  // The second node is quick: it takes item 2 and then item 3, while the
  // first is still busy with item 0. Round-robin would alternate.
  finish(item("b", 1));
  BOOST_CHECK_EQUAL(node_of(item("b", 2)), second);
  finish(item("b", 2));
  BOOST_CHECK_EQUAL(node_of(item("b", 3)), second);
  BOOST_CHECK_EQUAL(node_of(item("b", 0)), first);
  finish(item("b", 3));
  finish(item("b", 0));
  BOOST_REQUIRE(out->result);
  BOOST_CHECK_EQUAL(stages[first]->seen.size(), 1u);
  BOOST_CHECK_EQUAL(stages[second]->seen.size(), 3u);
}

BOOST_FIXTURE_TEST_CASE(max_parallel_caps_the_batch_below_the_slots,
                        router_fixture) {
  start({2, 2, 2});
  batch_options options;
  options.max_parallel = 3;
  auto out = submit(list_batch("b", 7, options));
  BOOST_CHECK_EQUAL(running_total(), 3u);
  finish(item("b", 1));
  BOOST_CHECK_EQUAL(running_total(), 3u);
  BOOST_CHECK(node_of(item("b", 3)) >= 0);
  BOOST_CHECK_EQUAL(node_of(item("b", 4)), -1);
  // Other work is not held back by the batch's own cap.
  auto other = submit(list_batch("c", 3));
  BOOST_CHECK_EQUAL(running_total(), 6u);
  for (std::size_t i = 0; i < 3; ++i)
    finish(item("c", i));
  BOOST_REQUIRE(other->result);
  for (int guard = 0; !out->result && guard < 20; ++guard) {
    BOOST_CHECK_LE(running_total(), 3u);
    for (std::size_t i = 0; i < 7; ++i)
      if (node_of(item("b", i)) >= 0) {
        finish(item("b", i));
        break;
      }
  }
  BOOST_REQUIRE(out->result);
  BOOST_CHECK_EQUAL(out->result->results.size(), 7u);
}

BOOST_FIXTURE_TEST_CASE(a_batch_beyond_the_admission_limit_is_refused_whole,
                        router_fixture) {
  settings s;
  s.queue_limit = 5;
  start({1}, s);
  auto too_big = submit(list_batch("big", 6));
  BOOST_REQUIRE(too_big->result);
  BOOST_CHECK(too_big->result->error == error_class::overloaded);
  BOOST_CHECK(too_big->result->results.empty());
  BOOST_CHECK_NE(too_big->result->error_message.find("overloaded"),
                 std::string::npos);
  BOOST_CHECK(stages[0]->seen.empty());
  // Four admitted: one runs, three wait; room is left for two more.
  auto first = submit(list_batch("a", 4));
  BOOST_CHECK_EQUAL(running_total(), 1u);
  auto refused = submit(list_batch("r", 3));
  BOOST_REQUIRE(refused->result);
  BOOST_CHECK(refused->result->error == error_class::overloaded);
  auto fits = submit(list_batch("f", 2));
  BOOST_CHECK(!fits->result);
  for (int guard = 0; !(first->result && fits->result) && guard < 20; ++guard)
    finish(stages[0]->running.front().req.task_id);
  BOOST_REQUIRE(first->result);
  BOOST_REQUIRE(fits->result);
  BOOST_CHECK(first->result->error == error_class::none);
  // Refused work never reached a node.
  for (auto& task : stages[0]->seen)
    BOOST_CHECK(task.rfind("r.", 0) != 0 && task.rfind("big.", 0) != 0);
}

BOOST_FIXTURE_TEST_CASE(fail_fast_cancels_what_has_not_finished,
                        router_fixture) {
  start({2});
  batch_options options;
  options.fail_fast = true;
  auto out = submit(list_batch("b", 6, options));
  BOOST_CHECK_EQUAL(running_total(), 2u);
  finish(item("b", 1), 3);
  BOOST_REQUIRE(out->result);
  auto& r = *out->result;
  BOOST_CHECK_EQUAL(r.stopped_by, item("b", 1));
  // The running one was killed, the waiting ones never started.
  BOOST_CHECK(stages[0]->cancels == std::vector<std::string>{item("b", 0)});
  BOOST_CHECK_EQUAL(stages[0]->seen.size(), 2u);
  BOOST_CHECK(r.results[1].error == error_class::command);
  BOOST_CHECK(r.results[0].error == error_class::cancelled);
  BOOST_CHECK_NE(r.results[0].error_message.find("fail_fast"), std::string::npos);
  for (std::size_t i = 2; i < 6; ++i) {
    BOOST_CHECK(r.results[i].error == error_class::cancelled);
    BOOST_CHECK_NE(r.results[i].error_message.find("not started"),
                   std::string::npos);
  }
}

BOOST_FIXTURE_TEST_CASE(without_fail_fast_one_failure_spoils_nothing,
                        router_fixture) {
  start({2});
  auto out = submit(list_batch("b", 4));
  finish(item("b", 0), 1);
  BOOST_CHECK(stages[0]->cancels.empty());
  finish(item("b", 1));
  finish(item("b", 2));
  finish(item("b", 3));
  BOOST_REQUIRE(out->result);
  BOOST_CHECK(!out->result->results[0].ok());
  for (std::size_t i = 1; i < 4; ++i)
    BOOST_CHECK(out->result->results[i].ok());
  BOOST_CHECK(out->result->stopped_by.empty());
}

BOOST_FIXTURE_TEST_CASE(cancelling_the_batch_id_stops_every_item,
                        router_fixture) {
  start({1, 1});
  auto out = submit(list_batch("b", 5));
  caf::anon_send(router, atom::cancel_v, std::string{"b"});
  sched.run();
  BOOST_REQUIRE(out->result);
  BOOST_CHECK_EQUAL(running_total(), 0u);
  BOOST_CHECK_EQUAL(stages[0]->cancels.size() + stages[1]->cancels.size(), 2u);
  for (auto& r : out->result->results)
    BOOST_CHECK(r.error == error_class::cancelled);
  BOOST_CHECK_EQUAL(stages[0]->seen.size() + stages[1]->seen.size(), 2u);
}

BOOST_FIXTURE_TEST_CASE(an_unreachable_node_costs_a_retry_on_another_once,
                        router_fixture) {
  start({1, 1, 1});
  auto out = submit(list_batch("b", 1));
  auto first = node_of(item("b", 0));
  refuse_connection(item("b", 0));
  auto second = node_of(item("b", 0));
  BOOST_REQUIRE(second >= 0);
  BOOST_CHECK_NE(second, first);
  refuse_connection(item("b", 0));
  auto third = node_of(item("b", 0));
  BOOST_REQUIRE(third >= 0);
  BOOST_CHECK(third != first && third != second);
  // The last candidate failing too ends the command: no node is tried twice.
  refuse_connection(item("b", 0));
  BOOST_REQUIRE(out->result);
  auto& r = out->result->results[0];
  BOOST_CHECK(r.error == error_class::connection);
  BOOST_CHECK_EQUAL(r.retried_from.size(), 2u);
  for (auto& s : stages)
    BOOST_CHECK_EQUAL(s->seen.size(), 1u);
}

BOOST_FIXTURE_TEST_CASE(a_retried_command_says_where_it_failed_first,
                        router_fixture) {
  start({1, 1});
  auto out = submit(list_batch("b", 1));
  auto first = node_of(item("b", 0));
  refuse_connection(item("b", 0));
  finish(item("b", 0));
  BOOST_REQUIRE(out->result);
  auto& r = out->result->results[0];
  BOOST_CHECK(r.ok());
  BOOST_REQUIRE_EQUAL(r.retried_from.size(), 1u);
  BOOST_CHECK_EQUAL(r.retried_from[0], "n" + std::to_string(first + 1));
  BOOST_CHECK_NE(r.node, r.retried_from[0]);
  BOOST_CHECK_NE(r.reason.find("before the command started"), std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_command_that_may_have_started_is_never_rerun,
                        router_fixture) {
  start({1, 1});
  auto out = submit(list_batch("b", 1));
  refuse_connection(item("b", 0), false);
  BOOST_REQUIRE(out->result);
  BOOST_CHECK(out->result->results[0].error == error_class::connection);
  BOOST_CHECK(out->result->results[0].retried_from.empty());
  BOOST_CHECK_EQUAL(stages[0]->seen.size() + stages[1]->seen.size(), 1u);
}

BOOST_FIXTURE_TEST_CASE(a_broadcast_runs_once_on_every_target, router_fixture) {
  start({1, 1, 1});
  batch_request b;
  b.batch_id = "b";
  b.broadcast = true;
  b.items.push_back(run_request{});
  b.items.back().command = "uname -a";
  auto out = submit(b);
  for (auto& s : stages)
    BOOST_CHECK_EQUAL(s->running.size(), 1u);
  for (std::size_t i = 0; i < 3; ++i)
    finish(item("b", i));
  BOOST_REQUIRE(out->result);
  auto& results = out->result->results;
  BOOST_REQUIRE_EQUAL(results.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i)
    BOOST_CHECK_EQUAL(results[i].node, "n" + std::to_string(i + 1));
  // Named targets come back in the order named.
  b.batch_id = "named";
  b.nodes = {"n3", "n1"};
  out = submit(b);
  BOOST_CHECK(stages[1]->running.empty());
  finish(item("named", 0));
  finish(item("named", 1));
  BOOST_REQUIRE(out->result);
  BOOST_REQUIRE_EQUAL(out->result->results.size(), 2u);
  BOOST_CHECK_EQUAL(out->result->results[0].node, "n3");
  BOOST_CHECK_EQUAL(out->result->results[1].node, "n1");
}

BOOST_FIXTURE_TEST_CASE(a_broadcast_to_a_bad_node_set_runs_nothing,
                        router_fixture) {
  start({1, 1});
  batch_request b;
  b.batch_id = "b";
  b.broadcast = true;
  b.items.push_back(run_request{});
  b.items.back().command = "true";
  b.nodes = {"n1", "nowhere"};
  auto out = submit(b);
  BOOST_REQUIRE(out->result);
  BOOST_CHECK(out->result->error == error_class::placement);
  BOOST_CHECK_NE(out->result->error_message.find("nowhere"), std::string::npos);
  b.batch_id = "twice";
  b.nodes = {"n1", "n1"};
  out = submit(b);
  BOOST_REQUIRE(out->result);
  BOOST_CHECK(out->result->error == error_class::invalid);
  b.batch_id = "darwin";
  b.nodes.clear();
  b.items.back().needs.os = "darwin";
  out = submit(b);
  BOOST_REQUIRE(out->result);
  BOOST_CHECK(out->result->error == error_class::placement);
  for (auto& s : stages)
    BOOST_CHECK(s->seen.empty());
}

BOOST_AUTO_TEST_SUITE_END()
