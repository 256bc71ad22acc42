#include "apps/journal_access.hpp"

#include "apps/exit_codes.hpp"
#include "transport/wall_clock.hpp"

#include <chrono>
#include <iostream>

namespace cluster {

std::unique_ptr<transport::task_journal> open_journal(const settings& cfg) {
  transport::journal_retention keep;
  keep.max_age
    = std::chrono::duration_cast<std::chrono::seconds>(cfg.journal_max_age);
  keep.max_tasks = cfg.journal_max_tasks;
  std::unique_ptr<transport::task_journal> journal;
  try {
    journal = std::make_unique<transport::task_journal>(cfg.state_dir, keep);
  } catch (const std::exception& e) {
    std::cerr << "cluster-router: the task journal cannot be used: "
              << e.what()
              << " (set CLUSTER_STATE_DIR to a writable directory)\n";
    return nullptr;
  }
  try {
    journal->reap_lost(transport::unix_now_ms());
  } catch (const std::exception&) {
    // Only tidying: a journal too busy for it still answers the question.
  }
  return journal;
}

task_lookup find_task(transport::task_journal& journal, const std::string& id) {
  task_lookup out;
  try {
    out.record = journal.find(id);
  } catch (const transport::journal_error& e) {
    // find() refuses a prefix several ids share; anything else is the
    // journal's own failure. Which one, the listing tells.
    bool ambiguous = false;
    try {
      task_query q;
      q.id = id;
      q.limit = 2;
      ambiguous = journal.list(q).size() > 1;
    } catch (const std::exception&) {
    }
    if (!ambiguous) {
      out.failure = journal_failure("look the task up", e);
      return out;
    }
    std::cerr << "cluster-router: " << e.what() << '\n';
    out.failure = exit_code::usage;
    return out;
  }
  if (!out.record) {
    std::cerr << "cluster-router: no task " << id
              << " (cluster-router tasks lists the recent ones)\n";
    out.failure = exit_code::failed;
  }
  return out;
}

int journal_failure(const char* doing, const std::exception& e) {
  std::cerr << "cluster-router: the task journal failed to " << doing << ": "
            << e.what() << '\n';
  return exit_code::journal;
}

opened_task open_task(const settings& cfg, const std::string& id) {
  opened_task out;
  out.journal = open_journal(cfg);
  if (!out.journal) {
    out.failure = exit_code::journal;
    return out;
  }
  auto found = find_task(*out.journal, id);
  out.record = std::move(found.record);
  out.failure = found.failure;
  return out;
}

} // namespace cluster
