#include "transport/task_journal.hpp"

#include "transport/journal_schema.hpp"
#include "transport/sqlite_db.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cluster::transport {

namespace {

// Long enough that a burst of writers queues instead of failing, short
// enough that a stuck lock is reported while someone still waits.
constexpr int busy_timeout_ms = 5000;

// SQLite would create the file 0644; the journal holds commands and their
// output, so it is made 0600 first (SQLite gives -wal and -shm the same mode).
// Only when missing: closing any descriptor of the database file drops
// every POSIX lock this process holds on it, those of SQLite's own open
// connections included, and another process could then reset the WAL under
// them.
void create_private_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      return;
    throw journal_error("cannot create the journal " + path + ": "
                        + std::strerror(errno));
  }
  ::close(fd);
}

// A spooled file is removed only when it lies in the spool directory: an
// id or path from the database never makes us delete anything elsewhere.
void remove_spooled(const std::string& spool_dir, const std::string& id,
                    const std::string& out_path, const std::string& err_path) {
  auto inside = [&](const std::string& p) {
    return p.size() > spool_dir.size() + 1
           && p.compare(0, spool_dir.size() + 1, spool_dir + "/") == 0
           && p.find("/..") == std::string::npos;
  };
  auto prefix = spool_dir + "/" + id;
  for (const auto& p : {prefix + ".out", prefix + ".err", out_path, err_path})
    if (inside(p) && id.find('/') == std::string::npos)
      ::unlink(p.c_str());
}

// A task trim() deleted, with the files that may hold its output.
struct deleted_task {
  std::string id;
  std::string stdout_path;
  std::string stderr_path;
};

bool process_exists(std::int32_t pid) {
  // EPERM: it exists, it is just someone else's.
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
}

} // namespace

// mkdir -p; new directories get 0700 (logs and outputs are private).
// Returns 0 or the errno of the step that failed.
int make_directories(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0)
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
  auto slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0)
    if (int err = make_directories(dir.substr(0, slash)); err != 0)
      return err;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return errno;
  if (::stat(dir.c_str(), &st) != 0)
    return errno;
  return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

void prepare_private_directory(const std::string& dir, const char* what) {
  if (int err = make_directories(dir); err != 0)
    throw journal_error("cannot create the " + std::string{what} + " " + dir
                        + ": " + std::strerror(err));
  // access() sees a read-only mount even for root, whom mode bits never stop.
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw journal_error("the " + std::string{what} + " " + dir
                        + " is not writable: " + std::strerror(errno));
}

std::string spool_prefix(const std::string& state_dir, const std::string& id) {
  return state_dir + "/spool/" + id;
}

struct task_journal::impl {
  std::string state_dir;
  std::string spool_dir;
  std::string path;
  journal_retention keep;
  sqlite_db db;
  journal_statements sql;

  impl(std::string dir, std::string file, journal_retention k)
    : state_dir(std::move(dir)),
      spool_dir(state_dir + "/spool"),
      path(std::move(file)),
      keep(k),
      db(path, busy_timeout_ms),
      sql(open_schema(db)) {
  }

  std::vector<task_record> read_all(sqlite_statement& s) {
    std::vector<task_record> out;
    while (s.step())
      out.push_back(read_record(s, path));
    return out;
  }

  void upsert(const task_record& r) {
    statement_use s{sql.upsert};
    bind_record(s.get(), r);
    s->step();
  }

  // Deletes the tasks `s` yields (id, stdout_path, stderr_path), inside the
  // caller's transaction; returns them so their files go after the commit.
  std::vector<deleted_task> delete_rows(sqlite_statement& s) {
    std::vector<deleted_task> gone;
    while (s.step())
      gone.push_back({s.text(0), s.text(1), s.text(2)});
    s.reset();
    for (auto& g : gone) {
      statement_use d{sql.remove};
      d->bind(1, g.id);
      d->step();
    }
    return gone;
  }
};

task_journal::task_journal(const std::string& state_dir, journal_retention keep) {
  if (state_dir.empty())
    throw journal_error("no state directory configured");
  // A trailing slash would double up in every path we derive.
  auto dir = state_dir;
  while (dir.size() > 1 && dir.back() == '/')
    dir.pop_back();
  prepare_private_directory(dir, "state directory");
  prepare_private_directory(dir + "/spool", "spool directory");
  auto file = dir + "/journal.sqlite3";
  create_private_file(file);
  impl_ = std::make_unique<impl>(dir, file, keep);
}

task_journal::~task_journal() = default;

void task_journal::put(const task_record& r) {
  write_transaction tx{impl_->db};
  impl_->upsert(r);
  tx.commit();
}

void task_journal::started(const task_start& s) {
  write_transaction tx{impl_->db};
  {
    statement_use u{impl_->sql.mark_started};
    u->bind(1, s.id);
    u->bind(2, s.node);
    u->bind(3, s.reason);
    u->bind(4, std::int64_t{s.started_ms});
    u->step();
  }
  if (impl_->db.changes() == 0) {
    // Unknown (its put was lost or never sent): record it as ours and
    // running, so it can still be found, cancelled or reaped.
    statement_use q{impl_->sql.by_id};
    q->bind(1, s.id);
    if (!q->step()) {
      task_record r;
      r.id = s.id;
      r.node = s.node;
      r.reason = s.reason;
      r.created_ms = s.started_ms;
      r.started_ms = s.started_ms;
      r.state = task_state::running;
      r.owner_pid = static_cast<std::int32_t>(::getpid());
      q->reset();
      impl_->upsert(r);
    }
  }
  tx.commit();
}

void task_journal::finished(const run_result& r, std::int64_t finished_ms) {
  auto state = r.ok()                                ? task_state::succeeded
               : r.error == error_class::cancelled ? task_state::cancelled
                                                     : task_state::failed;
  write_transaction tx{impl_->db};
  {
    statement_use u{impl_->sql.mark_finished};
    u->bind(1, r.task_id);
    u->bind(2, std::string{to_string(state)});
    if (r.exit_code)
      u->bind(3, std::int64_t{*r.exit_code});
    else
      u->bind_null(3);
    u->bind(4, std::string{to_string(r.error)});
    u->bind(5, r.error_message);
    u->bind(6, r.out.text);
    u->bind(7, r.err.text);
    u->bind(8, finished_ms);
    u->bind(9, r.node);
    u->bind(10, r.reason);
    u->step();
  }
  if (impl_->db.changes() == 0) {
    task_record t;
    t.id = r.task_id;
    t.node = r.node;
    t.reason = r.reason;
    auto took = static_cast<std::int64_t>(r.duration_ms);
    t.created_ms = took < finished_ms ? finished_ms - took : finished_ms;
    t.started_ms = r.exit_code ? t.created_ms : 0;
    t.finished_ms = finished_ms;
    t.state = state;
    t.exit_code = r.exit_code;
    t.error = r.error;
    t.error_message = r.error_message;
    t.stdout_tail = r.out.text;
    t.stderr_tail = r.err.text;
    t.owner_pid = static_cast<std::int32_t>(::getpid());
    impl_->upsert(t);
  }
  tx.commit();
}

std::optional<task_record> task_journal::find(const std::string& id_or_prefix) {
  if (id_or_prefix.empty())
    return std::nullopt;
  {
    statement_use q{impl_->sql.by_id};
    q->bind(1, id_or_prefix);
    if (q->step())
      return read_record(q.get(), impl_->path);
  }
  std::vector<std::string> ids;
  std::size_t matches = 0;
  {
    statement_use q{impl_->sql.ids_by_prefix};
    q->bind(1, id_or_prefix);
    while (q->step())
      if (++matches <= 5)
        ids.push_back(q->text(0));
  }
  if (matches == 0)
    return std::nullopt;
  if (matches > 1) {
    std::string list;
    for (auto& id : ids)
      list += (list.empty() ? "" : ", ") + id;
    if (matches > ids.size())
      list += ", ...";
    throw journal_error("task id prefix '" + id_or_prefix + "' matches "
                        + std::to_string(matches) + " tasks (" + list
                        + "): give more of the id");
  }
  statement_use q{impl_->sql.by_id};
  q->bind(1, ids.front());
  if (!q->step())
    return std::nullopt;  // trimmed by another process in between
  return read_record(q.get(), impl_->path);
}

std::vector<task_record> task_journal::list(const task_query& q) {
  task_state wanted{};
  if (!q.state.empty() && !from_string(q.state, wanted))
    throw journal_error("unknown task state '" + q.state
                        + "' (queued, running, succeeded, failed, cancelled,"
                          " lost)");
  statement_use s{impl_->sql.listing};
  s->bind(1, q.state);
  s->bind(2, q.id);
  s->bind(3, std::int64_t{q.limit});
  return impl_->read_all(s.get());
}

bool task_journal::request_cancel(const std::string& id) {
  write_transaction tx{impl_->db};
  {
    statement_use u{impl_->sql.ask_cancel};
    u->bind(1, id);
    u->step();
  }
  bool asked = impl_->db.changes() > 0;
  tx.commit();
  return asked;
}

std::vector<std::string> task_journal::cancel_requests(std::int32_t pid) {
  statement_use q{impl_->sql.cancels_of};
  q->bind(1, std::int64_t{pid});
  std::vector<std::string> ids;
  while (q->step())
    ids.push_back(q->text(0));
  return ids;
}

void task_journal::end_all_of(std::int32_t pid, task_state state,
                              const std::string& message, std::int64_t now_ms) {
  if (!is_final(state))
    throw journal_error(std::string{"end_all_of needs a final state, not "}
                        + to_string(state));
  write_transaction tx{impl_->db};
  {
    statement_use u{impl_->sql.end_owner};
    u->bind(1, std::int64_t{pid});
    u->bind(2, std::string{to_string(state)});
    u->bind(3, message);
    u->bind(4, now_ms);
    u->bind(5, std::string{state == task_state::cancelled
                             ? to_string(error_class::cancelled)
                             : ""});
    u->step();
  }
  tx.commit();
}

std::size_t task_journal::reap_lost(std::int64_t now_ms) {
  std::vector<std::int32_t> owners;
  {
    statement_use q{impl_->sql.owners};
    while (q->step())
      owners.push_back(static_cast<std::int32_t>(q->integer(0)));
  }
  std::size_t reaped = 0;
  for (auto pid : owners) {
    // pid 0 or less names no single process: kill() would ask a group.
    if (pid <= 0 || process_exists(pid))
      continue;
    write_transaction tx{impl_->db};
    {
      statement_use u{impl_->sql.end_owner};
      u->bind(1, std::int64_t{pid});
      u->bind(2, std::string{to_string(task_state::lost)});
      u->bind(3, "its owning process (pid " + std::to_string(pid)
                   + ") exited without recording an end");
      u->bind(4, now_ms);
      u->bind(5, std::string{});
      u->step();
    }
    reaped += static_cast<std::size_t>(impl_->db.changes());
    tx.commit();
  }
  return reaped;
}

std::size_t task_journal::trim(std::int64_t now_ms) {
  auto& m = *impl_;
  std::vector<deleted_task> gone;
  {
    write_transaction tx{m.db};
    {
      statement_use q{m.sql.finished_before};
      // An age beyond any clock (a "keep forever" setting) must not overflow.
      auto age_s = std::min<std::int64_t>(m.keep.max_age.count(),
                                          std::int64_t{1} << 40);
      q->bind(1, now_ms - age_s * 1000);
      gone = m.delete_rows(q.get());
    }
    auto total = m.db.scalar_int("SELECT count(*) FROM tasks");
    if (total > std::int64_t{m.keep.max_tasks}) {
      statement_use q{m.sql.oldest_finished};
      q->bind(1, total - std::int64_t{m.keep.max_tasks});
      auto more = m.delete_rows(q.get());
      gone.insert(gone.end(), more.begin(), more.end());
    }
    tx.commit();
  }
  for (auto& g : gone)
    remove_spooled(m.spool_dir, g.id, g.stdout_path, g.stderr_path);
  return gone.size();
}

const std::string& task_journal::state_dir() const {
  return impl_->state_dir;
}

const std::string& task_journal::path() const {
  return impl_->path;
}

} // namespace cluster::transport
