#include "actors/mcp_gateway.hpp"

#include "actors/health_monitor.hpp"
#include "actors/mcp/tool_results.hpp"
#include "actors/mcp_gateway_state.hpp"
#include "actors/run_outcome.hpp"
#include "transport/log.hpp"
#include "transport/wall_clock.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <random>

namespace cluster::gateway {

namespace {

// Task ids must not collide across sessions and restarts: a random prefix
// per session plus a counter.
std::string random_prefix() {
  std::random_device rd;
  std::uniform_int_distribution<std::uint32_t> dist;
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08x", dist(rd));
  return buf;
}

// Request timeouts: the router always answers (its executors enforce the
// command deadline), so this only guards against a lost actor; it allows for
// time spent waiting for a slot.
constexpr auto queue_allowance = std::chrono::hours{1};

std::chrono::milliseconds call_deadline(const state& st,
                                        const run_request& req) {
  return effective_timeout(req, st.wiring.cfg) + 3 * st.wiring.cfg.kill_grace
         + queue_allowance;
}

void schedule_tick(pointer self) {
  auto& st = self->state;
  if (st.ticking)
    return;
  st.ticking = true;
  self->delayed_send(self, st.wiring.cfg.progress_interval, atom::tick_v);
}

void start_run(pointer self, mcp::tool_call call, call_in_flight entry,
               const std::function<void(caf::error&)>& on_error) {
  auto& st = self->state;
  auto request_id = call.request_id;
  call.run.task_id = new_task_id(st);
  call.run.submitter = "mcp";
  auto task_id = call.run.task_id;
  entry.task_ids.push_back(task_id);
  auto deadline = call_deadline(st, call.run);
  auto req = call.run;
  // A run not over by then is handed off as a task instead of failing the
  // call: clients give up on a call after about a minute.
  auto wait = call.wait_ms != 0 ? std::chrono::milliseconds{call.wait_ms}
                                : st.wiring.cfg.wait_default;
  auto with_progress = !call.progress_token.empty();
  entry.call = std::move(call);
  auto serial = add_call(st, std::move(entry));
  self->request(st.wiring.router, deadline, atom::run_v, std::move(req))
    .then(
      [self, request_id, serial, task_id](run_result& r) {
        // Handed off, the call may still await the journal's view of the
        // task: this result is better, and finish ignores a call answered.
        self->state.detached.erase(task_id);
        finish(self, request_id, serial, [&](const mcp::tool_call& c) {
          return self->state.session.run_reply(c, r);
        });
        answer_quiet_waiters(self);
      },
      on_error);
  self->delayed_send(self, wait, atom::tick_v, request_id);
  if (with_progress)
    schedule_tick(self);
}

void start_call(pointer self, mcp::tool_call call) {
  auto& st = self->state;
  auto request_id = call.request_id;
  if (st.calls.count(request_id) != 0) {
    // JSON-RPC ids must be unique among requests in flight.
    write(st, st.session.failure_reply(
                call, "request id " + request_id + " is already in use"));
    return;
  }
  call_in_flight entry;
  entry.started = clock_type::now();
  auto serial = st.next_serial + 1;  // what add_call will hand out
  auto on_error = [self, request_id, serial](caf::error& err) {
    auto text = "the runtime did not answer: " + to_string(err);
    finish(self, request_id, serial, [&](const mcp::tool_call& c) {
      return self->state.session.failure_reply(c, text);
    });
  };
  switch (call.what) {
    case mcp::tool_call::kind::run:
      if (call.background)
        start_background_run(self, std::move(call));
      else
        start_run(self, std::move(call), std::move(entry), on_error);
      break;
    case mcp::tool_call::kind::explain: {
      // Nothing runs, so there is no task to cancel and no deadline of the
      // command's; the router decides from what it holds, at once.
      auto req = call.run;
      entry.call = std::move(call);
      add_call(st, std::move(entry));
      self->request(st.wiring.router, st.wiring.cfg.status_timeout,
                    atom::explain_v, std::move(req))
        .then(
          [self, request_id, serial](placement_explanation& x) {
            finish(self, request_id, serial, [&](const mcp::tool_call& c) {
              return self->state.session.explain_reply(c, x);
            });
          },
          on_error);
      break;
    }
    case mcp::tool_call::kind::batch: {
      call.batch.batch_id = new_task_id(st);
      for (auto& item : call.batch.items)
        item.submitter = "mcp";
      // One cancel stops the whole batch in the router, items it has not
      // even expanded yet (a broadcast's) included.
      entry.task_ids.push_back(call.batch.batch_id);
      auto deadline = batch_deadline(call.batch, st.wiring.cfg,
                                     st.wiring.node_count);
      auto batch = call.batch;
      st.batches.emplace(batch.batch_id, request_id);
      entry.call = std::move(call);
      add_call(st, std::move(entry));
      auto listener = caf::actor_cast<progress_listener_actor>(self);
      self
        ->request(st.wiring.router, deadline, atom::run_v, std::move(batch),
                  listener)
        .then(
          [self, request_id, serial](batch_result& r) {
            finish(self, request_id, serial, [&](const mcp::tool_call& c) {
              return self->state.session.batch_reply(c, r);
            });
          },
          on_error);
      break;
    }
    case mcp::tool_call::kind::status: {
      auto refresh = call.refresh;
      entry.call = std::move(call);
      add_call(st, std::move(entry));
      auto timeout = st.wiring.cfg.status_timeout;
      // A refresh waits for every node's probe, each bounded by the status
      // timeout; the latest snapshot is at hand.
      auto snapshot_timeout = refresh ? snapshot_deadline(st.wiring.cfg)
                                      : timeout;
      self
        ->request(st.wiring.health, snapshot_timeout, atom::get_v,
                  atom::snapshot_v, refresh)
        .then(
          [self, request_id, serial, timeout, on_error](cluster_snapshot& snap) {
            self
              ->request(self->state.wiring.router, timeout, atom::get_v,
                        atom::ledger_v)
              .then(
                [self, request_id, serial, snap](slot_ledger& ledger) {
                  finish(self, request_id, serial,
                         [&](const mcp::tool_call& c) {
                           return self->state.session.status_reply(
                             c, snap, ledger, transport::unix_now_ms());
                         });
                },
                on_error);
          },
          on_error);
      break;
    }
    default:
      start_task_call(self, std::move(call));
      break;
  }
}

void cancel_call(pointer self, const std::string& request_id) {
  auto& st = self->state;
  auto i = st.calls.find(request_id);
  if (i == st.calls.end() || i->second.cancelled)
    return; // unknown or already finished: the spec says ignore
  i->second.cancelled = true;
  for (auto& task : i->second.task_ids)
    self->send(st.wiring.router, atom::cancel_v, task);
}

void progress_tick(pointer self) {
  auto& st = self->state;
  st.ticking = false;
  bool any = false;
  auto now = clock_type::now();
  for (auto& [id, c] : st.calls) {
    if (c.cancelled || c.call.progress_token.empty()
        || c.call.what != mcp::tool_call::kind::run)
      continue;
    any = true;
    auto elapsed = std::chrono::duration<double>(now - c.started).count();
    char msg[96];
    std::snprintf(msg, sizeof(msg), "running for %.1f s", elapsed);
    std::string text = msg;
    // Clients reset their timeouts on progress; the last line tells the
    // model what the command is doing.
    if (auto line = last_output_line(st, c.call.run.task_id); !line.empty())
      text += "; last output: " + line;
    write(st, st.session.progress_notification(c.call, elapsed, std::nullopt,
                                               text));
  }
  if (any)
    schedule_tick(self);
}

mcp_gateway_actor::behavior_type gateway(pointer self, gateway_wiring wiring) {
  auto& st = self->state;
  st.session = mcp::session{wiring.options};
  st.wiring = std::move(wiring);
  st.id_prefix = random_prefix();
  return {
    [=](atom::line, const std::string& line) {
      auto& st = self->state;
      auto in = st.session.handle(line);
      for (auto& reply : in.replies)
        write(st, std::move(reply));
      if (in.cancel_request)
        cancel_call(self, *in.cancel_request);
      if (in.call) {
        if (st.shutting_down)
          write(st, st.session.failure_reply(*in.call,
                                             "the server is shutting down"));
        else
          start_call(self, std::move(*in.call));
      }
    },
    [=](atom::shutdown) -> caf::result<atom::done> {
      auto& st = self->state;
      st.shutting_down = true;
      std::vector<std::string> ids;
      for (auto& [id, call] : st.calls)
        ids.push_back(id);
      for (auto& id : ids)
        cancel_call(self, id);
      // Nothing of this session outlives it unrecorded: its background
      // tasks end as cancelled, like its calls.
      for (auto& task : st.detached)
        self->send(st.wiring.router, atom::cancel_v, task);
      auto promise = self->make_response_promise<atom::done>();
      st.on_quiet.push_back(promise);
      answer_quiet_waiters(self);
      return promise;
    },
    [=](atom::progress, const batch_progress& p) {
      auto& st = self->state;
      auto b = st.batches.find(p.batch_id);
      if (b == st.batches.end())
        return;
      auto c = st.calls.find(b->second);
      if (c == st.calls.end() || c->second.cancelled
          || c->second.call.progress_token.empty())
        return;
      write(st, st.session.progress_notification(
                  c->second.call, p.done, static_cast<double>(p.total),
                  std::to_string(p.done) + " of " + std::to_string(p.total)
                    + " commands finished; last: #"
                    + std::to_string(p.index + 1)
                    + (p.node.empty() ? "" : " on " + p.node)
                    + (p.ok ? " succeeded" : " failed")));
    },
    [=](atom::tick) { progress_tick(self); },
    [=](atom::tick, const std::string& request_id) {
      call_timer(self, request_id);
    },
  };
}

} // namespace

void write(state& st, std::string line) {
  st.wiring.out->write(std::move(line));
}

void finish(pointer self, const std::string& request_id, std::uint64_t serial,
            const reply_fn& reply) {
  auto& st = self->state;
  auto i = st.calls.find(request_id);
  if (i == st.calls.end() || i->second.serial != serial)
    return;
  if (!i->second.cancelled)
    write(st, reply(i->second.call));
  if (i->second.call.what == mcp::tool_call::kind::batch)
    st.batches.erase(i->second.call.batch.batch_id);
  st.calls.erase(i);
  answer_quiet_waiters(self);
}

void answer_quiet_waiters(pointer self) {
  auto& st = self->state;
  if (!st.shutting_down || !st.calls.empty() || !st.detached.empty())
    return;
  for (auto& p : st.on_quiet)
    p.deliver(atom::done_v);
  st.on_quiet.clear();
}

std::string new_task_id(state& st) {
  return "t-" + st.id_prefix + "-" + std::to_string(++st.next_id);
}

std::uint64_t add_call(state& st, call_in_flight entry) {
  entry.serial = ++st.next_serial;
  auto serial = entry.serial;
  auto id = entry.call.request_id;
  st.calls.emplace(std::move(id), std::move(entry));
  return serial;
}

} // namespace cluster::gateway

namespace cluster {

mcp_gateway_actor spawn_mcp_gateway(caf::actor_system& sys,
                                    gateway_wiring wiring) {
  return sys.spawn(gateway::gateway, std::move(wiring));
}

} // namespace cluster
