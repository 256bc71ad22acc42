// The plain logic behind batches: expansion of a broadcast, the tracker's
// accounting, and the grouping of identical outputs.

#include "actors/batch_plan.hpp"
#include "actors/batch_tracker.hpp"
#include "actors/output_groups.hpp"

#include <boost/test/unit_test.hpp>

using namespace cluster;

namespace {

std::vector<node_view> three_nodes() {
  std::vector<node_view> views;
  for (auto id : {"a", "b", "c"}) {
    node_view v;
    v.info.id = id;
    v.info.os = "linux";
    v.info.arch = "x86_64";
    views.push_back(v);
  }
  views[1].info.aliases = {"bee"};
  views[2].info.capabilities = {"gpu"};
  return views;
}

run_result ended(int code, std::string out, std::string node = {}) {
  run_result r;
  r.exit_code = code;
  r.error = code == 0 ? error_class::none : error_class::command;
  r.out.text = std::move(out);
  r.node = std::move(node);
  return r;
}

batch_request broadcast(std::vector<std::string> nodes = {}) {
  batch_request b;
  b.batch_id = "x";
  b.broadcast = true;
  b.items.emplace_back();
  b.items.back().command = "uname";
  b.items.back().task_id = "ignored";
  b.nodes = std::move(nodes);
  return b;
}

} // namespace

BOOST_AUTO_TEST_SUITE(batch_logic)

BOOST_AUTO_TEST_CASE(a_broadcast_expands_to_one_pinned_item_per_node) {
  auto plan = plan_batch(broadcast(), three_nodes());
  BOOST_REQUIRE(plan.error == error_class::none);
  BOOST_REQUIRE_EQUAL(plan.items.size(), 3u);
  BOOST_CHECK_EQUAL(plan.items[0].node, "a");
  BOOST_CHECK_EQUAL(plan.items[2].node, "c");
  BOOST_CHECK_EQUAL(plan.items[1].task_id, "x.1");
  BOOST_CHECK_EQUAL(plan.items[1].command, "uname");
}

BOOST_AUTO_TEST_CASE(a_broadcast_follows_names_aliases_and_requirements) {
  auto named = plan_batch(broadcast({"c", "bee"}), three_nodes());
  BOOST_REQUIRE_EQUAL(named.items.size(), 2u);
  BOOST_CHECK_EQUAL(named.items[0].node, "c");
  BOOST_CHECK_EQUAL(named.items[1].node, "b");
  auto gpu = broadcast();
  gpu.items[0].needs.capabilities = {"gpu"};
  auto only = plan_batch(gpu, three_nodes());
  BOOST_REQUIRE_EQUAL(only.items.size(), 1u);
  BOOST_CHECK_EQUAL(only.items[0].node, "c");
  auto twice = plan_batch(broadcast({"b", "bee"}), three_nodes());
  BOOST_CHECK(twice.error == error_class::invalid);
  BOOST_CHECK_NE(twice.error_message.find("named twice"), std::string::npos);
  auto unknown = plan_batch(broadcast({"zz"}), three_nodes());
  BOOST_CHECK(unknown.error == error_class::placement);
  BOOST_CHECK_NE(unknown.error_message.find("'zz'"), std::string::npos);
  auto two = broadcast();
  two.items.push_back(two.items[0]);
  BOOST_CHECK(plan_batch(two, three_nodes()).error == error_class::invalid);
}

BOOST_AUTO_TEST_CASE(a_list_keeps_its_items_and_names_them) {
  batch_request b;
  b.batch_id = "y";
  b.items.resize(2);
  b.items[1].task_id = "mine";
  auto plan = plan_batch(b, three_nodes());
  BOOST_REQUIRE_EQUAL(plan.items.size(), 2u);
  BOOST_CHECK_EQUAL(plan.items[0].task_id, "y.0");
  BOOST_CHECK_EQUAL(plan.items[1].task_id, "mine");
  b.nodes = {"a"};
  BOOST_CHECK(plan_batch(b, three_nodes()).error == error_class::invalid);
}

BOOST_AUTO_TEST_CASE(the_tracker_counts_running_items_against_the_cap) {
  batch_tracker t{"b", 3, batch_options{2, false}};
  BOOST_CHECK(t.may_start());
  t.started(0);
  t.started(1);
  BOOST_CHECK(!t.may_start());
  t.requeued(1);
  BOOST_CHECK(t.may_start());
  t.started(1);
  BOOST_CHECK(!t.finished(0, ended(1, "")));  // not fail-fast
  BOOST_CHECK(t.may_start());
  BOOST_CHECK(!t.finished(0, ended(0, "again")));  // a second result is ignored
  BOOST_CHECK_EQUAL(t.done(), 1u);
  t.finished(1, ended(0, ""));
  t.finished(2, ended(0, ""));
  BOOST_CHECK(t.complete());
  auto r = t.take_result();
  BOOST_CHECK_EQUAL(*r.results[0].exit_code, 1);
}

BOOST_AUTO_TEST_CASE(the_first_failure_stops_a_fail_fast_batch_once) {
  batch_tracker t{"b", 3, batch_options{0, true}};
  t.started(0);
  t.started(1);
  BOOST_CHECK(!t.finished(0, ended(0, "")));
  BOOST_CHECK(t.finished(1, ended(2, "")));
  t.stop("fail_fast: b.1 failed", "b.1");
  BOOST_CHECK(!t.may_start());
  BOOST_CHECK(!t.finished(2, ended(1, "")));
  auto r = t.take_result();
  BOOST_CHECK_EQUAL(r.stopped_by, "b.1");
}

BOOST_AUTO_TEST_CASE(identical_outcomes_fold_into_one_group) {
  std::vector<run_result> results{ended(0, "Linux\n", "a"),
                                  ended(0, "Darwin\n", "b"),
                                  ended(0, "Linux\n", "c"),
                                  ended(1, "Linux\n", "d")};
  auto groups = group_identical(results);
  BOOST_REQUIRE_EQUAL(groups.size(), 3u);
  BOOST_CHECK((groups[0].members == std::vector<std::size_t>{0, 2}));
  BOOST_CHECK((groups[1].members == std::vector<std::size_t>{1}));
  BOOST_CHECK((groups[2].members == std::vector<std::size_t>{3}));
  // Failures to run group by their message too: two different reasons are
  // two different stories.
  results = {make_failed_result({}, error_class::connection, "refused"),
             make_failed_result({}, error_class::connection, "timed out"),
             make_failed_result({}, error_class::connection, "refused")};
  groups = group_identical(results);
  BOOST_REQUIRE_EQUAL(groups.size(), 2u);
  BOOST_CHECK((groups[0].members == std::vector<std::size_t>{0, 2}));
}

BOOST_AUTO_TEST_SUITE_END()
