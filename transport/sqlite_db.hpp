#pragma once

// A thin RAII layer over the SQLite C API: one connection, prepared
// statements, write transactions, and failures as exceptions that name the
// database file and say what to do about it.

#include "transport/task_journal.hpp"

#include <cstdint>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace cluster::transport {

/// A SQLite call failed; `code()` is its primary result code (SQLITE_BUSY, ...).
class sqlite_error : public journal_error {
public:
  /// Wraps `what` (already naming the file) with the SQLite result `code`.
  sqlite_error(int code, const std::string& what);

  /// The primary result code.
  int code() const { return code_; }

private:
  int code_;
};

/// One open connection to one database file. One thread at a time.
class sqlite_db {
public:
  /// Opens (creating when missing) `path`; waits up to `busy_ms` for locks
  /// other connections hold.
  sqlite_db(const std::string& path, int busy_ms);

  /// Closes the connection.
  ~sqlite_db();

  sqlite_db(const sqlite_db&) = delete;
  sqlite_db& operator=(const sqlite_db&) = delete;

  /// Runs one or more statements that return nothing of interest.
  void exec(const std::string& sql);

  /// Runs `sql` and returns the first column of its first row as text.
  std::string scalar_text(const std::string& sql);

  /// Runs `sql` and returns the first column of its first row as an integer.
  std::int64_t scalar_int(const std::string& sql);

  /// Rows changed by the last INSERT, UPDATE or DELETE.
  int changes() const;

  /// Throws `sqlite_error` for result `rc` while `doing`.
  [[noreturn]] void fail(int rc, const std::string& doing) const;

  /// The database file.
  const std::string& path() const { return path_; }

  /// The raw handle, for statements.
  sqlite3* handle() const { return db_; }

private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

/// A prepared statement; bind, step, read columns, reset.
class sqlite_statement {
public:
  /// Prepares `sql` on `db` (persistent: it is reused many times).
  sqlite_statement(sqlite_db& db, const char* sql);

  /// Finalizes the statement.
  ~sqlite_statement();

  sqlite_statement(const sqlite_statement&) = delete;
  sqlite_statement& operator=(const sqlite_statement&) = delete;

  /// Binds text (any bytes, NUL included) to parameter `i` (1-based).
  void bind(int i, const std::string& value);

  /// Binds an integer to parameter `i`.
  void bind(int i, std::int64_t value);

  /// Binds NULL to parameter `i`.
  void bind_null(int i);

  /// Steps once; true when a row is ready to be read.
  bool step();

  /// Column `col` of the current row as bytes.
  std::string text(int col) const;

  /// Column `col` of the current row as an integer.
  std::int64_t integer(int col) const;

  /// True when column `col` of the current row is NULL.
  bool is_null(int col) const;

  /// Ends the current run and clears the bindings.
  void reset();

private:
  sqlite_db& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// Resets a statement on entry and on exit, so no half-read query keeps a
/// read snapshot open (in WAL mode that would pin old pages).
class statement_use {
public:
  /// Starts a fresh run of `s`.
  explicit statement_use(sqlite_statement& s) : s_(s) { s_.reset(); }

  /// Ends the run.
  ~statement_use() { s_.reset(); }

  statement_use(const statement_use&) = delete;
  statement_use& operator=(const statement_use&) = delete;

  /// The statement.
  sqlite_statement* operator->() { return &s_; }

  /// The statement.
  sqlite_statement& get() { return s_; }

private:
  sqlite_statement& s_;
};

/// A write transaction (BEGIN IMMEDIATE: takes the write lock up front, so
/// the busy timeout applies and no reader is upgraded into a deadlock);
/// rolled back unless committed.
class write_transaction {
public:
  /// Begins the transaction, waiting up to the busy timeout for the lock.
  explicit write_transaction(sqlite_db& db);

  /// Rolls back when `commit` was not reached.
  ~write_transaction();

  write_transaction(const write_transaction&) = delete;
  write_transaction& operator=(const write_transaction&) = delete;

  /// Commits.
  void commit();

private:
  sqlite_db& db_;
  bool open_ = true;
};

} // namespace cluster::transport
