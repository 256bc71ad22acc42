#include "transport/process_reactor.hpp"

#include "transport/process_group.hpp"
#include "transport/shielded.hpp"
#include "transport/wakeup_fd.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cluster::transport {

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// A process that escaped with setsid may hold our pipes forever; this bounds
/// how long it can delay a completion once the shell is gone.
constexpr milliseconds drain_limit{500};
/// Exit polling cadence when pidfd_open is unavailable (kernels before 5.3).
constexpr milliseconds exit_poll{20};
/// Re-check cadence while killed group members finish dying.
constexpr milliseconds group_poll{10};
/// Longer delays mean "never"; the cap keeps time_point arithmetic in range.
constexpr milliseconds max_delay{1LL << 40};

/// A start or cancel request on its way to the I/O thread.
struct command {
  bool cancel = false;
  process_reactor::process_id id = 0;
  process_spec spec;
  std::shared_ptr<output_sink> sink;
  process_reactor::completion on_done;
};

/// One spawned group, owned by the I/O thread.
struct child {
  command req;
  pid_t pid = -1; // Also the process group id.
  int out = -1, err = -1, pidfd = -1;
  bool exit_ready = false;  // pidfd polled readable.
  bool leader_gone = false; // Shell reaped; only draining remains.
  bool term_sent = false;
  process_end reason = process_end::exited;
  int status = 0;
  bool have_status = false;
  steady::time_point started, deadline, kill_at, drain_until;
};

void complete(command& req, const process_outcome& outcome) {
  if (req.on_done)
    shielded([&] { req.on_done(outcome); });
}

process_outcome never_ran(process_end end, std::string error = {}) {
  process_outcome o;
  o.end = end;
  o.error = std::move(error);
  return o;
}

} // namespace

struct process_reactor::impl {
  mutable std::mutex mtx;
  std::vector<command> queue; // Guarded by mtx.
  bool stopping = false;      // Guarded by mtx.
  bool closed = false;        // Guarded by mtx: the I/O thread is gone.
  process_id next_id = 1;     // Guarded by mtx.
  std::atomic<std::size_t> running{0};
  wakeup_fd wakeup;
  std::map<process_id, child> children; // I/O thread only.
  std::vector<char> buf = std::vector<char>(64 * 1024);
  std::thread io;

  void wake() {
    wakeup.notify();
  }

  void fail(command& req, std::string why, steady::time_point t0) {
    auto o = never_ran(process_end::spawn_failed, std::move(why));
    o.duration = std::chrono::duration_cast<milliseconds>(steady::now() - t0);
    --running;
    complete(req, o);
  }

  void spawn(command& req) {
    auto t0 = steady::now();
    auto group = spawn_group(req.spec.command, req.spec.cwd);
    if (!group.error.empty())
      return fail(req, std::move(group.error), t0);
    child& c = children[req.id];
    c.pid = group.pid;
    c.out = group.out;
    c.err = group.err;
    c.pidfd = group.pidfd;
    c.started = group.started;
    const auto timeout = req.spec.timeout;
    c.deadline = timeout.count() > 0 && timeout < max_delay ? c.started + timeout
                                                            : steady::time_point::max();
    c.kill_at = steady::time_point::max();
    c.req = std::move(req);
  }

  /// Safe only before the leader is reaped: until then its pid cannot have
  /// been recycled into somebody else's process group id.
  void stop_group(child& c, process_end why, steady::time_point now) {
    c.reason = why;
    c.term_sent = true;
    c.kill_at = now + std::min(c.req.spec.kill_grace, max_delay);
    ::kill(-c.pid, SIGTERM);
    ::kill(-c.pid, SIGCONT); // A stopped process would sit on the TERM.
  }

  void cancel(process_id id) {
    auto it = children.find(id);
    if (it != children.end() && !it->second.leader_gone && !it->second.term_sent)
      stop_group(it->second, process_end::cancelled, steady::now());
  }

  /// Reads what is there now; a bounded number of chunks keeps one chatty
  /// process from starving the others (poll is level-triggered).
  void pump(child& c, int& fd, stream_kind kind) {
    for (int i = 0; fd >= 0 && i < 16; ++i) {
      ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n > 0 && c.req.sink)
        shielded([&] { c.req.sink->append(kind, {buf.data(), std::size_t(n)}); });
      else if (n < 0 && errno == EAGAIN)
        return;
      else if (n == 0 || (n < 0 && errno != EINTR))
        close_fd(fd);
    }
  }

  /// The shell is a zombie now, which pins its pgid: kill what is left of
  /// the group first, then reap.
  void on_leader_exit(child& c, steady::time_point now) {
    ::kill(-c.pid, SIGKILL);
    int st = 0;
    pid_t r;
    do
      r = ::waitpid(c.pid, &st, 0);
    while (r < 0 && errno == EINTR);
    c.have_status = r == c.pid;
    c.status = st;
    c.leader_gone = true;
    c.drain_until = now + drain_limit;
    close_fd(c.pidfd);
  }

  /// Peeks without reaping (WNOWAIT), so on_leader_exit can still use the pgid.
  bool leader_exited(child& c) {
    siginfo_t si{};
    if (::waitid(P_PID, c.pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
      return errno == ECHILD; // The host reaped it (e.g. SIGCHLD ignored).
    return si.si_pid == c.pid;
  }

  void finish(child& c) {
    pump(c, c.out, stream_kind::out);
    pump(c, c.err, stream_kind::err);
    close_fd(c.out);
    close_fd(c.err);
    close_fd(c.pidfd);
    process_outcome o;
    o.end = c.reason;
    if (c.have_status && WIFEXITED(c.status)) {
      o.exit_code = WEXITSTATUS(c.status);
    } else if (c.have_status && WIFSIGNALED(c.status)) {
      o.signal = WTERMSIG(c.status);
      o.exit_code = 128 + o.signal;
    }
    o.duration = std::chrono::duration_cast<milliseconds>(steady::now() - c.started);
    --running;
    complete(c.req, o);
  }

  /// Advances every child's state machine; returns when poll should wake.
  steady::time_point tick() {
    auto now = steady::now();
    auto next = steady::time_point::max();
    for (auto it = children.begin(); it != children.end();) {
      child& c = it->second;
      if (!c.leader_gone && (c.pidfd < 0 || c.exit_ready) && leader_exited(c))
        on_leader_exit(c, now);
      if (!c.leader_gone) {
        if (!c.term_sent && now >= c.deadline)
          stop_group(c, process_end::timed_out, now);
        if (c.term_sent && now >= c.kill_at) {
          ::kill(-c.pid, SIGKILL);
          c.kill_at = steady::time_point::max();
        }
        next = std::min({next, c.term_sent ? c.kill_at : c.deadline,
                         c.pidfd < 0 ? now + exit_poll : next});
      } else {
        bool pipes_closed = c.out < 0 && c.err < 0;
        if (now >= c.drain_until || (pipes_closed && !group_alive(c.pid))) {
          finish(c);
          it = children.erase(it);
          continue;
        }
        next = std::min(next, pipes_closed ? now + group_poll : c.drain_until);
      }
      ++it;
    }
    return next;
  }

  void run() {
    std::vector<pollfd> fds;
    std::vector<std::pair<child*, int>> owners; // Slot 0: out, 1: err, 2: pidfd.
    for (;;) {
      std::vector<command> batch;
      {
        std::lock_guard<std::mutex> lock(mtx);
        if (stopping)
          break;
        batch.swap(queue);
      }
      for (auto& cmd : batch)
        cmd.cancel ? cancel(cmd.id) : spawn(cmd);
      auto next = tick();
      fds.assign(1, pollfd{wakeup.fd(), POLLIN, 0});
      owners.assign(1, {nullptr, 0});
      for (auto& [id, c] : children) {
        int slots[] = {c.out, c.err, c.leader_gone ? -1 : c.pidfd};
        for (int s = 0; s < 3; ++s) {
          if (slots[s] >= 0) {
            fds.push_back(pollfd{slots[s], POLLIN, 0});
            owners.emplace_back(&c, s);
          }
        }
      }
      int timeout = -1;
      if (next != steady::time_point::max()) {
        auto ms = std::chrono::ceil<milliseconds>(next - steady::now()).count();
        timeout = static_cast<int>(std::clamp<long long>(ms, 0, 60'000));
      }
      if (::poll(fds.data(), fds.size(), timeout) < 0)
        continue; // EINTR; nothing else is expected from a valid set.
      if (fds[0].revents != 0)
        wakeup.clear();
      for (std::size_t i = 1; i < fds.size(); ++i) {
        auto [c, slot] = owners[i];
        if (fds[i].revents == 0)
          continue;
        if (slot == 2)
          c->exit_ready = true;
        else
          pump(*c, slot == 0 ? c->out : c->err, slot == 0 ? stream_kind::out : stream_kind::err);
      }
    }
    shutdown();
  }

  void shutdown() {
    for (auto& [id, c] : children) {
      if (!c.leader_gone) {
        c.reason = process_end::cancelled;
        ::kill(-c.pid, SIGKILL);
      }
    }
    // SIGKILL is prompt, but a process stuck in uninterruptible sleep is
    // not; leave it behind rather than hang the destructor.
    auto give_up = steady::now() + std::chrono::seconds(2);
    for (auto& [id, c] : children) {
      // Once no member is alive, the leader is a zombie and reaps at once.
      while (group_alive(c.pid) && steady::now() < give_up)
        std::this_thread::sleep_for(milliseconds(2));
      if (!c.leader_gone) {
        int st = 0;
        c.have_status = ::waitpid(c.pid, &st, WNOHANG) == c.pid;
        c.status = st;
      }
      finish(c);
    }
    children.clear();
    // Completions may have called start(); refuse those rather than lose them.
    for (;;) {
      std::vector<command> batch;
      {
        std::lock_guard<std::mutex> lock(mtx);
        closed = queue.empty();
        if (closed)
          return;
        batch.swap(queue);
      }
      for (auto& cmd : batch) {
        if (!cmd.cancel) {
          --running;
          complete(cmd, never_ran(process_end::cancelled));
        }
      }
    }
  }
};

process_reactor::process_reactor() : impl_(std::make_unique<impl>()) {
  impl_->io = std::thread([this] { impl_->run(); });
}

process_reactor::~process_reactor() {
  {
    std::lock_guard<std::mutex> lock(impl_->mtx);
    impl_->stopping = true;
  }
  impl_->wake();
  impl_->io.join();
}

process_reactor::process_id process_reactor::start(process_spec spec,
                                                   std::shared_ptr<output_sink> sink,
                                                   completion on_done) {
  command cmd{false, 0, std::move(spec), std::move(sink), std::move(on_done)};
  process_id id;
  bool accepted = false;
  {
    std::lock_guard<std::mutex> lock(impl_->mtx);
    id = cmd.id = impl_->next_id++;
    if (!impl_->closed) {
      ++impl_->running;
      impl_->queue.push_back(std::move(cmd));
      accepted = true;
    }
  }
  if (accepted)
    impl_->wake();
  else // Only from a completion run by the destructor, i.e. on the I/O thread.
    complete(cmd, never_ran(process_end::cancelled));
  return id;
}

void process_reactor::cancel(process_id id) {
  {
    std::lock_guard<std::mutex> lock(impl_->mtx);
    if (impl_->closed)
      return;
    impl_->queue.push_back(command{true, id, {}, {}, {}});
  }
  impl_->wake();
}

std::size_t process_reactor::running() const {
  return impl_->running.load();
}

} // namespace cluster::transport
