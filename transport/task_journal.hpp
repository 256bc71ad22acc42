#pragma once

// The task journal on disk: one SQLite database in WAL mode under the state
// directory, and a spool directory beside it for full outputs. Several
// processes (the MCP server, command lines, detached runners) use it at once.

#include "messages/task.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace cluster::transport {

/// A journal that cannot be used; the message names the file and the cause.
class journal_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// How much of the past the journal keeps.
struct journal_retention {
  std::chrono::seconds max_age{7 * 24 * 3600};  ///< Older finished tasks go.
  std::uint32_t max_tasks = 1000;               ///< Beyond: the oldest finished go.
};

/// `<state_dir>/spool/<id>`: the prefix of a task's spooled output
/// (`.out`, `.err`). Plain, so the router can name the files without asking.
std::string spool_prefix(const std::string& state_dir, const std::string& id);

/// Creates `dir` and its missing parents (mode 0700) and checks that it can
/// be written; throws journal_error naming it (`what`: "state directory", ...).
void prepare_private_directory(const std::string& dir, const char* what);

/// The journal of one state directory. One instance per thread; other
/// processes may hold their own at the same time (short transactions, a
/// busy timeout, WAL), and nothing they write is lost.
class task_journal {
public:
  /// Opens `<state_dir>/journal.sqlite3`, creating the directory (0700), the
  /// spool directory and the schema when missing. Throws `journal_error`
  /// when the directory cannot be created or written, or the file is not a
  /// journal (corrupt, another program's database).
  explicit task_journal(const std::string& state_dir,
                        journal_retention keep = {});

  /// Closes the database.
  ~task_journal();

  task_journal(const task_journal&) = delete;
  task_journal& operator=(const task_journal&) = delete;

  /// Inserts `r`, or replaces the record with its id.
  void put(const task_record& r);

  /// Records that a task was handed to a node (state running).
  void started(const task_start& s);

  /// Records how a task ended from its result: state, exit status, error,
  /// output tails, node and reason; `finished_ms` is Unix ms. A result for a
  /// task the journal does not know is recorded with what it carries.
  void finished(const run_result& r, std::int64_t finished_ms);

  /// The task with id `id_or_prefix`, or the only one whose id starts with
  /// it; nullopt when none. Throws `journal_error` naming the candidates when
  /// a prefix is ambiguous.
  std::optional<task_record> find(const std::string& id_or_prefix);

  /// Tasks matching `q`, newest first.
  std::vector<task_record> list(const task_query& q);

  /// Asks the owner of an unfinished task to cancel it (it polls); false
  /// when the task is unknown or already final.
  bool request_cancel(const std::string& id);

  /// Ids of unfinished tasks owned by process `pid` that another process
  /// asked to cancel.
  std::vector<std::string> cancel_requests(std::int32_t pid);

  /// Ends every unfinished task of process `pid` with `state` and `message`
  /// (a server that exits records its tasks as cancelled).
  void end_all_of(std::int32_t pid, task_state state, const std::string& message,
                  std::int64_t now_ms);

  /// Marks unfinished tasks whose owning process is gone as `lost`; returns
  /// how many.
  std::size_t reap_lost(std::int64_t now_ms);

  /// Deletes finished tasks beyond the retention, with their spool files;
  /// returns how many.
  std::size_t trim(std::int64_t now_ms);

  /// The state directory.
  const std::string& state_dir() const;

  /// The database file.
  const std::string& path() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace cluster::transport
