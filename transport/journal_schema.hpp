#pragma once

// The journal's table and the statements over it: one `tasks` table, one row
// per task, versioned with PRAGMA user_version.

#include "messages/task.hpp"
#include "transport/sqlite_db.hpp"

#include <string>

namespace cluster::transport {

/// The schema this program reads and writes.
inline constexpr int journal_schema_version = 1;

/// Checks that `db` is a journal of our schema (creating the schema in an
/// empty file) and switches it to WAL; throws `journal_error` naming the
/// file and what to do when it is another program's database or another
/// schema. Returns `db`.
sqlite_db& open_schema(sqlite_db& db);

/// Every statement the journal runs, prepared once per connection.
struct journal_statements {
  /// Prepares them all on `db`, whose schema is already checked.
  explicit journal_statements(sqlite_db& db);

  sqlite_statement upsert;           ///< ?1..?24: a whole record (bind_record).
  sqlite_statement by_id;            ///< ?1 id: the record.
  sqlite_statement ids_by_prefix;    ///< ?1 prefix: ids, sorted.
  sqlite_statement listing;          ///< ?1 state or '', ?2 prefix or '', ?3 limit.
  sqlite_statement mark_started;     ///< ?1 id, ?2 node, ?3 reason, ?4 started_ms.
  /// ?1 id, ?2 state, ?3 exit, ?4 error, ?5 message, ?6/?7 tails, ?8 ms,
  /// ?9 node, ?10 reason (empty node or reason: keep the recorded one).
  sqlite_statement mark_finished;
  sqlite_statement ask_cancel;       ///< ?1 id.
  sqlite_statement cancels_of;       ///< ?1 pid: ids.
  /// ?1 pid, ?2 state, ?3 message, ?4 ms, ?5 error or '' (keep).
  sqlite_statement end_owner;
  sqlite_statement owners;           ///< Pids owning unfinished tasks.
  sqlite_statement finished_before;  ///< ?1 ms: id, stdout_path, stderr_path.
  sqlite_statement oldest_finished;  ///< ?1 count: id, stdout_path, stderr_path.
  sqlite_statement remove;           ///< ?1 id.
};

/// Binds every field of `r` to ?1..?24 of `s`, in column order.
void bind_record(sqlite_statement& s, const task_record& r);

/// The record in the current row of `s` (every column, in column order);
/// throws `journal_error` naming `path` for a value we never write.
task_record read_record(const sqlite_statement& s, const std::string& path);

} // namespace cluster::transport
