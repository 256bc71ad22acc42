#include "transport/ssh_reactor.hpp"

#include "transport/ssh_pool.hpp"

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <system_error>

#include <poll.h>
#include "transport/wakeup_fd.hpp"
#include <unistd.h>

namespace cluster::transport {

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// A start, cancel, warm-up or connector result on its way to the I/O thread.
struct command {
  enum class kind { start, cancel, warm, connected } what = kind::start;
  ssh_reactor::run_id id = 0;
  steady::time_point at;
  ssh_endpoint where;
  remote_spec spec;
  std::shared_ptr<output_sink> sink;
  ssh_reactor::completion on_done;
  ssh_reactor::ready_callback on_ready;
  std::uint64_t connection = 0;
  opened_session opened;
};

} // namespace

std::string ssh_endpoint::key() const {
  // Everything that decides which session we would get, nothing that only
  // tunes it; 0x1F cannot appear in a host name, user or path in practice.
  std::string k = user + '@' + address + ':' + std::to_string(port);
  for (const auto& part : {host_key_name, known_hosts_file,
                           std::string(policy == host_key_policy::strict ? "strict" : "accept-new")})
    k += '\x1f' + part;
  for (const auto& id : identity_files)
    k += '\x1f' + id;
  return k;
}

struct ssh_reactor::impl : ssh_pool::host {
  mutable std::mutex mtx;
  std::vector<command> queue;  // Guarded by mtx.
  bool stopping = false;       // Guarded by mtx.
  bool closed = false;         // Guarded by mtx: the I/O thread is gone.
  run_id next_id = 1;          // Guarded by mtx.
  std::atomic<std::size_t> open_connections{0};
  wakeup_fd wakeup;
  ssh_pool pool{*this};        // I/O thread only.
  std::thread io;

  void wake() {
    wakeup.notify();
  }

  void push(command cmd) {
    {
      std::lock_guard<std::mutex> lock(mtx);
      queue.push_back(std::move(cmd));
    }
    wake();
  }

  // ssh_pool::host: the connector threads report through the queue.
  void connection_done(std::uint64_t connection, opened_session opened) override {
    command cmd;
    cmd.what = command::kind::connected;
    cmd.connection = connection;
    cmd.opened = std::move(opened);
    push(std::move(cmd));
  }

  void connections_changed(std::size_t ready) override { open_connections = ready; }

  void handle(command& cmd) {
    switch (cmd.what) {
    case command::kind::start:
      pool.start(cmd.id, cmd.at, std::move(cmd.where), std::move(cmd.spec), std::move(cmd.sink),
                 std::move(cmd.on_done));
      break;
    case command::kind::cancel:
      pool.cancel(cmd.id);
      break;
    case command::kind::warm:
      pool.warm_up(std::move(cmd.where), std::move(cmd.on_ready));
      break;
    case command::kind::connected:
      pool.connected(cmd.connection, std::move(cmd.opened));
      break;
    }
  }

  void run() {
    std::vector<pollfd> fds;
    std::vector<std::uint64_t> owners;
    bool shutting_down = false;
    for (;;) {
      std::vector<command> batch;
      {
        std::lock_guard<std::mutex> lock(mtx);
        batch.swap(queue);
        if (stopping && !shutting_down) {
          shutting_down = true;
          pool.begin_shutdown(steady::now());
        }
      }
      for (auto& cmd : batch)
        handle(cmd);
      auto next = pool.turn(steady::now());
      if (shutting_down && pool.finished(steady::now()))
        break;
      fds.assign(1, pollfd{wakeup.fd(), POLLIN, 0});
      owners.assign(1, 0);
      pool.poll_set(fds, owners);
      int timeout = -1;
      if (next != steady::time_point::max()) {
        auto ms = std::chrono::ceil<milliseconds>(next - steady::now()).count();
        timeout = static_cast<int>(std::clamp<long long>(ms, 0, 60'000));
      }
      if (::poll(fds.data(), fds.size(), timeout) < 0)
        continue; // EINTR.
      if (fds[0].revents != 0)
        wakeup.clear();
      for (std::size_t i = 1; i < fds.size(); ++i)
        if (fds[i].revents != 0)
          pool.on_poll(owners[i], fds[i].revents);
    }
    shutdown();
  }

  void shutdown() {
    pool.close_all(); // Joins every connector thread: no more results come.
    for (;;) {
      std::vector<command> batch;
      {
        std::lock_guard<std::mutex> lock(mtx);
        closed = queue.empty();
        if (closed)
          return;
        batch.swap(queue);
      }
      for (auto& cmd : batch)
        pool.refuse(std::move(cmd.on_done), std::move(cmd.on_ready), std::move(cmd.opened));
    }
  }
};

ssh_reactor::ssh_reactor() : impl_(std::make_unique<impl>()) {
  impl_->io = std::thread([this] { impl_->run(); });
}

ssh_reactor::~ssh_reactor() {
  {
    std::lock_guard<std::mutex> lock(impl_->mtx);
    impl_->stopping = true;
  }
  impl_->wake();
  impl_->io.join();
}

ssh_reactor::run_id ssh_reactor::start(const ssh_endpoint& where, remote_spec spec,
                                       std::shared_ptr<output_sink> sink, completion on_done) {
  command cmd;
  cmd.what = command::kind::start;
  cmd.at = steady::now();
  cmd.where = where;
  cmd.spec = std::move(spec);
  cmd.sink = std::move(sink);
  cmd.on_done = std::move(on_done);
  run_id id;
  bool accepted = false;
  {
    std::lock_guard<std::mutex> lock(impl_->mtx);
    id = cmd.id = impl_->next_id++;
    if (!impl_->closed) {
      impl_->queue.push_back(std::move(cmd));
      accepted = true;
    }
  }
  if (accepted)
    impl_->wake();
  else // Only from a completion run during destruction, on the I/O thread.
    ssh_pool::refuse_run(std::move(cmd.on_done));
  return id;
}

void ssh_reactor::cancel(run_id id) {
  command cmd;
  cmd.what = command::kind::cancel;
  cmd.id = id;
  {
    std::lock_guard<std::mutex> lock(impl_->mtx);
    if (impl_->closed)
      return;
    impl_->queue.push_back(std::move(cmd));
  }
  impl_->wake();
}

void ssh_reactor::warm_up(const ssh_endpoint& where, ready_callback on_ready) {
  command cmd;
  cmd.what = command::kind::warm;
  cmd.where = where;
  cmd.on_ready = std::move(on_ready);
  bool accepted = false;
  {
    std::lock_guard<std::mutex> lock(impl_->mtx);
    if (!impl_->closed) {
      impl_->queue.push_back(std::move(cmd));
      accepted = true;
    }
  }
  if (accepted)
    impl_->wake();
  else
    ssh_pool::refuse_warm_up(std::move(cmd.on_ready));
}

std::size_t ssh_reactor::connections() const {
  return impl_->open_connections.load();
}

} // namespace cluster::transport
