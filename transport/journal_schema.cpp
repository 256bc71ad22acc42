#include "transport/journal_schema.hpp"

#include <sqlite3.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <thread>

namespace cluster::transport {

namespace {

// Column order is parameter order in `upsert` and read order in read_record.
#define JOURNAL_COLUMNS                                                      \
  "id, command, needs_os, needs_arch, needs_capabilities, requested_node, " \
  "cwd, submitter, owner_pid, batch_id, node, reason, created_ms, "         \
  "started_ms, finished_ms, state, exit_code, error, error_message, "       \
  "stdout_tail, stderr_tail, stdout_path, stderr_path, cancel_requested"

// The names to_string(task_state) gives the two unfinished states.
#define UNFINISHED "('queued', 'running')"

// Texts are NOT NULL with '' for "none", so comparisons need no NULL care;
// only exit_code has a real "absent".
constexpr const char* create_schema = R"sql(
CREATE TABLE tasks (
  id TEXT PRIMARY KEY NOT NULL,
  command TEXT NOT NULL,
  needs_os TEXT NOT NULL,
  needs_arch TEXT NOT NULL,
  needs_capabilities TEXT NOT NULL,
  requested_node TEXT NOT NULL,
  cwd TEXT NOT NULL,
  submitter TEXT NOT NULL,
  owner_pid INTEGER NOT NULL,
  batch_id TEXT NOT NULL,
  node TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  started_ms INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL,
  state TEXT NOT NULL,
  exit_code INTEGER,
  error TEXT NOT NULL,
  error_message TEXT NOT NULL,
  stdout_tail TEXT NOT NULL,
  stderr_tail TEXT NOT NULL,
  stdout_path TEXT NOT NULL,
  stderr_path TEXT NOT NULL,
  cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tasks_by_created ON tasks(created_ms);
CREATE INDEX tasks_by_owner ON tasks(owner_pid, state);
PRAGMA user_version = 1;
)sql";

// Byte-wise prefix test: LIKE would treat `_` and `%` in ids as wildcards,
// and substr on text counts characters, not bytes.
#define HAS_PREFIX(param)                                                   \
  "substr(CAST(id AS BLOB), 1, length(CAST(" param " AS BLOB))) = CAST(" \
  param " AS BLOB)"

std::string to_json(const std::vector<std::string>& names) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartArray();
  for (auto& n : names)
    w.String(n.data(), static_cast<rapidjson::SizeType>(n.size()));
  w.EndArray();
  return {buf.GetString(), buf.GetSize()};
}

bool from_json(const std::string& text, std::vector<std::string>& out) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsArray())
    return false;
  for (auto& v : doc.GetArray()) {
    if (!v.IsString())
      return false;
    out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return true;
}

bool parse_error_class(const std::string& text, error_class& out) {
  for (int i = 0; i <= static_cast<int>(error_class::policy); ++i) {
    auto x = static_cast<error_class>(i);
    if (text == to_string(x)) {
      out = x;
      return true;
    }
  }
  return false;
}

// The schema version and whether any table exists, read in one statement so
// both come from one snapshot (another process may be creating the schema).
struct schema_facts {
  std::int64_t version = 0;
  bool has_tables = false;
};

schema_facts read_facts(sqlite_db& db) {
  sqlite_statement s{db, "SELECT (SELECT user_version FROM pragma_user_version),"
                         " (SELECT count(*) FROM sqlite_master)"};
  schema_facts f;
  if (s.step()) {
    f.version = s.integer(0);
    f.has_tables = s.integer(1) > 0;
  }
  return f;
}

void check_version(sqlite_db& db, const schema_facts& f) {
  if (f.version == 0 && f.has_tables)
    throw journal_error("journal " + db.path()
                        + " is another program's SQLite database, not a"
                          " cluster-exec journal: move it away and a new"
                          " journal starts in its place");
  if (f.version != 0 && f.version != journal_schema_version)
    throw journal_error(
      "journal " + db.path() + " has schema version "
      + std::to_string(f.version) + ", this program reads version "
      + std::to_string(journal_schema_version)
      + (f.version > journal_schema_version
           ? " (a newer cluster-exec wrote it)"
           : "")
      + ": move it away and a new journal starts in its place");
}

void set_up(sqlite_db& db) {
  // Reading the header first: a file that is not SQLite fails here, before
  // anything is written to it.
  auto facts = read_facts(db);
  check_version(db, facts);
  if (db.scalar_text("PRAGMA journal_mode") != "wal"
      && db.scalar_text("PRAGMA journal_mode = WAL") != "wal")
    throw journal_error("journal " + db.path()
                        + ": cannot switch to WAL mode (is its file system"
                          " a network mount?)");
  // Durable against a crash of any process; only a power cut may lose the
  // last moments, which a journal of commands can afford.
  db.exec("PRAGMA synchronous = NORMAL");
  if (facts.version != 0)
    return;
  write_transaction tx{db};
  // Another process may have created it since we looked.
  facts = read_facts(db);
  check_version(db, facts);
  if (facts.version == 0)
    db.exec(create_schema);
  tx.commit();
}

} // namespace

sqlite_db& open_schema(sqlite_db& db) {
  // Processes that create a fresh journal together can meet SQLITE_BUSY
  // where no busy handler runs (switching the journal mode): try again.
  for (int attempt = 0;; ++attempt) {
    try {
      set_up(db);
      return db;
    } catch (const sqlite_error& e) {
      if (attempt >= 50 || (e.code() != SQLITE_BUSY && e.code() != SQLITE_LOCKED))
        throw;
      std::this_thread::sleep_for(std::chrono::milliseconds{20 + attempt * 5});
    }
  }
}

journal_statements::journal_statements(sqlite_db& db)
  : upsert(db,
           "INSERT INTO tasks (" JOURNAL_COLUMNS ") VALUES (?1, ?2, ?3, ?4,"
           " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
           " ?19, ?20, ?21, ?22, ?23, ?24) ON CONFLICT(id) DO UPDATE SET"
           " command = ?2, needs_os = ?3, needs_arch = ?4,"
           " needs_capabilities = ?5, requested_node = ?6, cwd = ?7,"
           " submitter = ?8, owner_pid = ?9, batch_id = ?10, node = ?11,"
           " reason = ?12, created_ms = ?13, started_ms = ?14,"
           " finished_ms = ?15, state = ?16, exit_code = ?17, error = ?18,"
           " error_message = ?19, stdout_tail = ?20, stderr_tail = ?21,"
           " stdout_path = ?22, stderr_path = ?23, cancel_requested = ?24"),
    by_id(db, "SELECT " JOURNAL_COLUMNS " FROM tasks WHERE id = ?1"),
    ids_by_prefix(db, "SELECT id FROM tasks WHERE id >= ?1 AND " HAS_PREFIX(
                        "?1") " ORDER BY id"),
    listing(db, "SELECT " JOURNAL_COLUMNS " FROM tasks"
                " WHERE (?1 = '' OR state = ?1)"
                " AND (?2 = '' OR " HAS_PREFIX("?2") ")"
                " ORDER BY created_ms DESC, rowid DESC LIMIT ?3"),
    mark_started(db, "UPDATE tasks SET state = 'running', node = ?2,"
                     " reason = ?3, started_ms = ?4"
                     " WHERE id = ?1 AND state IN " UNFINISHED),
    mark_finished(db, "UPDATE tasks SET state = ?2, exit_code = ?3,"
                      " error = ?4, error_message = ?5, stdout_tail = ?6,"
                      " stderr_tail = ?7, finished_ms = ?8,"
                      " node = CASE WHEN ?9 <> '' THEN ?9 ELSE node END,"
                      " reason = CASE WHEN ?10 <> '' THEN ?10 ELSE reason END"
                      " WHERE id = ?1"),
    ask_cancel(db, "UPDATE tasks SET cancel_requested = 1"
                   " WHERE id = ?1 AND state IN " UNFINISHED),
    cancels_of(db, "SELECT id FROM tasks WHERE owner_pid = ?1"
                   " AND state IN " UNFINISHED " AND cancel_requested <> 0"
                   " ORDER BY created_ms, rowid"),
    end_owner(db, "UPDATE tasks SET state = ?2, error_message = ?3,"
                  " finished_ms = ?4,"
                  " error = CASE WHEN ?5 <> '' THEN ?5 ELSE error END"
                  " WHERE owner_pid = ?1 AND state IN " UNFINISHED),
    owners(db, "SELECT DISTINCT owner_pid FROM tasks"
               " WHERE state IN " UNFINISHED),
    finished_before(db, "SELECT id, stdout_path, stderr_path FROM tasks"
                        " WHERE state NOT IN " UNFINISHED " AND (CASE WHEN"
                        " finished_ms > 0 THEN finished_ms ELSE created_ms"
                        " END) < ?1"),
    oldest_finished(db, "SELECT id, stdout_path, stderr_path FROM tasks"
                        " WHERE state NOT IN " UNFINISHED
                        " ORDER BY created_ms, rowid LIMIT ?1"),
    remove(db, "DELETE FROM tasks WHERE id = ?1") {
}

void bind_record(sqlite_statement& s, const task_record& r) {
  s.bind(1, r.id);
  s.bind(2, r.command);
  s.bind(3, r.needs.os);
  s.bind(4, r.needs.arch);
  s.bind(5, to_json(r.needs.capabilities));
  s.bind(6, r.requested_node);
  s.bind(7, r.cwd);
  s.bind(8, r.submitter);
  s.bind(9, std::int64_t{r.owner_pid});
  s.bind(10, r.batch_id);
  s.bind(11, r.node);
  s.bind(12, r.reason);
  s.bind(13, r.created_ms);
  s.bind(14, r.started_ms);
  s.bind(15, r.finished_ms);
  s.bind(16, std::string{to_string(r.state)});
  if (r.exit_code)
    s.bind(17, std::int64_t{*r.exit_code});
  else
    s.bind_null(17);
  s.bind(18, std::string{to_string(r.error)});
  s.bind(19, r.error_message);
  s.bind(20, r.stdout_tail);
  s.bind(21, r.stderr_tail);
  s.bind(22, r.stdout_path);
  s.bind(23, r.stderr_path);
  s.bind(24, std::int64_t{r.cancel_requested ? 1 : 0});
}

task_record read_record(const sqlite_statement& s, const std::string& path) {
  task_record r;
  r.id = s.text(0);
  auto bad = [&](const char* column, const std::string& value) {
    return journal_error("journal " + path + ": task " + r.id + " has "
                         + column + " '" + value + "', which no cluster-exec"
                         + " writes: move the file away");
  };
  r.command = s.text(1);
  r.needs.os = s.text(2);
  r.needs.arch = s.text(3);
  if (!from_json(s.text(4), r.needs.capabilities))
    throw bad("needs_capabilities", s.text(4));
  r.requested_node = s.text(5);
  r.cwd = s.text(6);
  r.submitter = s.text(7);
  r.owner_pid = static_cast<std::int32_t>(s.integer(8));
  r.batch_id = s.text(9);
  r.node = s.text(10);
  r.reason = s.text(11);
  r.created_ms = s.integer(12);
  r.started_ms = s.integer(13);
  r.finished_ms = s.integer(14);
  if (!from_string(s.text(15), r.state))
    throw bad("state", s.text(15));
  if (!s.is_null(16))
    r.exit_code = static_cast<int>(s.integer(16));
  if (!parse_error_class(s.text(17), r.error))
    throw bad("error", s.text(17));
  r.error_message = s.text(18);
  r.stdout_tail = s.text(19);
  r.stderr_tail = s.text(20);
  r.stdout_path = s.text(21);
  r.stderr_path = s.text(22);
  r.cancel_requested = s.integer(23) != 0;
  return r;
}

} // namespace cluster::transport
