#include "transport/sqlite_db.hpp"

#include <sqlite3.h>

namespace cluster::transport {

namespace {

// What a person can do about a failure, beyond SQLite's own words.
std::string advice(int primary) {
  switch (primary) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return "; it is not a usable journal: move it away (with any -wal and"
             " -shm files beside it) and a new one starts in its place";
    case SQLITE_FULL:
      return "; free some space on its file system";
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return "; check that the file and its directory are writable";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "; another process held the journal locked for too long";
    default:
      return {};
  }
}

} // namespace

sqlite_error::sqlite_error(int code, const std::string& what)
  : journal_error(what), code_(code) {
}

sqlite_db::sqlite_db(const std::string& path, int busy_ms) : path_(path) {
  // NOMUTEX: one instance per thread, so SQLite's own locking is waste.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw sqlite_error(rc & 0xff, "cannot open journal " + path + ": " + msg
                                    + advice(rc & 0xff));
  }
  sqlite3_busy_timeout(db_, busy_ms);
}

sqlite_db::~sqlite_db() {
  sqlite3_close_v2(db_);
}

void sqlite_db::exec(const std::string& sql) {
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    // Name the statement by its first words, not a whole schema.
    auto start = sql.find_first_not_of(" \n");
    auto head = start == std::string::npos ? std::string{} : sql.substr(start);
    fail(rc, "running " + head.substr(0, head.find_first_of("(\n")));
  }
}

std::string sqlite_db::scalar_text(const std::string& sql) {
  sqlite_statement s{*this, sql.c_str()};
  return s.step() ? s.text(0) : std::string{};
}

std::int64_t sqlite_db::scalar_int(const std::string& sql) {
  sqlite_statement s{*this, sql.c_str()};
  return s.step() ? s.integer(0) : 0;
}

int sqlite_db::changes() const {
  return sqlite3_changes(db_);
}

void sqlite_db::fail(int rc, const std::string& doing) const {
  int primary = rc & 0xff;
  // The connection's message is the detailed one, when it is about `rc`.
  std::string msg = (sqlite3_errcode(db_) & 0xff) == primary
                      ? sqlite3_errmsg(db_)
                      : sqlite3_errstr(rc);
  throw sqlite_error(primary, "journal " + path_ + ": " + doing + ": " + msg
                                + advice(primary));
}

sqlite_statement::sqlite_statement(sqlite_db& db, const char* sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT,
                              &stmt_, nullptr);
  if (rc != SQLITE_OK)
    db.fail(rc, "preparing a statement");
}

sqlite_statement::~sqlite_statement() {
  sqlite3_finalize(stmt_);
}

void sqlite_statement::bind(int i, const std::string& value) {
  int rc = sqlite3_bind_text(stmt_, i, value.data(),
                             static_cast<int>(value.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK)
    db_.fail(rc, "binding a value");
}

void sqlite_statement::bind(int i, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, i, value);
  if (rc != SQLITE_OK)
    db_.fail(rc, "binding a value");
}

void sqlite_statement::bind_null(int i) {
  int rc = sqlite3_bind_null(stmt_, i);
  if (rc != SQLITE_OK)
    db_.fail(rc, "binding a value");
}

bool sqlite_statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  db_.fail(rc, "running a query");
}

std::string sqlite_statement::text(int col) const {
  // Blob access keeps embedded NULs and any byte SQLite was given.
  auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  auto n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(p, static_cast<std::size_t>(n)) : std::string{};
}

std::int64_t sqlite_statement::integer(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

bool sqlite_statement::is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

void sqlite_statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

write_transaction::write_transaction(sqlite_db& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}

write_transaction::~write_transaction() {
  if (open_)
    sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void write_transaction::commit() {
  db_.exec("COMMIT");
  open_ = false;
}

} // namespace cluster::transport
