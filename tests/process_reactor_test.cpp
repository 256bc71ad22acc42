// Real processes through a real reactor: exit codes, output capture, and
// above all that nothing a command starts outlives it (unless it asks to).

#include "transport/process_reactor.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <unistd.h>

using namespace cluster::transport;
using namespace std::chrono_literals;

namespace {

constexpr auto patience = 60s; // Generous: the machine is shared and noisy.

/// Collects both streams; lets a test wait until some text has arrived.
struct capture : output_sink {
  std::mutex m;
  std::condition_variable cv;
  std::string out, err;
  std::thread::id thread;

  void append(stream_kind which, std::string_view bytes) override {
    std::lock_guard<std::mutex> lock(m);
    thread = std::this_thread::get_id();
    (which == stream_kind::out ? out : err).append(bytes);
    cv.notify_all();
  }

  bool wait_for_out(const std::string& needle) {
    std::unique_lock<std::mutex> lock(m);
    return cv.wait_for(lock, patience,
                       [&] { return out.find(needle) != std::string::npos; });
  }
};

/// Records every completion call, so a test can assert exactly one.
struct tracker {
  std::mutex m;
  std::condition_variable cv;
  int calls = 0;
  process_outcome outcome;
  std::thread::id thread;

  static process_reactor::completion on(const std::shared_ptr<tracker>& t) {
    return [t](const process_outcome& o) {
      std::lock_guard<std::mutex> lock(t->m);
      ++t->calls;
      t->outcome = o;
      t->thread = std::this_thread::get_id();
      t->cv.notify_all();
    };
  }

  bool wait() {
    std::unique_lock<std::mutex> lock(m);
    return cv.wait_for(lock, patience, [&] { return calls > 0; });
  }
};

struct run_result {
  std::shared_ptr<capture> sink = std::make_shared<capture>();
  std::shared_ptr<tracker> done = std::make_shared<tracker>();
  process_reactor::process_id id = 0;
};

run_result launch(process_reactor& r, process_spec spec) {
  run_result res;
  res.id = r.start(std::move(spec), res.sink, tracker::on(res.done));
  return res;
}

process_spec cmd(std::string command, std::string cwd = {}) {
  process_spec s;
  s.command = std::move(command);
  s.cwd = std::move(cwd);
  return s;
}

/// Runs to completion and returns the outcome; fails the test on a hang.
process_outcome run(process_reactor& r, run_result& res, process_spec spec) {
  res = launch(r, std::move(spec));
  BOOST_REQUIRE_MESSAGE(res.done->wait(), "no completion within the patience");
  return res.done->outcome;
}

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "process_reactor_test.XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = std::filesystem::canonical(tmpl);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const char* name) const { return (path / name).string(); }
};

/// What /proc says about a pid: state, parent, and start time (which tells
/// a recycled pid apart from the process we recorded).
struct proc_stat {
  bool exists = false;
  char state = '?';
  pid_t ppid = 0;
  std::string starttime;
};

proc_stat stat_of(pid_t pid) {
  proc_stat st;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line))
    return st;
  std::istringstream fields(line.substr(line.rfind(')') + 1));
  std::vector<std::string> f; // f[0] is field 3 (state).
  for (std::string x; fields >> x;)
    f.push_back(x);
  if (f.size() < 20)
    return st;
  st.exists = true;
  st.state = f[0][0];
  st.ppid = std::stoi(f[1]);
  st.starttime = f[19];
  return st;
}

/// Shell snippet that appends "PID STARTTIME" of the last background job.
std::string record_bg(const std::string& file) {
  return " echo $! $(cut -d' ' -f22 /proc/$!/stat) >> '" + file + "';";
}

struct recorded {
  pid_t pid;
  std::string starttime;
};

std::vector<recorded> read_recorded(const std::string& file) {
  std::vector<recorded> v;
  std::ifstream in(file);
  for (recorded r; in >> r.pid >> r.starttime;)
    v.push_back(r);
  return v;
}

/// Dead means: gone, recycled for another process, or a zombie that is not
/// ours to reap (orphans are reparented to init, and some container inits
/// never reap; a zombie has released everything but its pid).
bool is_dead(const recorded& r) {
  proc_stat st = stat_of(r.pid);
  if (!st.exists || st.starttime != r.starttime)
    return true;
  return (st.state == 'Z' || st.state == 'X') && st.ppid != ::getpid();
}

/// Asserts every recorded process is dead; kills survivors so a failing
/// test does not leave `sleep 300` behind.
void require_all_dead(const std::string& file, std::size_t expected) {
  auto procs = read_recorded(file);
  BOOST_REQUIRE_EQUAL(procs.size(), expected);
  for (auto& r : procs) {
    BOOST_CHECK_MESSAGE(is_dead(r), "pid " << r.pid << " survived its group");
    if (!is_dead(r))
      ::kill(r.pid, SIGKILL);
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(process_reactor)

BOOST_AUTO_TEST_CASE(exit_codes_propagate) {
  cluster::transport::process_reactor r;
  run_result a, b, c;
  auto oa = run(r, a, cmd("exit 0"));
  auto ob = run(r, b, cmd("exit 3"));
  auto oc = run(r, c, cmd("false"));
  BOOST_CHECK(oa.end == process_end::exited);
  BOOST_CHECK_EQUAL(oa.exit_code, 0);
  BOOST_CHECK_EQUAL(oa.signal, 0);
  BOOST_CHECK(oa.error.empty());
  BOOST_CHECK(ob.end == process_end::exited);
  BOOST_CHECK_EQUAL(ob.exit_code, 3);
  BOOST_CHECK_EQUAL(oc.exit_code, 1);
  BOOST_CHECK_NE(a.id, b.id);
  BOOST_CHECK_EQUAL(r.running(), 0u);
}

BOOST_AUTO_TEST_CASE(stdout_and_stderr_are_separate) {
  cluster::transport::process_reactor r;
  run_result res;
  auto o = run(r, res, cmd("echo out; echo err >&2; printf 'tail'; printf '\\001\\377' >&2"));
  BOOST_CHECK_EQUAL(o.exit_code, 0);
  BOOST_CHECK_EQUAL(res.sink->out, "out\ntail");
  BOOST_CHECK_EQUAL(res.sink->err, std::string("err\n\x01\xff"));
  // Both the sink and the completion run on the reactor's thread.
  BOOST_CHECK(res.done->thread != std::this_thread::get_id());
  BOOST_CHECK(res.sink->thread == res.done->thread);
}

BOOST_AUTO_TEST_CASE(large_output_on_both_streams_is_complete) {
  cluster::transport::process_reactor r;
  run_result res;
  // Both streams at once, so a reader that favours one would deadlock the
  // other's writer on a full pipe.
  auto o = run(r, res, cmd("seq 1 700000 >&2 & seq 1 700000; wait"));
  std::string expected;
  for (int i = 1; i <= 700000; ++i)
    expected += std::to_string(i) + '\n';
  BOOST_REQUIRE_GT(expected.size(), 4u << 20);
  BOOST_CHECK_EQUAL(o.exit_code, 0);
  BOOST_CHECK(res.sink->out == expected);
  BOOST_CHECK(res.sink->err == expected);
  BOOST_CHECK_EQUAL(res.sink->out.size(), expected.size());
}

BOOST_AUTO_TEST_CASE(cwd_is_honoured) {
  cluster::transport::process_reactor r;
  temp_dir dir;
  run_result res;
  auto o = run(r, res, cmd("pwd -P", dir.path.string()));
  BOOST_CHECK(o.end == process_end::exited);
  BOOST_CHECK_EQUAL(res.sink->out, dir.path.string() + "\n");
}

BOOST_AUTO_TEST_CASE(bad_cwd_fails_to_spawn_with_a_precise_message) {
  cluster::transport::process_reactor r;
  temp_dir dir;
  std::string missing = dir.file("no-such-dir");
  run_result a;
  auto oa = run(r, a, cmd("echo should-not-run", missing));
  BOOST_CHECK(oa.end == process_end::spawn_failed);
  BOOST_CHECK_EQUAL(oa.exit_code, -1);
  BOOST_CHECK_NE(oa.error.find("'" + missing + "'"), std::string::npos);
  BOOST_CHECK_NE(oa.error.find("does not exist"), std::string::npos);
  BOOST_CHECK(a.sink->out.empty());

  std::string file = dir.file("plain-file");
  std::ofstream(file) << "x";
  run_result b;
  auto ob = run(r, b, cmd("echo should-not-run", file));
  BOOST_CHECK(ob.end == process_end::spawn_failed);
  BOOST_CHECK_NE(ob.error.find("'" + file + "'"), std::string::npos);
  BOOST_CHECK_NE(ob.error.find("not a directory"), std::string::npos);
  BOOST_CHECK_EQUAL(r.running(), 0u);
}

BOOST_AUTO_TEST_CASE(stdin_is_dev_null_and_group_is_its_own) {
  // Our own stdin becomes a pipe nobody writes to: had the child inherited
  // it, `cat` would block until the patience runs out.
  int pipe_fds[2];
  BOOST_REQUIRE_EQUAL(::pipe(pipe_fds), 0);
  int saved_stdin = ::dup(0);
  ::dup2(pipe_fds[0], 0);
  cluster::transport::process_reactor r;
  run_result res;
  res = launch(r, cmd("cat; readlink /proc/$$/fd/0; echo $$ $(cut -d' ' -f5 /proc/$$/stat)"));
  bool completed = res.done->wait();
  ::dup2(saved_stdin, 0);
  for (int fd : {saved_stdin, pipe_fds[0], pipe_fds[1]})
    ::close(fd);
  BOOST_REQUIRE(completed);
  auto& o = res.done->outcome;
  BOOST_CHECK_EQUAL(o.exit_code, 0);
  std::istringstream lines(res.sink->out);
  std::string stdin_target, pid, pgid;
  lines >> stdin_target >> pid >> pgid;
  BOOST_CHECK_EQUAL(stdin_target, "/dev/null");
  BOOST_CHECK_EQUAL(pid, pgid);
  BOOST_CHECK_NE(pgid, std::to_string(::getpgrp()));
}

BOOST_AUTO_TEST_CASE(timeout_kills_the_whole_group) {
  cluster::transport::process_reactor r;
  temp_dir dir;
  std::string pids = dir.file("pids");
  process_spec spec = cmd("(sleep 300 &" + record_bg(pids) + " wait) & sleep 300 &" +
                          record_bg(pids) + " until [ $(wc -l < '" + pids +
                          "') = 2 ]; do sleep 0.01; done; echo ready; wait");
  spec.timeout = 4000ms; // Only needs to outlast bash starting up.
  spec.kill_grace = 500ms;
  run_result res;
  auto o = run(r, res, spec);
  BOOST_CHECK(o.end == process_end::timed_out);
  BOOST_CHECK_EQUAL(o.signal, SIGTERM);
  BOOST_CHECK_EQUAL(o.exit_code, 128 + SIGTERM);
  BOOST_CHECK_GE(o.duration.count(), 4000); // Never before the deadline.
  BOOST_CHECK_EQUAL(res.sink->out, "ready\n");
  require_all_dead(pids, 2);
}

BOOST_AUTO_TEST_CASE(term_ignoring_group_is_killed_after_the_grace) {
  cluster::transport::process_reactor r;
  temp_dir dir;
  std::string pids = dir.file("pids");
  // The ignored TERM is inherited by the background sleep too.
  process_spec spec = cmd("trap '' TERM; sleep 300 &" + record_bg(pids) + " echo ready; wait");
  spec.kill_grace = 700ms;
  run_result res = launch(r, spec);
  BOOST_REQUIRE(res.sink->wait_for_out("ready"));
  auto cancelled_at = std::chrono::steady_clock::now();
  r.cancel(res.id);
  BOOST_REQUIRE(res.done->wait());
  auto waited = std::chrono::steady_clock::now() - cancelled_at;
  auto& o = res.done->outcome;
  BOOST_CHECK(o.end == process_end::cancelled);
  BOOST_CHECK_EQUAL(o.signal, SIGKILL);
  BOOST_CHECK_EQUAL(o.exit_code, 128 + SIGKILL);
  BOOST_CHECK(waited >= 700ms); // TERM was ignored; only the KILL ended it.
  require_all_dead(pids, 1);
}

BOOST_AUTO_TEST_CASE(term_reaches_every_member_before_any_kill) {
  cluster::transport::process_reactor r;
  temp_dir dir;
  std::string marker = dir.file("marker");
  // The shell outlives the TERM until the subshell proves it got one too;
  // had only the shell been signalled, the KILL after the grace would end
  // it with 137 instead.
  process_spec spec = cmd("trap 'until [ -s \"" + marker + "\" ]; do sleep 0.05; done; exit 5' TERM;"
                          " (trap 'echo term > \"" + marker + "\"; exit 0' TERM;"
                          "  sleep 300 & echo ready; wait) & wait");
  spec.kill_grace = 20s;
  run_result res = launch(r, spec);
  BOOST_REQUIRE(res.sink->wait_for_out("ready"));
  r.cancel(res.id);
  BOOST_REQUIRE(res.done->wait());
  BOOST_CHECK(res.done->outcome.end == process_end::cancelled);
  BOOST_CHECK_EQUAL(res.done->outcome.exit_code, 5);
  BOOST_CHECK_EQUAL(res.done->outcome.signal, 0);
}

BOOST_AUTO_TEST_CASE(cancel_kills_the_group_and_is_idempotent) {
  cluster::transport::process_reactor r;
  temp_dir dir;
  std::string pids = dir.file("pids");
  run_result res = launch(r, cmd("sleep 300 &" + record_bg(pids) + " echo ready; wait"));
  BOOST_REQUIRE(res.sink->wait_for_out("ready"));
  BOOST_CHECK_EQUAL(r.running(), 1u);
  r.cancel(res.id);
  r.cancel(res.id);
  BOOST_REQUIRE(res.done->wait());
  BOOST_CHECK(res.done->outcome.end == process_end::cancelled);
  BOOST_CHECK_EQUAL(res.done->outcome.signal, SIGTERM);
  require_all_dead(pids, 1);
  // Unknown and finished ids are no-ops; the reactor keeps working.
  r.cancel(res.id);
  r.cancel(987654321);
  run_result after;
  BOOST_CHECK_EQUAL(run(r, after, cmd("echo still-alive")).exit_code, 0);
  BOOST_CHECK_EQUAL(after.sink->out, "still-alive\n");
  BOOST_CHECK_EQUAL(res.done->calls, 1);
}

BOOST_AUTO_TEST_CASE(cancel_right_after_start_is_not_lost) {
  cluster::transport::process_reactor r;
  std::vector<run_result> runs;
  for (int i = 0; i < 10; ++i) {
    runs.push_back(launch(r, cmd("sleep 300")));
    r.cancel(runs.back().id); // Usually before the I/O thread has spawned it.
  }
  for (auto& run : runs) {
    BOOST_REQUIRE(run.done->wait());
    BOOST_CHECK(run.done->outcome.end == process_end::cancelled);
  }
  BOOST_CHECK_EQUAL(r.running(), 0u);
}

BOOST_AUTO_TEST_CASE(background_job_left_behind_is_killed) {
  cluster::transport::process_reactor r;
  temp_dir dir;
  std::string pids = dir.file("pids");
  run_result res;
  // The job holds stdout open: if it were not killed, the completion would
  // wait for the drain limit and the sleep would live on.
  auto o = run(r, res, cmd("sleep 300 &" + record_bg(pids) + " echo done"));
  BOOST_CHECK(o.end == process_end::exited);
  BOOST_CHECK_EQUAL(o.exit_code, 0);
  BOOST_CHECK_EQUAL(res.sink->out, "done\n");
  BOOST_CHECK_LT(o.duration.count(), 60'000); // Not the job's 300 s.
  require_all_dead(pids, 1);
}

BOOST_AUTO_TEST_CASE(setsid_escapee_survives_and_does_not_block_completion) {
  cluster::transport::process_reactor r;
  temp_dir dir;
  std::string pids = dir.file("pids");
  run_result res;
  // It leaves the group on purpose and still holds our stdout pipe. The
  // shell waits until it has its own session: exiting earlier would get it
  // killed as a member of our group, which is right but not this test.
  auto o = run(r, res, cmd("setsid sleep 300 &" + record_bg(pids) +
                           " until [ \"$(cut -d' ' -f6 /proc/$!/stat)\" = $! ]; do sleep 0.01; done;"
                           " echo done"));
  BOOST_CHECK(o.end == process_end::exited);
  BOOST_CHECK_EQUAL(res.sink->out, "done\n");
  BOOST_CHECK_LT(o.duration.count(), 60'000);
  auto procs = read_recorded(pids);
  BOOST_REQUIRE_EQUAL(procs.size(), 1u);
  BOOST_CHECK(!is_dead(procs[0]));
  ::kill(procs[0].pid, SIGKILL);
}

BOOST_AUTO_TEST_CASE(self_inflicted_signal_is_reported) {
  cluster::transport::process_reactor r;
  run_result res;
  auto o = run(r, res, cmd("echo before; kill -9 $$; echo after"));
  BOOST_CHECK(o.end == process_end::exited);
  BOOST_CHECK_EQUAL(o.exit_code, 137);
  BOOST_CHECK_EQUAL(o.signal, 9);
  BOOST_CHECK_EQUAL(res.sink->out, "before\n");
}

BOOST_AUTO_TEST_CASE(sigpipe_is_default_even_when_the_host_ignores_it) {
  struct sigaction ignore {}, previous{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  cluster::transport::process_reactor r;
  run_result res;
  auto o = run(r, res, cmd("yes | head -n 1 >/dev/null; echo ${PIPESTATUS[0]}"));
  ::sigaction(SIGPIPE, &previous, nullptr);
  BOOST_CHECK_EQUAL(o.exit_code, 0);
  BOOST_CHECK_EQUAL(res.sink->out, "141\n");
}

BOOST_AUTO_TEST_CASE(many_concurrent_processes_all_complete) {
  cluster::transport::process_reactor r;
  constexpr int n = 50;
  std::vector<run_result> runs;
  for (int i = 0; i < n; ++i)
    runs.push_back(launch(r, cmd("sleep 0.$((RANDOM % 3)); echo " + std::to_string(i) +
                                 "; exit " + std::to_string(i % 7))));
  for (int i = 0; i < n; ++i) {
    BOOST_REQUIRE(runs[i].done->wait());
    auto& o = runs[i].done->outcome;
    BOOST_CHECK(o.end == process_end::exited);
    BOOST_CHECK_EQUAL(o.exit_code, i % 7);
    BOOST_CHECK_EQUAL(runs[i].sink->out, std::to_string(i) + "\n");
  }
  BOOST_CHECK_EQUAL(r.running(), 0u);
  for (auto& run : runs)
    BOOST_CHECK_EQUAL(run.done->calls, 1);
}

BOOST_AUTO_TEST_CASE(throwing_callbacks_do_not_break_the_reactor) {
  struct throwing_sink : output_sink {
    void append(stream_kind, std::string_view) override { throw std::runtime_error("sink"); }
  };
  cluster::transport::process_reactor r;
  auto bad = std::make_shared<tracker>();
  r.start(cmd("echo x"), std::make_shared<throwing_sink>(),
          [bad](const process_outcome& o) {
            tracker::on(bad)(o);
            throw std::runtime_error("completion");
          });
  BOOST_REQUIRE(bad->wait());
  run_result res;
  BOOST_CHECK_EQUAL(run(r, res, cmd("echo ok")).exit_code, 0);
  BOOST_CHECK_EQUAL(res.sink->out, "ok\n");
}

BOOST_AUTO_TEST_CASE(destructor_cancels_running_processes) {
  temp_dir dir;
  std::string pids = dir.file("pids");
  std::vector<run_result> runs;
  {
    cluster::transport::process_reactor r;
    for (int i = 0; i < 5; ++i)
      runs.push_back(launch(r, cmd("sleep 300 &" + record_bg(pids) + " echo ready; wait")));
    for (auto& run : runs)
      BOOST_REQUIRE(run.sink->wait_for_out("ready"));
    // Some that may not even have been spawned yet.
    for (int i = 0; i < 5; ++i)
      runs.push_back(launch(r, cmd("sleep 300")));
    BOOST_CHECK_EQUAL(r.running(), 10u);
  }
  for (auto& run : runs) {
    BOOST_CHECK_EQUAL(run.done->calls, 1);
    BOOST_CHECK(run.done->outcome.end == process_end::cancelled);
  }
  require_all_dead(pids, 5);
}

BOOST_AUTO_TEST_SUITE_END()
