// The task tools of the MCP gateway, and the hand-off of a run that outlives
// its call: everything here looks tasks up in the journal, so it works for
// tasks of other sessions and of cluster-router processes alike.

#include "actors/mcp/task_results.hpp"
#include "actors/mcp/tool_results.hpp"
#include "actors/mcp_gateway_state.hpp"
#include "actors/run_outcome.hpp"
#include "actors/utf8.hpp"
#include "transport/log.hpp"
#include "transport/spool_reader.hpp"
#include "transport/task_journal.hpp"
#include "transport/wall_clock.hpp"

#include <unistd.h>

namespace cluster::gateway {

namespace {

using namespace std::chrono_literals;

// How often a waiting task_status looks again, and how long task_cancel
// waits for the task to end before it answers "cancel requested".
constexpr auto poll_interval = 250ms;
constexpr auto cancel_wait = 5s;
// Bytes of each stream a running task's answer shows.
constexpr std::uint32_t tail_bytes = 4096;

using record_fn = std::function<void(task_record&)>;

void fail_call(pointer self, const std::string& request_id,
               std::uint64_t serial, const std::string& text) {
  finish(self, request_id, serial, [&](const mcp::tool_call& c) {
    return self->state.session.failure_reply(c, text);
  });
}

// The end of a spool file as text, from a character boundary.
std::string spool_tail(const std::string& path, std::uint32_t count) {
  if (path.empty())
    return {};
  auto b = transport::read_spool_tail(path, count);
  if (!b.error.empty())
    return {};
  std::string_view v{b.bytes};
  v.remove_prefix(utf8_suffix_boundary(v));
  return sanitize_utf8(v);
}

// The journal has a running task's tails only once it ends; until then they
// come from the spool.
void fill_tails(task_record& t) {
  if (is_final(t.state))
    return;
  t.stdout_tail = spool_tail(t.stdout_path, tail_bytes);
  t.stderr_tail = spool_tail(t.stderr_path, tail_bytes);
}

void reply_task(pointer self, const std::string& request_id,
                std::uint64_t serial, task_record t,
                const std::string& headline) {
  fill_tails(t);
  finish(self, request_id, serial, [&](const mcp::tool_call& c) {
    return self->state.session.tool_reply(c, [&](mcp::json_writer& w) {
      mcp::write_task_result(w, t, headline, transport::unix_now_ms());
    });
  });
}

// Asks the journal for `query`; hands the records to `then`, or answers the
// call with what went wrong.
void ask_journal(pointer self, const std::string& request_id,
                 std::uint64_t serial, task_query query,
                 std::function<void(std::vector<task_record>&)> then) {
  auto& st = self->state;
  if (!st.wiring.journal) {
    fail_call(self, request_id, serial,
              "this server keeps no task journal (no state directory), so "
              "it cannot look tasks up");
    return;
  }
  self
    ->request(st.wiring.journal, st.wiring.cfg.status_timeout, atom::get_v,
              std::move(query))
    .then(
      [=](task_listing& l) {
        if (!l.error.empty())
          fail_call(self, request_id, serial,
                    "the task journal is unavailable: " + l.error);
        else
          then(l.tasks);
      },
      [=](caf::error& err) {
        fail_call(self, request_id, serial,
                  "the task journal did not answer: " + to_string(err));
      });
}

// One task by id or unique prefix.
void with_task(pointer self, const std::string& request_id,
               std::uint64_t serial, const std::string& id, record_fn then) {
  task_query q;
  q.id = id;
  q.limit = 1;
  ask_journal(self, request_id, serial, std::move(q),
              [=](std::vector<task_record>& tasks) {
                if (tasks.empty())
                  fail_call(self, request_id, serial,
                            "no task " + id + " (task_list shows recent tasks)");
                else
                  then(tasks.front());
              });
}

// task_status and task_cancel: answer once the task is final or the call's
// deadline has passed; until then look again every poll interval.
void look(pointer self, const std::string& request_id) {
  auto& st = self->state;
  auto i = st.calls.find(request_id);
  if (i == st.calls.end() || i->second.cancelled)
    return;
  auto serial = i->second.serial;
  auto what = i->second.call.what;
  with_task(self, request_id, serial, i->second.call.task_id,
            [=](task_record& t) {
              auto& st = self->state;
              auto c = st.calls.find(request_id);
              if (c == st.calls.end() || c->second.serial != serial)
                return;
              if (!is_final(t.state) && clock_type::now() < c->second.deadline) {
                self->delayed_send(self, poll_interval, atom::tick_v,
                                   request_id);
                return;
              }
              std::string headline = "task " + t.id + " " + to_string(t.state);
              if (what == mcp::tool_call::kind::task_cancel)
                headline = is_final(t.state)
                             ? "task " + t.id + " is " + to_string(t.state)
                             : "cancel requested for task " + t.id
                                 + "; it has not ended yet";
              reply_task(self, request_id, serial, t, headline);
            });
}

void cancel_task(pointer self, const std::string& request_id,
                 std::uint64_t serial, task_record& t) {
  auto& st = self->state;
  if (is_final(t.state)) {
    reply_task(self, request_id, serial, t,
               "task " + t.id + " already " + to_string(t.state)
                 + "; nothing to cancel");
    return;
  }
  if (t.owner_pid == static_cast<std::int32_t>(::getpid()))
    self->send(st.wiring.router, atom::cancel_v, t.id);
  else
    // Another process runs it: it polls the journal for requests.
    self->send(st.wiring.journal, atom::cancel_v, t.id);
  auto c = st.calls.find(request_id);
  if (c != st.calls.end())
    c->second.deadline = clock_type::now() + cancel_wait;
  self->delayed_send(self, poll_interval, atom::tick_v, request_id);
}

void read_output(pointer self, const std::string& request_id,
                 std::uint64_t serial, const mcp::output_request& out,
                 task_record& t) {
  auto& path = out.stderr_stream ? t.stderr_path : t.stdout_path;
  if (path.empty()) {
    fail_call(self, request_id, serial,
              "task " + t.id + " has no spooled output (its process kept no "
              "state directory); its result carried the output tails");
    return;
  }
  auto bytes = out.tail != 0 ? transport::read_spool_tail(path, out.tail)
                             : transport::read_spool(path, out.offset,
                                                     out.limit);
  if (!bytes.error.empty()) {
    fail_call(self, request_id, serial,
              "cannot read the output of task " + t.id + ": " + bytes.error);
    return;
  }
  auto page = mcp::make_output_page(t, out, bytes);
  finish(self, request_id, serial, [&](const mcp::tool_call& c) {
    return self->state.session.tool_reply(c, [&](mcp::json_writer& w) {
      mcp::write_output_page_result(w, page);
    });
  });
}

// A run still going when its wait ended: answer with the task, keep it.
void hand_off(pointer self, call_in_flight& c) {
  auto& st = self->state;
  auto wait = c.call.wait_ms != 0 ? std::chrono::milliseconds{c.call.wait_ms}
                                  : st.wiring.cfg.wait_default;
  // A timer of an earlier call with the same request id: not this call's.
  if (clock_type::now() - c.started + 5ms < wait)
    return;
  auto request_id = c.call.request_id;
  auto serial = c.serial;
  auto task_id = c.call.run.task_id;
  st.detached.insert(task_id);
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait).count();
  auto headline = "still running after " + std::to_string(seconds)
                  + " s; it goes on (nothing was killed)";
  task_record known;
  known.id = task_id;
  known.command = c.call.run.command;
  known.submitter = "mcp";
  known.state = task_state::running;
  auto spool = st.wiring.cfg.state_dir.empty()
                 ? std::string{}
                 : transport::spool_prefix(st.wiring.cfg.state_dir, task_id);
  if (!spool.empty()) {
    known.stdout_path = spool + ".out";
    known.stderr_path = spool + ".err";
  }
  if (!st.wiring.journal) {
    reply_task(self, request_id, serial, known, headline);
    return;
  }
  task_query q;
  q.id = task_id;
  self->request(st.wiring.journal, st.wiring.cfg.status_timeout, atom::get_v, q)
    .then(
      [=](task_listing& l) mutable {
        reply_task(self, request_id, serial,
                   l.tasks.empty() ? known : l.tasks.front(), headline);
      },
      [=](caf::error&) { reply_task(self, request_id, serial, known, headline); });
}

} // namespace

void start_task_call(pointer self, mcp::tool_call call) {
  auto& st = self->state;
  call_in_flight entry;
  entry.started = clock_type::now();
  entry.deadline = entry.started + std::chrono::milliseconds{call.wait_ms};
  auto request_id = call.request_id;
  auto what = call.what;
  auto id = call.task_id;
  auto query = call.query;
  auto output = call.output;
  entry.call = std::move(call);
  auto serial = add_call(st, std::move(entry));
  switch (what) {
    case mcp::tool_call::kind::task_status:
      look(self, request_id);
      break;
    case mcp::tool_call::kind::task_output:
      with_task(self, request_id, serial, id, [=](task_record& t) {
        read_output(self, request_id, serial, output, t);
      });
      break;
    case mcp::tool_call::kind::task_cancel:
      with_task(self, request_id, serial, id, [=](task_record& t) {
        cancel_task(self, request_id, serial, t);
      });
      break;
    default:
      ask_journal(self, request_id, serial, query,
                  [=](std::vector<task_record>& tasks) {
                    for (auto& t : tasks)
                      fill_tails(t);
                    finish(self, request_id, serial,
                           [&](const mcp::tool_call& c) {
                             return self->state.session.tool_reply(
                               c, [&](mcp::json_writer& w) {
                                 mcp::write_task_list_result(
                                   w, tasks, transport::unix_now_ms());
                               });
                           });
                  });
      break;
  }
}

void start_background_run(pointer self, mcp::tool_call call) {
  auto& st = self->state;
  call.run.task_id = new_task_id(st);
  call.run.submitter = "mcp";
  auto task_id = call.run.task_id;
  st.detached.insert(task_id);
  auto deadline = effective_timeout(call.run, st.wiring.cfg)
                  + 3 * st.wiring.cfg.kill_grace + std::chrono::hours{1};
  self->request(st.wiring.router, deadline, atom::run_v, call.run)
    .then(
      [self, task_id](run_result&) {
        self->state.detached.erase(task_id);
        answer_quiet_waiters(self);
      },
      [self, task_id](caf::error& err) {
        transport::log(log_level::warning, "background task ", task_id,
                       ": the runtime did not answer: ", to_string(err));
        self->state.detached.erase(task_id);
        answer_quiet_waiters(self);
      });
  task_record t;
  t.id = task_id;
  t.command = call.run.command;
  t.needs = call.run.needs;
  t.requested_node = call.run.node;
  t.cwd = call.run.cwd;
  t.submitter = "mcp";
  t.owner_pid = static_cast<std::int32_t>(::getpid());
  t.created_ms = transport::unix_now_ms();
  std::string headline = "started task " + task_id + " in the background";
  if (!st.wiring.journal)
    headline += " (this server keeps no task journal: the task tools cannot "
                "follow it)";
  write(st, st.session.tool_reply(call, [&](mcp::json_writer& w) {
    mcp::write_task_result(w, t, headline, t.created_ms);
  }));
}

void call_timer(pointer self, const std::string& request_id) {
  auto& st = self->state;
  auto i = st.calls.find(request_id);
  if (i == st.calls.end() || i->second.cancelled)
    return;
  if (i->second.call.what == mcp::tool_call::kind::run)
    hand_off(self, i->second);
  else
    look(self, request_id);
}

std::string last_output_line(const state& st, const std::string& task_id) {
  if (st.wiring.cfg.state_dir.empty() || !st.wiring.journal)
    return {};
  auto text = spool_tail(
    transport::spool_prefix(st.wiring.cfg.state_dir, task_id) + ".out", 1024);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  auto start = text.find_last_of('\n');
  auto line = start == std::string::npos ? text : text.substr(start + 1);
  constexpr std::size_t most = 200;
  if (line.size() > most)
    line = line.substr(0, utf8_prefix_boundary(std::string_view{line}.substr(0, most)))
           + "...";
  return line;
}

} // namespace cluster::gateway
