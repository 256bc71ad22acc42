// The half of ssh_pool that reacts to time and trouble: deadlines and remote
// kills, lost connections, the per-turn work loop, and shutdown.

#include "transport/ssh_pool.hpp"

#include "transport/shielded.hpp"

#include <algorithm>

namespace cluster::transport {

namespace {

using steady = std::chrono::steady_clock;

} // namespace

void ssh_pool::stop(run_state& r, process_end why, time_point now) {
  if (r.stop_requested)
    return;
  r.stop_requested = true;
  r.reason = why;
  const std::string what = why == process_end::timed_out ? "timed out" : "cancelled";
  if (r.channel == nullptr) {
    auto& waiting = pool_of(r.key).waiting;
    waiting.erase(std::remove(waiting.begin(), waiting.end(), r.id), waiting.end());
    return complete(r, not_run(why, ssh_failure::none,
                               what + " before the command started on " + describe_node(r.where)),
                    now);
  }
  if (!r.channel->exec_started())
    return complete(r, not_run(why, ssh_failure::none,
                               what + " before the command started on " + describe_node(r.where)),
                    now);
  // Running: tick_run kills the group as soon as its id is known.
  r.give_up_at = now + std::min(r.spec.kill_grace, max_delay) + kill_confirm_limit;
  attention_ = true;
}

void ssh_pool::send_kill(run_state& r, bool hard) {
  pool_of(r.key).kills.push_back(kill_request{r.id, r.marker.pgid(), hard, 0});
  unscheduled_.insert(r.key);
}

void ssh_pool::tick_run(run_state& r, time_point now, time_point& next) {
  if (!r.stop_requested && now >= r.deadline) {
    const auto id = r.id;
    stop(r, process_end::timed_out, now);
    if (runs_.count(id) == 0)
      return;
  }
  if (!r.stop_requested) {
    next = std::min(next, r.deadline);
    return;
  }
  if (now >= r.give_up_at) {
    orphan(r);
    return complete(r,
                    not_run(r.reason, ssh_failure::connection,
                            "the remote process group on " + describe_node(r.where) +
                                (r.marker.has_pgid() ? " did not end after SIGKILL"
                                                     : " never reported its id, so it could "
                                                       "not be killed") +
                                "; it may still be running"),
                    now);
  }
  if (r.kills_sent == 0 && r.marker.has_pgid()) {
    // On shutdown there is no time for a grace period.
    const bool hard = shutting_down_ || r.spec.kill_grace.count() <= 0;
    send_kill(r, hard);
    r.kills_sent = hard ? 2 : 1;
    r.kill_at = now + std::min(r.spec.kill_grace, max_delay);
    r.give_up_at = std::max(r.give_up_at, r.kill_at + kill_confirm_limit);
  } else if (r.kills_sent == 1 && (now >= r.kill_at || shutting_down_)) {
    send_kill(r, true);
    r.kills_sent = 2;
  }
  if (r.kills_sent == 1)
    next = std::min(next, r.kill_at);
  next = std::min(next, r.give_up_at);
}

void ssh_pool::kill_undeliverable(const kill_request& k, const std::string& why, time_point now) {
  auto it = runs_.find(k.target);
  if (it == runs_.end())
    return;
  run_state& r = *it->second;
  auto o = not_run(r.reason, ssh_failure::connection,
                   "could not kill process group " + std::to_string(k.pgid) + " on " +
                       describe_node(r.where) + ": " + why + "; the command may still be running");
  o.started = true;
  complete(r, std::move(o), now);
}

void ssh_pool::requeue_kill(kill_request k, const std::string& why, time_point now) {
  auto it = runs_.find(k.target);
  if (it == runs_.end())
    return;
  if (++k.attempts >= max_kill_attempts)
    return kill_undeliverable(k, why, now);
  const std::string key = it->second->key;
  pool_of(key).kills.push_front(k);
  unscheduled_.insert(key);
}

void ssh_pool::fail_waiting(endpoint_pool& p, ssh_failure why, const std::string& error,
                            time_point now) {
  auto waiting = std::move(p.waiting);
  auto kills = std::move(p.kills);
  p.waiting.clear();
  p.kills.clear();
  for (auto id : waiting)
    if (auto it = runs_.find(id); it != runs_.end())
      complete(*it->second, not_run(process_end::spawn_failed, why, error), now);
  for (const auto& k : kills)
    kill_undeliverable(k, error, now);
}

void ssh_pool::forget_connection(ssh_connection& c) {
  auto& list = pool_of(c.pool_key).connections;
  list.erase(std::remove(list.begin(), list.end(), &c), list.end());
  dirty_.erase(c.id);
  if (established_.erase(c.id) != 0)
    owner_.connections_changed(--ready_count_);
  connections_.erase(c.id); // Frees the session (and with it its channels).
}

void ssh_pool::drop_connection(ssh_connection& c, time_point now) {
  const std::string node = describe_node(c.where);
  const std::string why = c.why_dead();
  const std::string key = c.pool_key;
  auto channels = std::move(c.channels);
  auto waiters = std::move(c.warm_waiters);
  forget_connection(c); // c is gone; `channels` only hold bookkeeping now.
  unscheduled_.insert(key);
  for (auto& ch : channels) {
    if (auto kit = kill_channels_.find(ch.get()); kit != kill_channels_.end()) {
      kill_request k = kit->second;
      kill_channels_.erase(kit);
      requeue_kill(k, why, now);
      continue;
    }
    auto it = runs_.find(ch->owner);
    if (ch->owner == 0 || it == runs_.end())
      continue;
    run_state& r = *it->second;
    r.conn = nullptr;
    r.channel = nullptr;
    // Nothing ran yet, so trying again on a new connection is safe (this is
    // how a run finds a restarted node).
    if (!ch->exec_started() && !r.requeued && !r.stop_requested) {
      r.requeued = true;
      pool_of(key).waiting.push_front(r.id);
      continue;
    }
    r.scratch.clear();
    r.marker.finish(r.scratch);
    r.deliver(stream_kind::out, r.scratch);
    auto o = not_run(r.stop_requested ? r.reason : process_end::spawn_failed,
                     ssh_failure::connection,
                     "connection to " + node + " lost while the command was running (" + why +
                         "); the remote command may still be running");
    o.started = true;
    complete(r, std::move(o), now);
  }
  for (auto& w : waiters)
    shielded([&] { w(ssh_failure::connection, why); });
}

ssh_pool::time_point ssh_pool::turn(time_point now) {
  attention_ = false;
  auto next = time_point::max();
  std::vector<run_id> ids;
  ids.reserve(runs_.size());
  for (const auto& [id, r] : runs_)
    ids.push_back(id);
  for (auto id : ids)
    if (auto it = runs_.find(id); it != runs_.end())
      tick_run(*it->second, now, next);

  for (auto& [key, p] : pools_) {
    if (!p.waiting.empty() || !p.kills.empty()) {
      unscheduled_.insert(key);
      if (p.cooldown_until > now)
        next = std::min(next, p.cooldown_until);
    }
  }
  auto keys = std::move(unscheduled_);
  unscheduled_.clear();
  for (const auto& key : keys)
    if (auto it = pools_.find(key); it != pools_.end())
      schedule(it->second, now);

  auto work = std::move(dirty_);
  dirty_.clear();
  for (auto id : work)
    if (auto it = connections_.find(id); it != connections_.end() && it->second->ready())
      pump(*it->second, now);

  std::vector<ssh_connection*> all;
  for (auto& [id, c] : connections_)
    all.push_back(c.get());
  for (auto* c : all) {
    if (c->ready() && c->worn_out() && c->channels.empty()) {
      c->close(true); // Retired: the next run opens a fresh one.
      forget_connection(*c);
      continue;
    }
    if (c->ready())
      next = std::min(next, c->tend(now));
    if (!c->why_dead().empty() && !c->connecting())
      drop_connection(*c, now);
  }
  // Pools with work only need a new turn when a connection can take it.
  for (auto it = unscheduled_.begin(); it != unscheduled_.end();) {
    auto& p = pool_of(*it);
    bool takeable = (!p.waiting.empty() || !p.kills.empty()) && now >= p.cooldown_until;
    it = takeable ? std::next(it) : unscheduled_.erase(it);
  }
  if (!dirty_.empty() || !unscheduled_.empty() || attention_)
    next = now;
  if (shutting_down_)
    next = std::min(next, shutdown_deadline_);
  return next;
}

void ssh_pool::poll_set(std::vector<pollfd>& fds, std::vector<std::uint64_t>& owners) const {
  for (const auto& [id, c] : connections_) {
    if (short events = c->poll_events(); events != 0) {
      fds.push_back(pollfd{c->socket(), events, 0});
      owners.push_back(id);
    }
  }
}

void ssh_pool::on_poll(std::uint64_t id, short revents) {
  auto it = connections_.find(id);
  if (it != connections_.end() && it->second->on_poll(revents))
    dirty_.insert(id);
}

void ssh_pool::begin_shutdown(time_point now) {
  shutting_down_ = true;
  shutdown_deadline_ = now + shutdown_grace;
  std::vector<run_id> ids;
  for (const auto& [id, r] : runs_)
    ids.push_back(id);
  for (auto id : ids)
    if (auto it = runs_.find(id); it != runs_.end())
      stop(*it->second, process_end::cancelled, now);
}

bool ssh_pool::finished(time_point now) const {
  return runs_.empty() || now >= shutdown_deadline_;
}

void ssh_pool::close_all() {
  const auto now = steady::now();
  while (!runs_.empty()) {
    run_state& r = *runs_.begin()->second;
    complete(r, not_run(process_end::cancelled, ssh_failure::none,
                        "the SSH reactor shut down before the remote process group on " +
                            describe_node(r.where) + " was confirmed dead"),
             now);
  }
  for (auto& [id, c] : connections_)
    c->abort_connect();
  for (auto& [id, c] : connections_) {
    for (auto& w : c->warm_waiters)
      shielded([&] { w(ssh_failure::connection, "the SSH reactor is shutting down"); });
    c->warm_waiters.clear();
    c->channels.clear();
    c->close(true);
  }
  connections_.clear(); // Joins the connector threads.
  kill_channels_.clear();
  pools_.clear();
  established_.clear();
  ready_count_ = 0;
  owner_.connections_changed(0);
}

void ssh_pool::refuse(ssh_reactor::completion on_done, ssh_reactor::ready_callback on_ready,
                      opened_session opened) {
  discard_session(opened.session, opened.socket, false);
  if (on_done)
    refuse_run(std::move(on_done));
  if (on_ready)
    refuse_warm_up(std::move(on_ready));
}

void ssh_pool::refuse_run(ssh_reactor::completion on_done) {
  if (on_done)
    shielded([&] {
      on_done(not_run(process_end::cancelled, ssh_failure::none, "the SSH reactor is shutting down"));
    });
}

void ssh_pool::refuse_warm_up(ssh_reactor::ready_callback on_ready) {
  if (on_ready)
    shielded([&] { on_ready(ssh_failure::connection, "the SSH reactor is shutting down"); });
}

} // namespace cluster::transport
