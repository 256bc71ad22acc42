#include "actors/run_outcome.hpp"

#include <boost/test/unit_test.hpp>

using namespace cluster;
using transport::process_end;
using namespace std::chrono_literals;

BOOST_TEST_DONT_PRINT_LOG_VALUE(cluster::error_class)

namespace {

run_request request() {
  run_request req;
  req.task_id = "t1";
  req.command = "make";
  return req;
}

run_result result_of(run_ending ending) {
  output_capture capture{64};
  capture.append(transport::stream_kind::out, "so far\n");
  return make_run_result(request(), "builder", ending, capture, 2s);
}

} // namespace

BOOST_AUTO_TEST_SUITE(run_outcome)

BOOST_AUTO_TEST_CASE(exit_status_decides_none_or_command) {
  auto ok = result_of({process_end::exited, error_class::none, 0, 0, "", 5ms});
  BOOST_TEST(ok.error == error_class::none);
  BOOST_TEST(ok.ok());
  auto failed = result_of({process_end::exited, error_class::none, 3, 0, "", 5ms});
  BOOST_TEST(failed.error == error_class::command);
  BOOST_TEST(failed.ran());
  BOOST_TEST(!failed.ok());
  BOOST_TEST(*failed.exit_code == 3);
  auto killed = result_of({process_end::exited, error_class::none, 137, 9, "", 5ms});
  BOOST_TEST(killed.error == error_class::command);
  BOOST_TEST(killed.signal == 9);
  BOOST_TEST(failed.node == "builder");
  BOOST_TEST(failed.out.text == "so far\n");
}

BOOST_AUTO_TEST_CASE(timeouts_say_whether_the_kill_is_confirmed) {
  auto confirmed = result_of({process_end::timed_out, error_class::none, 143, 15, "", 2s});
  BOOST_TEST(confirmed.error == error_class::timeout);
  BOOST_TEST(!confirmed.exit_code);
  BOOST_TEST(!confirmed.ran());
  BOOST_TEST(confirmed.error_message == "timed out after 2 s; the process group was killed");
  BOOST_TEST(confirmed.out.text == "so far\n");
  auto unsure = result_of({process_end::cancelled, error_class::connection, -1, 0,
                           "link to builder lost", 1s});
  BOOST_TEST(unsure.error == error_class::cancelled);
  BOOST_TEST(unsure.error_message.find("could not be confirmed: link to builder lost")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(only_a_command_that_never_started_is_retriable) {
  run_ending never{process_end::spawn_failed, error_class::connection, -1, 0,
                   "connection refused", 0ms};
  auto r = result_of(never);
  BOOST_TEST(r.error == error_class::connection);
  BOOST_TEST(r.retriable);
  never.started = true;  // the link dropped while it ran: it may still run
  BOOST_TEST(!result_of(never).retriable);
  auto auth = result_of({process_end::spawn_failed, error_class::auth, -1, 0, "refused", 0ms});
  BOOST_TEST(auth.error == error_class::auth);
  BOOST_TEST(!auth.retriable);
  auto spawn = result_of({process_end::spawn_failed, error_class::none, -1, 0,
                          "working directory '/x' does not exist", 0ms});
  BOOST_TEST(spawn.error == error_class::spawn);
  BOOST_TEST(spawn.error_message == "working directory '/x' does not exist");
}

BOOST_AUTO_TEST_CASE(refusals_guard_the_slots_and_task_ids) {
  node_info node;
  node.id = "builder";
  node.slots = 2;
  BOOST_TEST(!refusal(request(), false, 1, node));
  auto busy = refusal(request(), false, 2, node);
  BOOST_REQUIRE(busy);
  BOOST_TEST(busy->error == error_class::overloaded);
  BOOST_TEST(busy->retriable);
  auto dup = refusal(request(), true, 0, node);
  BOOST_REQUIRE(dup);
  BOOST_TEST(dup->error == error_class::invalid);
  BOOST_TEST(dup->error_message.find("t1") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
