#pragma once

// What the task journal suites share: a temporary directory, records and
// results to feed the journal, and a check for the errors it throws.

#include "transport/task_journal.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

BOOST_TEST_DONT_PRINT_LOG_VALUE(cluster::task_state)
BOOST_TEST_DONT_PRINT_LOG_VALUE(cluster::error_class)
BOOST_TEST_DONT_PRINT_LOG_VALUE(caf::optional<int>)

namespace cluster::test {

using transport::journal_error;

/// The journal class (inside suite `task_journal` its own name means the suite).
using journal = cluster::transport::task_journal;

/// One hour in ms.
inline constexpr std::int64_t hour_ms = 3600 * 1000;
/// A fixed "now", Unix ms: the tests never depend on the clock.
inline constexpr std::int64_t now = 1'750'000'000'000;

/// A fresh directory under /tmp, removed with everything in it.
struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/task-journal-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  /// The state directory the journal is opened on (not created here).
  std::string state() const { return path + "/state"; }
};

/// True when `path` exists.
inline bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

/// Writes `text` to `path`, replacing it.
inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out{path, std::ios::binary};
  out << text;
}

/// A record with the fields lookup, listing and retention look at.
inline task_record make_record(std::string id, std::int64_t created_ms,
                               task_state state = task_state::queued,
                               std::int32_t owner = 0) {
  task_record r;
  r.id = std::move(id);
  r.command = "echo " + r.id;
  r.created_ms = created_ms;
  r.state = state;
  r.owner_pid = owner != 0 ? owner : static_cast<std::int32_t>(::getpid());
  if (is_final(state))
    r.finished_ms = created_ms + 10;
  return r;
}

/// A result of task `id` that ended with `err` and `code`.
inline run_result make_result(std::string id, error_class err,
                              caf::optional<int> code) {
  run_result r;
  r.task_id = std::move(id);
  r.error = err;
  r.exit_code = code;
  return r;
}

/// The ids of `rs`, in order.
inline std::vector<std::string> ids_of(const std::vector<task_record>& rs) {
  std::vector<std::string> out;
  for (auto& r : rs)
    out.push_back(r.id);
  return out;
}

/// True when `f` throws journal_error whose text contains every needle.
template <class F>
bool throws_naming(F f, std::vector<std::string> needles) {
  try {
    f();
  } catch (const journal_error& e) {
    std::string what = e.what();
    for (auto& n : needles)
      if (what.find(n) == std::string::npos) {
        BOOST_TEST_MESSAGE("'" << n << "' missing from: " << what);
        return false;
      }
    return true;
  }
  return false;
}

} // namespace cluster::test
