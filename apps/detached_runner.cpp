#include "apps/detached_runner.hpp"

#include "actors/mcp/json_rpc.hpp"
#include "apps/exit_codes.hpp"
#include "apps/journal_access.hpp"
#include "apps/one_shot.hpp"
#include "transport/log.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cluster {

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// The runner confirms the record this quickly, or says it could not.
constexpr auto record_deadline = 10s;
constexpr auto runner_poll = 20ms;

std::string trimmed_dir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/')
    dir.pop_back();
  return dir;
}

void tell(int fd, const std::string& line) {
  auto text = line + "\n";
  // The parent may be gone (killed while waiting): then nobody listens.
  [[maybe_unused]] auto n = ::write(fd, text.data(), text.size());
}

// The runner keeps nothing of its caller: not its terminal, not the pipe a
// `$(cluster-router submit --detach ...)` reads, or that would wait for the
// task. Only the log and the pipe to the parent remain.
void detach_descriptors(const std::string& log_path, int keep) {
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  int log = ::open(log_path.c_str(),
                   O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0)
    log = null;
  ::dup2(null, STDIN_FILENO);
  ::dup2(log, STDOUT_FILENO);
  ::dup2(log, STDERR_FILENO);
  if (keep > 3)
    ::close_range(3, static_cast<unsigned>(keep) - 1, 0);
  if (::close_range(static_cast<unsigned>(keep) + 1, ~0u, 0) != 0)
    for (int fd = keep + 1; fd < 65536; ++fd)
      ::close(fd);
}

// What the runtime's journal holds of the task: "" once it holds the record,
// "missing" while it does not, else why it cannot be used. Asked of the
// journal actor rather than read here: a second connection to the database
// in this process would do no good, and opening one (an open and close of
// the file) drops the POSIX locks of the first.
std::string recorded(caf::actor_system& sys, runtime& rt,
                     const std::string& id) {
  if (!rt.journal)
    return "the runtime keeps no journal";
  caf::scoped_actor self{sys};
  task_query q;
  q.id = id;
  q.limit = 1;
  std::string answer = "missing";
  self->request(rt.journal, runner_poll * 50, atom::get_v, q)
    .receive(
      [&](task_listing& l) {
        if (!l.error.empty())
          answer = l.error;
        else if (!l.tasks.empty() && l.tasks.front().id == id)
          answer.clear();
      },
      [&](caf::error&) {});
  return answer;
}

// The process that carries the task: a runtime of its own, the task run to
// its end, the parent told once the journal holds the record. Returns the
// exit status submit would have.
int run_detached(const cluster_config& conf, run_request req, int notify) {
  auto& cfg = conf.cfg;
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGHUP, SIG_IGN);
  // Blocked before any thread starts, so only the interrupt watch takes
  // them: `kill RUNNER` cancels the task like ^C cancels submit's.
  block_interrupts();
  transport::set_log_level(cfg.log);
  caf::actor_system_config caf_cfg;
  caf_cfg.add_message_types<caf::id_block::cluster>();
  caf::actor_system sys{caf_cfg};
  auto rt = spawn_one_shot_runtime(sys, conf);
  sample_before_routing(sys, rt, req);
  bool told = false;
  auto give_up = steady::now() + record_deadline;
  // The parent reports a failure: then the task must not run on unseen.
  auto refuse = [&](const std::string& why) {
    tell(notify, "error " + why);
    told = true;
    caf::anon_send(rt.router, atom::cancel_v, req.task_id);
  };
  auto confirm = [&] {
    if (told)
      return;
    auto answer = recorded(sys, rt, req.task_id);
    if (answer.empty()) {
      tell(notify, "admitted " + std::to_string(::getpid()));
      told = true;
    } else if (answer != "missing") {
      refuse("the task journal cannot be used: " + answer);
    } else if (steady::now() > give_up) {
      refuse("the journal did not record the task within "
             + std::to_string(record_deadline.count()) + " s");
    }
  };
  auto result = run_task(sys, rt, req, confirm, runner_poll);
  while (!told) {
    std::this_thread::sleep_for(runner_poll);
    confirm();
  }
  ::close(notify);
  // Writes what the journal still holds for the task, its end included.
  rt.shutdown();
  return exit_status(result);
}

// Reads the runner's one line; empty when it closed the pipe without one
// or did not answer within `wait`.
std::string read_answer(int fd, std::chrono::milliseconds wait) {
  std::string line;
  auto until = steady::now() + wait;
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      until - steady::now());
    if (left.count() <= 0)
      return {};
    pollfd p{fd, POLLIN, 0};
    auto ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0)
      return {};
    char buf[512];
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return {};
    line.append(buf, static_cast<std::size_t>(n));
  }
  return line.substr(0, line.find('\n'));
}

} // namespace

int submit_detached(const cluster_config& conf, router_invocation& inv) {
  auto& cfg = conf.cfg;
  {
    // A task nobody could look up would run unseen: refuse instead. The
    // connection is closed before the fork; the runner opens its own.
    if (!open_journal(cfg))
      return exit_code::journal;
  }
  auto& req = inv.request;
  req.task_id = new_task_id("c");
  req.submitter = "cli-detached";
  auto log_path = trimmed_dir(cfg.state_dir) + "/runner-" + req.task_id
                  + ".log";
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    std::cerr << "cluster-router: cannot start the runner: "
              << std::strerror(errno) << '\n';
    return exit_code::cluster_error;
  }
  // Nothing buffered may be written twice, by the parent and the runner.
  std::cout.flush();
  std::fflush(nullptr);
  auto child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    // A session of its own: no terminal, no ^C or hang-up from the shell.
    if (::setsid() < 0)
      ::_exit(1);
    auto runner = ::fork();
    if (runner != 0)
      ::_exit(runner < 0 ? 1 : 0);
    detach_descriptors(log_path, pipe_fds[1]);
    int rc = run_detached(conf, req, pipe_fds[1]);
    // The log says something only when something went wrong.
    struct stat st {};
    if (::stat(log_path.c_str(), &st) == 0 && st.st_size == 0)
      ::unlink(log_path.c_str());
    std::exit(rc);
  }
  ::close(pipe_fds[1]);
  if (child < 0) {
    ::close(pipe_fds[0]);
    std::cerr << "cluster-router: cannot start the runner: "
              << std::strerror(errno) << '\n';
    return exit_code::cluster_error;
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  auto answer = read_answer(pipe_fds[0], cfg.status_timeout + record_deadline
                                           + 5s);
  ::close(pipe_fds[0]);
  if (answer.rfind("admitted ", 0) != 0) {
    auto why = answer.rfind("error ", 0) == 0
                 ? answer.substr(6)
                 : std::string{"the runner stopped before the task was "
                               "recorded"};
    std::cerr << "cluster-router: task " << req.task_id << ": " << why
              << " (see " << log_path << ")\n";
    return exit_code::cluster_error;
  }
  if (inv.json) {
    mcp::json_writer json;
    json.begin_object();
    json.key("task_id").string(req.task_id);
    json.key("runner_pid").integer(std::stoll(answer.substr(9)));
    json.key("log").string(log_path);
    json.end_object();
    std::cout << json.str() << '\n';
  } else {
    std::cout << req.task_id << '\n';
    if (::isatty(STDERR_FILENO) == 1)
      std::cerr << "cluster-router: running detached; follow it with "
                   "'cluster-router status "
                << req.task_id << " --follow' or 'logs " << req.task_id
                << " --follow'\n";
  }
  return 0;
}

} // namespace cluster
