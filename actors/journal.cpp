#include "actors/journal.hpp"

#include "actors/utf8.hpp"
#include "transport/log.hpp"
#include "transport/task_journal.hpp"
#include "transport/wall_clock.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include <unistd.h>

namespace cluster {

namespace {

using steady = std::chrono::steady_clock;

// Cancel requests are polled: a person typing `cancel` waits at most this.
constexpr auto tick_interval = std::chrono::seconds{1};
// Reaping and trimming scan the table; once a minute is plenty.
constexpr auto maintenance_interval = std::chrono::seconds{60};
// A failed write may be a passing lock or a full disk that someone clears;
// this many in a row, and the journal counts as broken.
constexpr int failures_before_broken = 3;

// Bytes of each stream a finished task's record keeps.
constexpr std::size_t tail_limit = 64 * 1024;

// Cuts `text` to its last tail_limit bytes, from a character boundary.
void keep_tail(std::string& text) {
  if (text.size() <= tail_limit)
    return;
  std::string_view tail{text};
  tail.remove_prefix(text.size() - tail_limit);
  tail.remove_prefix(utf8_suffix_boundary(tail));
  text = std::string{tail};
}

struct journal_state {
  static inline const char* name = "journal";
  std::string state_dir;
  transport::journal_retention keep;
  std::unique_ptr<transport::task_journal> db;
  /// Non-empty: the journal is unusable, and every answer says why.
  std::string broken;
  int failures = 0;          // consecutive failed operations
  bool reopen = false;       // a failure asked for a fresh connection
  steady::time_point next_open{};
  steady::time_point next_maintenance{};  // epoch: due at the first tick
  router_actor router;
  /// Cancel requests already sent to the router, so each goes once.
  std::set<std::string> forwarded;
};

using journal_pointer = journal_actor::stateful_pointer<journal_state>;

void mark_broken(journal_state& st, const std::string& why) {
  if (st.broken != why)
    transport::log(log_level::warning, "task journal unusable: ", why,
                   "; commands still run but are not recorded");
  st.broken = why;
  st.db.reset();
  st.reopen = false;
  st.next_open = steady::now() + maintenance_interval;
}

void open(journal_state& st) {
  st.db.reset();
  try {
    st.db = std::make_unique<transport::task_journal>(st.state_dir, st.keep);
  } catch (const std::exception& e) {
    mark_broken(st, e.what());
    return;
  }
  if (!st.broken.empty())
    transport::log(log_level::info, "task journal usable again: ",
                   st.db->path());
  st.broken.clear();
  st.reopen = false;
}

// Runs `fn` on the open journal; a failure is logged, answered with a
// reopen on the next tick, and breaks the journal only when it persists.
template <class F>
void guarded(journal_state& st, const char* doing, F fn) {
  if (!st.db)
    return;
  try {
    fn(*st.db);
    st.failures = 0;
  } catch (const std::exception& e) {
    if (++st.failures >= failures_before_broken) {
      mark_broken(st, e.what());
      return;
    }
    transport::log(log_level::warning, "task journal: cannot ", doing, ": ",
                   e.what());
    st.reopen = true;
  }
}

void forward_cancels(journal_pointer self) {
  auto& st = self->state;
  if (!st.router)
    return;
  guarded(st, "read cancel requests", [&](transport::task_journal& db) {
    std::set<std::string> asked;
    for (auto& id : db.cancel_requests(static_cast<std::int32_t>(::getpid()))) {
      if (st.forwarded.count(id) == 0) {
        transport::log(log_level::info, "task journal: cancelling ", id,
                       " as another process asked");
        self->send(st.router, atom::cancel_v, id);
      }
      asked.insert(id);
    }
    // A task that ended leaves the set; the set never grows without bound.
    st.forwarded = std::move(asked);
  });
}

void maintain(journal_state& st) {
  guarded(st, "mark lost tasks and trim", [](transport::task_journal& db) {
    auto now = transport::unix_now_ms();
    if (auto n = db.reap_lost(now); n > 0)
      transport::log(log_level::info, "task journal: ", n,
                     " task(s) of exited processes marked lost");
    db.trim(now);
  });
}

task_listing answer(journal_state& st, const task_query& q) {
  task_listing out;
  if (!st.db) {
    out.error = st.broken;
    return out;
  }
  // Reads do not count as failures: a bad prefix or state is the caller's.
  try {
    if (q.id.empty()) {
      out.tasks = st.db->list(q);
    } else if (auto r = st.db->find(q.id)) {
      out.tasks.push_back(std::move(*r));
    }
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

journal_actor::behavior_type journal(journal_pointer self, std::string dir,
                                     transport::journal_retention keep) {
  auto& st = self->state;
  st.state_dir = std::move(dir);
  st.keep = keep;
  if (st.state_dir.empty())
    mark_broken(st, "no state directory configured");
  else
    open(st);
  self->send(self, atom::tick_v);
  // The runtime stops the journal last: whatever of this process is still
  // unfinished now was killed with its executors, and says so.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    guarded(self->state, "record the tasks this process leaves",
            [](transport::task_journal& db) {
              db.end_all_of(static_cast<std::int32_t>(::getpid()),
                            task_state::cancelled,
                            "the process that ran it exited before it ended",
                            transport::unix_now_ms());
            });
    self->quit(msg.reason);
  });
  return {
    [=](atom::put, task_record r) {
      if (r.id.empty())
        return;
      // The journal lives in the process that runs the task.
      if (r.owner_pid == 0)
        r.owner_pid = static_cast<std::int32_t>(::getpid());
      if (r.created_ms == 0)
        r.created_ms = transport::unix_now_ms();
      guarded(self->state, "record a task",
              [&](transport::task_journal& db) { db.put(r); });
    },
    [=](atom::started, task_start s) {
      if (s.id.empty())
        return;
      if (s.started_ms == 0)
        s.started_ms = transport::unix_now_ms();
      guarded(self->state, "record a start",
              [&](transport::task_journal& db) { db.started(s); });
    },
    [=](atom::ended, run_result r) {
      if (r.task_id.empty())
        return;
      // The spool holds everything; the journal keeps tails, bounded even
      // when a caller kept megabytes in its own result.
      keep_tail(r.out.text);
      keep_tail(r.err.text);
      guarded(self->state, "record an end", [&](transport::task_journal& db) {
        db.finished(r, transport::unix_now_ms());
      });
    },
    [=](atom::get, const task_query& q) -> task_listing {
      return answer(self->state, q);
    },
    [=](atom::cancel, const std::string& id) {
      guarded(self->state, "record a cancel request",
              [&](transport::task_journal& db) { db.request_cancel(id); });
    },
    [=](atom::update, router_actor router) {
      self->state.router = std::move(router);
      self->state.forwarded.clear();
      forward_cancels(self);
    },
    [=](atom::tick) {
      self->delayed_send(self, tick_interval, atom::tick_v);
      auto& st = self->state;
      auto now = steady::now();
      if (st.reopen
          || (!st.db && !st.state_dir.empty() && now >= st.next_open))
        open(st);
      if (!st.db)
        return;
      forward_cancels(self);
      if (now >= st.next_maintenance) {
        st.next_maintenance = now + maintenance_interval;
        maintain(st);
      }
    },
  };
}

} // namespace

journal_actor spawn_journal(caf::actor_system& sys, const settings& cfg) {
  transport::journal_retention keep;
  keep.max_age
    = std::chrono::duration_cast<std::chrono::seconds>(cfg.journal_max_age);
  keep.max_tasks = cfg.journal_max_tasks;
  return sys.spawn<caf::detached>(journal, cfg.state_dir, keep);
}

} // namespace cluster
