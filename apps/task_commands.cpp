#include "apps/task_commands.hpp"

#include "actors/mcp/json_rpc.hpp"
#include "apps/exit_codes.hpp"
#include "apps/follow_output.hpp"
#include "apps/journal_access.hpp"
#include "apps/task_text.hpp"
#include "transport/wall_clock.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

namespace cluster {

namespace {

using namespace std::chrono_literals;

// How often a follower looks again: quick enough to feel live, rare enough
// to cost nothing.
constexpr auto poll_interval = 200ms;
// Tasks of a process that died are marked lost this often while following,
// so a follow never outlives the task's owner.
constexpr int polls_per_reap = 5;

// Waits one poll interval and reads the task again, by its full id. Returns
// false (the reason on stderr, the exit status in `rc`) when it cannot.
bool refresh(transport::task_journal& journal, task_record& r, int& polls,
             int& rc) {
  std::this_thread::sleep_for(poll_interval);
  try {
    if (++polls % polls_per_reap == 0)
      journal.reap_lost(transport::unix_now_ms());
    auto again = journal.find(r.id);
    if (!again) {
      std::cerr << "cluster-router: task " << r.id
                << " left the journal while being followed\n";
      rc = exit_code::failed;
      return false;
    }
    r = std::move(*again);
  } catch (const std::exception& e) {
    rc = journal_failure("read the task", e);
    return false;
  }
  return true;
}

// Follows `r` until it is final; false when that failed (`rc` set).
bool wait_until_final(transport::task_journal& journal, task_record& r,
                      int& rc) {
  int polls = 0;
  while (!is_final(r.state))
    if (!refresh(journal, r, polls, rc))
      return false;
  return true;
}

void print_json(const task_record& r) {
  mcp::json_writer json;
  write_task_object(json, r, true, transport::unix_now_ms());
  std::cout << json.str() << '\n';
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0;
}

// Without a spool file only the tail the journal kept is left: better than
// nothing, and said so on stderr.
int print_recorded_tail(const task_record& r, bool err_stream,
                        std::uint32_t lines, const char* why) {
  std::cerr << "cluster-router: " << why << "; printing the "
            << (err_stream ? "stderr" : "stdout")
            << " the journal kept (head and tail, valid UTF-8)\n";
  auto text = last_lines(err_stream ? r.stderr_tail : r.stdout_tail, lines);
  return write_all(STDOUT_FILENO, text) ? 0 : exit_code::failed;
}

} // namespace

int task_status(const settings& cfg, const router_invocation& inv) {
  auto [journal, found, failure] = open_task(cfg, inv.task.id);
  if (!found)
    return failure;
  auto r = std::move(*found);
  int rc = 0;
  if (inv.task.follow && !wait_until_final(*journal, r, rc))
    return rc;
  if (inv.json)
    print_json(r);
  else
    std::cout << task_details(r, colour_on(STDOUT_FILENO),
                              transport::unix_now_ms());
  return inv.task.follow ? exit_status(r) : 0;
}

int task_logs(const settings& cfg, const router_invocation& inv) {
  auto [journal, found, failure] = open_task(cfg, inv.task.id);
  if (!found)
    return failure;
  auto r = std::move(*found);
  auto& t = inv.task;
  auto& path = t.stderr_stream ? r.stderr_path : r.stdout_path;
  int rc = 0;
  if (path.empty()) {
    if (t.follow && !wait_until_final(*journal, r, rc))
      return rc;
    return print_recorded_tail(r, t.stderr_stream, t.tail,
                               "this task's output was not spooled");
  }
  if (is_final(r.state) && !file_exists(path))
    return print_recorded_tail(r, t.stderr_stream, t.tail,
                               ("its spool file " + path + " is gone").c_str());
  file_follower follower{path, STDOUT_FILENO,
                         t.tail > 0 ? last_lines_offset(path, t.tail) : 0};
  follower.poll();
  if (t.follow) {
    int polls = 0;
    while (!is_final(r.state) && !follower.output_failed()) {
      if (!refresh(*journal, r, polls, rc))
        return rc;
      follower.poll();
    }
    // The journal records the end after the last byte was spooled.
    follower.poll();
  }
  return follower.output_failed() ? exit_code::failed : 0;
}

int task_cancel(const settings& cfg, const router_invocation& inv) {
  auto [journal, found, failure] = open_task(cfg, inv.task.id);
  if (!found)
    return failure;
  auto r = std::move(*found);
  int rc = 0;
  try {
    if (!is_final(r.state) && !journal->request_cancel(r.id)) {
      // It ended between the look-up and the request.
      if (auto again = journal->find(r.id))
        r = std::move(*again);
    }
  } catch (const std::exception& e) {
    return journal_failure("record the cancel request", e);
  }
  if (is_final(r.state)) {
    std::cerr << "cluster-router: task " << r.id << " has already ended ("
              << to_string(r.state) << "); nothing to cancel\n";
    return exit_code::failed;
  }
  auto deadline = std::chrono::steady_clock::now()
                  + std::chrono::milliseconds{inv.task.wait_ms};
  int polls = 0;
  while (!is_final(r.state) && std::chrono::steady_clock::now() < deadline)
    if (!refresh(*journal, r, polls, rc))
      return rc;
  if (inv.json)
    print_json(r);
  else if (is_final(r.state))
    std::cout << r.id << ' '
              << paint(to_string(r.state), state_colour(r.state),
                       colour_on(STDOUT_FILENO))
              << '\n';
  if (!is_final(r.state)) {
    std::cerr << "cluster-router: cancel of " << r.id
              << " requested, but it is still " << to_string(r.state)
              << " after " << human_duration(inv.task.wait_ms)
              << "; its owner (pid " << r.owner_pid
              << ") acts on the request within about a second while it runs\n";
    return exit_code::failed;
  }
  if (r.state != task_state::cancelled) {
    std::cerr << "cluster-router: task " << r.id << " ended as "
              << to_string(r.state) << " before the cancel took effect\n";
    return exit_code::failed;
  }
  return 0;
}

int task_list(const settings& cfg, const router_invocation& inv) {
  auto journal = open_journal(cfg);
  if (!journal)
    return exit_code::journal;
  task_query q;
  q.limit = inv.task.limit;
  q.state = inv.task.state;
  std::vector<task_record> tasks;
  try {
    tasks = journal->list(q);
  } catch (const std::exception& e) {
    return journal_failure("list the tasks", e);
  }
  if (inv.json) {
    mcp::json_writer json;
    json.begin_object().key("tasks").begin_array();
    for (auto& r : tasks)
      write_task_object(json, r, false, transport::unix_now_ms());
    json.end_array().end_object();
    std::cout << json.str() << '\n';
  } else if (tasks.empty()) {
    std::cout << "no tasks" << (q.state.empty() ? "" : " " + q.state)
              << " in " << journal->path() << '\n';
  } else {
    std::cout << task_table(tasks, colour_on(STDOUT_FILENO),
                            terminal_width(STDOUT_FILENO),
                            transport::unix_now_ms());
  }
  return 0;
}

} // namespace cluster
