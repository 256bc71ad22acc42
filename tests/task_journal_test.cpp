// The task journal's records against a real SQLite file in a temporary
// directory: what goes in comes out, how tasks move between states, lookup,
// listing, retention, cancel requests and owners that died.

#include "journal_test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

using namespace cluster;
using namespace cluster::test;
using transport::journal_retention;
using transport::spool_prefix;

BOOST_AUTO_TEST_SUITE(task_journal)

BOOST_AUTO_TEST_CASE(every_field_round_trips) {
  temp_dir tmp;
  journal j{tmp.state()};
  task_record r;
  r.id = "t-1";
  r.command = std::string{"printf '%s' \"a\nb\" \x01 \xff\xfe end\0tail", 36};
  r.needs.os = "linux";
  r.needs.arch = "arm64";
  r.needs.capabilities = {"gpu", "a,b", "", "quo\"te", "\xe2\x9c\x93"};
  r.requested_node = "node2";
  r.cwd = "/srv/it's here";
  r.submitter = "cli-detached";
  r.owner_pid = 4242;
  r.batch_id = "b7";
  r.node = "node2";
  r.reason = "named node";
  r.created_ms = now;
  r.started_ms = now + 5;
  r.finished_ms = now + 900;
  r.state = task_state::failed;
  r.exit_code = -3;
  r.error = error_class::host_key;
  r.error_message = "changed host key";
  r.stdout_tail = "out\n[... 9 bytes omitted ...]\n";
  r.stderr_tail = "\xef\xbf\xbd err";
  r.stdout_path = tmp.state() + "/spool/t-1.out";
  r.stderr_path = tmp.state() + "/spool/t-1.err";
  r.cancel_requested = true;
  j.put(r);
  auto back = j.find("t-1");
  BOOST_REQUIRE(back);
  BOOST_TEST(back->command == r.command);
  BOOST_TEST(back->needs.capabilities == r.needs.capabilities,
             boost::test_tools::per_element());
  BOOST_TEST(back->error == r.error);
  BOOST_TEST(bool(*back == r));
  // Put replaces the whole record, and an absent exit code stays absent.
  r.exit_code = caf::none;
  r.needs.capabilities.clear();
  r.cancel_requested = false;
  r.state = task_state::queued;
  j.put(r);
  back = j.find("t-1");
  BOOST_REQUIRE(back);
  BOOST_TEST(!back->exit_code);
  BOOST_TEST(bool(*back == r));
  // A second instance (as another process would) reads the same.
  journal other{tmp.state()};
  BOOST_TEST(bool(*other.find("t-1") == r));
  BOOST_TEST(j.path() == tmp.state() + "/journal.sqlite3");
  BOOST_TEST(j.state_dir() == tmp.state());
}

BOOST_AUTO_TEST_CASE(start_and_end_move_the_state) {
  temp_dir tmp;
  journal j{tmp.state()};
  auto r = make_record("a", now);
  r.cwd = "/work";
  r.node = "planned";
  j.put(r);
  j.started({"a", "node1", "least loaded", now + 3});
  auto a = j.find("a");
  BOOST_REQUIRE(a);
  BOOST_TEST(a->state == task_state::running);
  BOOST_TEST(a->node == "node1");
  BOOST_TEST(a->reason == "least loaded");
  BOOST_TEST(a->started_ms == now + 3);
  auto res = make_result("a", error_class::none, 0);
  res.out.text = "hello\n";
  res.err.text = "warn\n";
  j.finished(res, now + 50);
  a = j.find("a");
  BOOST_REQUIRE(a);
  BOOST_TEST(a->state == task_state::succeeded);
  BOOST_TEST(a->exit_code == caf::optional<int>{0});
  BOOST_TEST(a->stdout_tail == "hello\n");
  BOOST_TEST(a->stderr_tail == "warn\n");
  BOOST_TEST(a->finished_ms == now + 50);
  // The result carried no node or reason: the recorded ones stay, as do
  // the columns a result knows nothing of.
  BOOST_TEST(a->node == "node1");
  BOOST_TEST(a->reason == "least loaded");
  BOOST_TEST(a->cwd == "/work");
  BOOST_TEST(a->command == "echo a");
  BOOST_TEST(a->started_ms == now + 3);
  // A start that arrives after the end does not bring a task back.
  j.started({"a", "node9", "late", now + 60});
  BOOST_TEST(j.find("a")->state == task_state::succeeded);

  j.put(make_record("b", now));
  auto failed = make_result("b", error_class::command, 2);
  failed.node = "node3";
  failed.reason = "retried";
  j.finished(failed, now + 70);
  auto b = j.find("b");
  BOOST_TEST(b->state == task_state::failed);
  BOOST_TEST(b->exit_code == caf::optional<int>{2});
  BOOST_TEST(b->error == error_class::command);
  BOOST_TEST(b->node == "node3");
  BOOST_TEST(b->reason == "retried");

  j.put(make_record("c", now));
  auto cancelled = make_result("c", error_class::cancelled, caf::none);
  cancelled.error_message = "cancelled by the caller";
  j.finished(cancelled, now + 80);
  auto c = j.find("c");
  BOOST_TEST(c->state == task_state::cancelled);
  BOOST_TEST(!c->exit_code);
  BOOST_TEST(c->error_message == "cancelled by the caller");

  j.put(make_record("d", now));
  j.finished(make_result("d", error_class::connection, caf::none), now + 90);
  BOOST_TEST(j.find("d")->state == task_state::failed);
  BOOST_TEST(j.find("d")->error == error_class::connection);

  // A result for a task never put is recorded with what it carries.
  auto stray = make_result("stray", error_class::timeout, caf::none);
  stray.node = "node4";
  stray.error_message = "timed out after 1 s";
  stray.duration_ms = 1000;
  j.finished(stray, now + 2000);
  auto s = j.find("stray");
  BOOST_REQUIRE(s);
  BOOST_TEST(s->state == task_state::failed);
  BOOST_TEST(s->error == error_class::timeout);
  BOOST_TEST(s->node == "node4");
  BOOST_TEST(s->finished_ms == now + 2000);
  BOOST_TEST(s->created_ms == now + 1000);

  // So is a start for a task never put: running, owned by this process.
  j.started({"orphan", "node1", "why", now + 5});
  auto o = j.find("orphan");
  BOOST_REQUIRE(o);
  BOOST_TEST(o->state == task_state::running);
  BOOST_TEST(o->owner_pid == static_cast<std::int32_t>(::getpid()));
}

BOOST_AUTO_TEST_CASE(prefixes_find_one_task_or_say_which) {
  temp_dir tmp;
  journal j{tmp.state()};
  for (auto id : {"job_1", "job%2", "jobx3", "abc123", "t1", "t10"})
    j.put(make_record(id, now));
  BOOST_TEST(j.find("abc")->id == "abc123");
  BOOST_TEST(j.find("t1")->id == "t1");    // exact beats prefix
  BOOST_TEST(j.find("t10")->id == "t10");
  BOOST_TEST(j.find("job_")->id == "job_1");  // `_` is no wildcard
  BOOST_TEST(j.find("job%")->id == "job%2");  // nor is `%`
  BOOST_TEST(!j.find("nope"));
  BOOST_TEST(!j.find("ABC"));
  BOOST_TEST(!j.find(""));
  BOOST_TEST(throws_naming([&] { j.find("job"); },
                           {"'job'", "3 tasks", "job%2", "job_1", "jobx3"}));
  for (int i = 0; i < 7; ++i)
    j.put(make_record("many-" + std::to_string(i), now));
  BOOST_TEST(throws_naming([&] { j.find("many"); },
                           {"7 tasks", "many-0", "many-4", "..."}));
  BOOST_TEST(!throws_naming([&] { j.find("many"); }, {"many-5"}));
}

BOOST_AUTO_TEST_CASE(list_is_newest_first_with_limit_and_state) {
  temp_dir tmp;
  journal j{tmp.state()};
  j.put(make_record("old", now - 5000, task_state::failed));
  j.put(make_record("mid", now - 3000, task_state::succeeded));
  j.put(make_record("new", now - 1000, task_state::failed));
  j.put(make_record("run", now - 2000, task_state::running));
  j.put(make_record("same-a", now - 4000, task_state::succeeded));
  j.put(make_record("same-b", now - 4000, task_state::succeeded));
  task_query q;
  q.limit = 3;
  BOOST_TEST(ids_of(j.list(q)) == (std::vector<std::string>{"new", "run", "mid"}),
             boost::test_tools::per_element());
  q.limit = 0;
  BOOST_TEST(j.list(q).empty());
  q.limit = 100;
  BOOST_TEST(j.list(q).size() == 6u);
  q.state = "failed";
  BOOST_TEST(ids_of(j.list(q)) == (std::vector<std::string>{"new", "old"}),
             boost::test_tools::per_element());
  q.state = "succeeded";
  q.limit = 20;
  // Equal times: the later insert first.
  BOOST_TEST(ids_of(j.list(q))
               == (std::vector<std::string>{"mid", "same-b", "same-a"}),
             boost::test_tools::per_element());
  q.state = "running";
  BOOST_TEST(ids_of(j.list(q)) == std::vector<std::string>{"run"},
             boost::test_tools::per_element());
  q.state = "lost";
  BOOST_TEST(j.list(q).empty());
  q.state = "bogus";
  BOOST_TEST(throws_naming([&] { j.list(q); }, {"bogus", "succeeded"}));
}

BOOST_AUTO_TEST_CASE(retention_trims_by_age_and_count_with_spool_files) {
  temp_dir tmp;
  journal_retention keep;
  keep.max_age = std::chrono::hours{1};
  keep.max_tasks = 5;
  journal j{tmp.state(), keep};
  auto spool = [&](const std::string& id) {
    write_file(spool_prefix(tmp.state(), id) + ".out", "o");
    write_file(spool_prefix(tmp.state(), id) + ".err", "e");
  };
  j.put(make_record("ancient", now - 3 * hour_ms, task_state::succeeded));
  spool("ancient");
  // Unfinished, however old: never deleted.
  j.put(make_record("stuck", now - 3 * hour_ms, task_state::running));
  spool("stuck");
  for (int i = 0; i < 6; ++i) {
    auto id = "recent-" + std::to_string(i);
    j.put(make_record(id, now - (10 - i) * 1000, task_state::failed));
    spool(id);
  }
  // Age takes `ancient`; then 7 are left for 5 places: the two oldest
  // finished go, `stuck` stays though it is older.
  BOOST_TEST(j.trim(now) == 3u);
  task_query all;
  all.limit = 100;
  auto left = ids_of(j.list(all));
  std::sort(left.begin(), left.end());
  BOOST_TEST(left == (std::vector<std::string>{"recent-2", "recent-3",
                                               "recent-4", "recent-5", "stuck"}),
             boost::test_tools::per_element());
  for (auto id : {"ancient", "recent-0", "recent-1"}) {
    BOOST_TEST(!exists(spool_prefix(tmp.state(), id) + ".out"), id);
    BOOST_TEST(!exists(spool_prefix(tmp.state(), id) + ".err"), id);
  }
  for (auto id : {"stuck", "recent-2", "recent-5"})
    BOOST_TEST(exists(spool_prefix(tmp.state(), id) + ".out"), id);
  BOOST_TEST(j.trim(now) == 0u);
  // More unfinished tasks than places: none of them goes.
  for (int i = 0; i < 6; ++i)
    j.put(make_record("wait-" + std::to_string(i), now - 9 * hour_ms));
  BOOST_TEST(j.trim(now) == 4u);  // only the finished ones
  auto rest = j.list(all);
  BOOST_TEST(rest.size() == 7u);
  for (auto& r : rest)
    BOOST_TEST(!is_final(r.state), r.id);
}

BOOST_AUTO_TEST_CASE(cancel_requests_reach_the_owner_only) {
  temp_dir tmp;
  journal j{tmp.state()};
  auto me = static_cast<std::int32_t>(::getpid());
  j.put(make_record("mine", now, task_state::running, me));
  j.put(make_record("queued", now, task_state::queued, me));
  j.put(make_record("theirs", now, task_state::running, me + 1));
  j.put(make_record("done", now, task_state::succeeded, me));
  BOOST_TEST(j.cancel_requests(me).empty());
  journal other{tmp.state()};  // the `cluster-router cancel` side
  BOOST_TEST(other.request_cancel("mine"));
  BOOST_TEST(other.request_cancel("queued"));
  BOOST_TEST(!other.request_cancel("done"));
  BOOST_TEST(!other.request_cancel("unknown"));
  BOOST_TEST(other.request_cancel("theirs"));
  BOOST_TEST(j.cancel_requests(me) == (std::vector<std::string>{"mine", "queued"}),
             boost::test_tools::per_element());
  BOOST_TEST(j.cancel_requests(me + 1) == std::vector<std::string>{"theirs"},
             boost::test_tools::per_element());
  BOOST_TEST(j.find("mine")->cancel_requested);
  BOOST_TEST(!j.find("done")->cancel_requested);
  j.finished(make_result("mine", error_class::cancelled, caf::none), now + 5);
  BOOST_TEST(j.cancel_requests(me) == std::vector<std::string>{"queued"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(end_all_of_ends_one_owners_unfinished_tasks) {
  temp_dir tmp;
  journal j{tmp.state()};
  j.put(make_record("a1", now, task_state::running, 100));
  j.put(make_record("a2", now, task_state::queued, 100));
  j.put(make_record("a3", now, task_state::succeeded, 100));
  j.put(make_record("b1", now, task_state::running, 200));
  j.end_all_of(100, task_state::cancelled, "the server exited", now + 7);
  for (auto id : {"a1", "a2"}) {
    auto r = j.find(id);
    BOOST_TEST(r->state == task_state::cancelled, id);
    BOOST_TEST(r->error == error_class::cancelled, id);
    BOOST_TEST(r->error_message == "the server exited", id);
    BOOST_TEST(r->finished_ms == now + 7, id);
  }
  BOOST_TEST(j.find("a3")->state == task_state::succeeded);
  BOOST_TEST(j.find("a3")->error_message.empty());
  BOOST_TEST(j.find("b1")->state == task_state::running);
  BOOST_CHECK_THROW(j.end_all_of(200, task_state::running, "x", now),
                    journal_error);
  BOOST_TEST(j.find("b1")->state == task_state::running);
}

BOOST_AUTO_TEST_CASE(tasks_of_an_exited_process_are_lost) {
  temp_dir tmp;
  journal j{tmp.state()};
  pid_t child = ::fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0)
    ::_exit(0);
  int status = 0;
  BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
  auto dead = static_cast<std::int32_t>(child);
  auto me = static_cast<std::int32_t>(::getpid());
  j.put(make_record("orphan-run", now, task_state::running, dead));
  j.put(make_record("orphan-queue", now, task_state::queued, dead));
  j.put(make_record("orphan-done", now, task_state::succeeded, dead));
  j.put(make_record("alive", now, task_state::running, me));
  BOOST_TEST(j.reap_lost(now + 100) == 2u);
  for (auto id : {"orphan-run", "orphan-queue"}) {
    auto r = j.find(id);
    BOOST_TEST(r->state == task_state::lost, id);
    BOOST_TEST(r->finished_ms == now + 100, id);
    BOOST_TEST(r->error_message.find("exited without recording an end")
                 != std::string::npos, r->error_message);
    BOOST_TEST(r->error_message.find(std::to_string(child)) != std::string::npos);
  }
  BOOST_TEST(j.find("orphan-done")->state == task_state::succeeded);
  BOOST_TEST(j.find("alive")->state == task_state::running);
  BOOST_TEST(j.reap_lost(now + 200) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
