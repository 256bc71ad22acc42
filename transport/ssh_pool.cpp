#include "transport/ssh_pool.hpp"

#include "transport/shielded.hpp"

#include <algorithm>

#include <pwd.h>
#include <unistd.h>

namespace cluster::transport {

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string local_user() {
  const passwd* pw = ::getpwuid(::getuid());
  return pw != nullptr ? pw->pw_name : "root";
}

} // namespace

void ssh_pool::run_state::deliver(stream_kind kind, std::string_view bytes) {
  if (sink && !bytes.empty())
    shielded([&] { sink->append(kind, bytes); });
}

ssh_pool::ssh_pool(host& owner) : owner_(owner) {}

ssh_pool::~ssh_pool() = default;

ssh_pool::endpoint_pool& ssh_pool::pool_of(const std::string& key) { return pools_[key]; }

void ssh_pool::start(run_id id, time_point at, ssh_endpoint where, remote_spec spec,
                     std::shared_ptr<output_sink> sink, ssh_reactor::completion on_done) {
  auto r = std::make_unique<run_state>();
  r->id = id;
  r->started = at;
  r->sink = std::move(sink);
  r->on_done = std::move(on_done);
  if (where.user.empty())
    where.user = local_user(); // What ssh would do.
  const auto timeout = spec.timeout;
  r->deadline = timeout.count() > 0 && timeout < max_delay ? at + timeout : time_point::max();
  r->key = where.key();
  r->where = std::move(where);
  r->spec = std::move(spec);
  run_state& run = *r;
  runs_[id] = std::move(r);
  const auto now = steady::now();
  if (shutting_down_)
    return complete(run, not_run(process_end::cancelled, ssh_failure::none, "shutting down"), now);
  if (run.spec.command.find('\0') != std::string::npos ||
      run.spec.cwd.find('\0') != std::string::npos)
    return complete(run, not_run(process_end::spawn_failed, ssh_failure::none,
                                 "the command or working directory contains a NUL byte, "
                                 "which an SSH exec request cannot carry"),
                    now);
  if (run.where.address.empty())
    return complete(run, not_run(process_end::spawn_failed, ssh_failure::connection,
                                 "no address to reach " + describe_node(run.where)),
                    now);
  auto& p = pool_of(run.key);
  p.where = run.where;
  p.waiting.push_back(id);
  unscheduled_.insert(run.key);
}

void ssh_pool::cancel(run_id id) {
  auto it = runs_.find(id);
  if (it != runs_.end())
    stop(*it->second, process_end::cancelled, steady::now());
}

void ssh_pool::warm_up(ssh_endpoint where, ssh_reactor::ready_callback on_ready) {
  if (shutting_down_)
    return refuse_warm_up(std::move(on_ready));
  if (where.user.empty())
    where.user = local_user();
  const auto key = where.key();
  auto& p = pool_of(key);
  p.where = std::move(where);
  for (auto* c : p.connections) {
    if (c->ready() && c->primer != nullptr)
      return c->warm_waiters.push_back(std::move(on_ready));
    if (c->ready())
      return shielded([&] { on_ready(ssh_failure::none, {}); });
  }
  for (auto* c : p.connections)
    if (c->connecting())
      return c->warm_waiters.push_back(std::move(on_ready));
  open_connection(p, key);
  p.connections.back()->warm_waiters.push_back(std::move(on_ready));
}

void ssh_pool::connected(std::uint64_t id, opened_session opened) {
  auto it = connections_.find(id);
  if (it == connections_.end())
    return discard_session(opened.session, opened.socket, false);
  ssh_connection& c = *it->second;
  const auto now = steady::now();
  const auto failure = opened.failure;
  const std::string error = opened.error;
  c.adopt(std::move(opened), now);
  auto waiters = std::move(c.warm_waiters);
  c.warm_waiters.clear();
  const std::string key = c.pool_key;
  unscheduled_.insert(key);
  if (c.ready()) {
    established_.insert(id);
    owner_.connections_changed(++ready_count_);
    auto probe = std::make_unique<exec_channel>(std::string(), 0);
    probe->abandon(); // Open, then close: no command.
    c.primer = probe.get();
    c.channels.push_back(std::move(probe));
    c.warm_waiters = std::move(waiters); // Answered when the primer ends.
    dirty_.insert(id);
    return;
  }
  forget_connection(c);
  for (auto& w : waiters)
    shielded([&] { w(failure, error); });
  auto& p = pool_of(key);
  if (p.connections.empty())
    fail_waiting(p, failure, error, now);
  else
    p.cooldown_until = now + connect_cooldown;
}

void ssh_pool::schedule(endpoint_pool& p, time_point now) {
  while (!p.kills.empty()) {
    // A run that has ended must not be signalled: its group id is free
    // for reuse.
    if (runs_.count(p.kills.front().target) == 0) {
      p.kills.pop_front();
      continue;
    }
    ssh_connection* c = free_connection(p);
    if (c == nullptr)
      break;
    assign_kill(p.kills.front(), *c);
    p.kills.pop_front();
  }
  while (!p.waiting.empty()) {
    ssh_connection* c = free_connection(p);
    if (c == nullptr)
      break;
    auto it = runs_.find(p.waiting.front());
    p.waiting.pop_front();
    if (it != runs_.end())
      assign_run(*it->second, *c);
  }
  // Open as many connections as the queue needs, counting those on their
  // way: 25 queued runs at 10 channels each want 3, not 25.
  std::size_t pending = p.kills.size() + p.waiting.size();
  std::size_t connecting = 0, coming = 0;
  for (auto* c : p.connections) {
    if (c->connecting()) {
      ++connecting;
      coming += c->capacity;
    } else if (c->ready() && c->primer != nullptr) {
      ++coming; // Its slot frees as soon as the primer closes.
    }
  }
  const std::string key = p.where.key();
  while (pending > coming && connecting < max_connecting && now >= p.cooldown_until) {
    open_connection(p, key);
    ++connecting;
    coming += p.connections.back()->capacity;
  }
}

ssh_connection* ssh_pool::free_connection(endpoint_pool& p) {
  ssh_connection* best = nullptr;
  for (auto* c : p.connections)
    if (c->ready() && !c->worn_out() && c->channels.size() < c->capacity &&
        (best == nullptr || c->channels.size() < best->channels.size()))
      best = c;
  return best;
}

void ssh_pool::open_connection(endpoint_pool& p, const std::string& key) {
  const auto id = next_connection_++;
  auto c = std::make_unique<ssh_connection>(id, key, p.where);
  c->connect([&owner = owner_, id](opened_session s) { owner.connection_done(id, std::move(s)); });
  p.connections.push_back(c.get());
  connections_[id] = std::move(c);
}

void ssh_pool::assign_run(run_state& r, ssh_connection& c) {
  auto ch = std::make_unique<exec_channel>(remote_exec_string(r.spec.command, r.spec.cwd), r.id);
  ch->on_output = [this, id = r.id](stream_kind kind, std::string_view bytes) {
    on_output(id, kind, bytes);
  };
  r.conn = &c;
  r.channel = ch.get();
  c.channels.push_back(std::move(ch));
  dirty_.insert(c.id);
}

void ssh_pool::assign_kill(const kill_request& k, ssh_connection& c) {
  auto ch = std::make_unique<exec_channel>(group_kill_command(k.pgid, k.hard), 0);
  kill_channels_[ch.get()] = k;
  c.channels.push_back(std::move(ch));
  dirty_.insert(c.id);
}

void ssh_pool::on_output(run_id id, stream_kind kind, std::string_view bytes) {
  auto it = runs_.find(id);
  if (it == runs_.end())
    return;
  run_state& r = *it->second;
  if (kind == stream_kind::err)
    return r.deliver(kind, bytes);
  const bool had_pgid = r.marker.has_pgid();
  r.scratch.clear();
  r.marker.feed(bytes, r.scratch);
  r.deliver(kind, r.scratch);
  if (!had_pgid && r.marker.has_pgid() && r.stop_requested)
    attention_ = true; // A kill was waiting for this group id.
}

void ssh_pool::pump(ssh_connection& c, time_point now) {
  std::vector<ssh_connection::event> events;
  if (c.pump(buf_, events))
    dirty_.insert(c.id);
  for (auto& e : events)
    channel_ended(c, e, now);
}

void ssh_pool::channel_ended(ssh_connection& c, ssh_connection::event& e, time_point now) {
  exec_channel& ch = *e.channel;
  const bool refused = e.what == exec_channel::status::open_refused;
  unscheduled_.insert(c.pool_key); // A slot is free.
  if (refused) // sshd's MaxSessions is below ours: learn it.
    c.capacity = std::max<std::size_t>(1, c.channels.size());
  if (&ch == c.primer) {
    c.primer = nullptr;
    auto waiters = std::move(c.warm_waiters);
    c.warm_waiters.clear();
    for (auto& w : waiters)
      shielded([&] { w(ssh_failure::none, {}); });
    return;
  }
  if (auto kit = kill_channels_.find(&ch); kit != kill_channels_.end()) {
    kill_request k = kit->second;
    kill_channels_.erase(kit);
    if (refused || !ch.error().empty())
      requeue_kill(k, ch.error(), now);
    return;
  }
  auto it = runs_.find(ch.owner);
  if (ch.owner == 0 || it == runs_.end())
    return; // Nobody waits for it any more.
  run_state& r = *it->second;
  r.conn = nullptr;
  r.channel = nullptr;
  if (!refused)
    return finish(r, ch, now);
  if (c.channels.empty() || ++r.open_refusals >= max_open_refusals)
    return complete(r, not_run(process_end::spawn_failed, ssh_failure::connection,
                               describe_node(r.where) + " refused to open a session channel: " +
                                   ch.error()),
                    now);
  pool_of(r.key).waiting.push_front(r.id);
}

void ssh_pool::finish(run_state& r, const exec_channel& ch, time_point now) {
  r.scratch.clear();
  r.marker.finish(r.scratch);
  r.deliver(stream_kind::out, r.scratch);
  const std::string node = describe_node(r.where);
  remote_outcome o;
  o.end = r.reason;
  if (!ch.error().empty()) {
    o.end = r.stop_requested ? r.reason : process_end::spawn_failed;
    o.failure = ssh_failure::connection;
    o.error = node + ": " + ch.error();
    o.started = true;
    return complete(r, std::move(o), now);
  }
  if (!ch.exit_signal().empty()) {
    o.signal = signal_number(ch.exit_signal());
    o.exit_code = o.signal != 0 ? 128 + o.signal : -1;
    if (o.signal == 0)
      o.error = "killed by signal " + ch.exit_signal();
  } else {
    o.exit_code = ch.exit_status();
  }
  if (r.marker.complete() && !r.marker.cwd_ok()) {
    o = not_run(process_end::spawn_failed, ssh_failure::none,
                "cannot enter working directory '" + r.spec.cwd + "' on " + node + ": " +
                    r.marker.cwd_error());
  } else if (!r.marker.complete() && !r.stop_requested) {
    std::string how = o.signal ? "was killed by SIG" + ch.exit_signal()
                               : "exited with " + std::to_string(o.exit_code);
    o = not_run(process_end::spawn_failed, ssh_failure::none,
                "the command did not start on " + node + ": the login shell of '" + r.where.user +
                    "' " + how + " before running /bin/sh (see its stderr)");
  }
  complete(r, std::move(o), now);
}

void ssh_pool::complete(run_state& r, remote_outcome o, time_point now) {
  o.duration = std::chrono::duration_cast<milliseconds>(now - r.started);
  orphan(r);
  // A kill not yet sent must not go out: the group id is free for reuse.
  for (auto& [ch, k] : kill_channels_)
    if (k.target == r.id && !ch->exec_started())
      ch->abandon();
  auto done = std::move(r.on_done);
  runs_.erase(r.id); // r is gone from here on.
  if (done)
    shielded([&] { done(o); });
}

void ssh_pool::orphan(run_state& r) {
  if (r.channel != nullptr) {
    // The channel still holds a slot until it closes (sshd counts it), so
    // it stays with its connection, reporting to nobody.
    r.channel->owner = 0;
    r.channel->abandon();
    dirty_.insert(r.conn->id);
  }
  r.channel = nullptr;
  r.conn = nullptr;
}

} // namespace cluster::transport
