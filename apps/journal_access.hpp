#pragma once

// The command line's door to the task journal: opening it with a clear
// message when it cannot be used, and finding a task by id or prefix.

#include "config/settings.hpp"
#include "messages/task.hpp"
#include "transport/task_journal.hpp"

#include <memory>
#include <optional>
#include <string>

namespace cluster {

/// The journal of `cfg.state_dir`, with tasks of processes that died marked
/// lost (so nothing shows as running forever); null after saying on stderr
/// why it cannot be used (the caller exits with exit_code::journal).
std::unique_ptr<transport::task_journal> open_journal(const settings& cfg);

/// A task looked up by id or prefix: the record, or the exit status that
/// says why there is none (its reason already on stderr).
struct task_lookup {
  std::optional<task_record> record;  ///< The task; empty: see failure.
  int failure = 0;  ///< 1 unknown id, 2 ambiguous prefix, 3 journal failed.
};

/// Finds the task `id` names (an id, or a prefix only one id starts with).
task_lookup find_task(transport::task_journal& journal, const std::string& id);

/// The journal and one task in it, for commands about one task.
struct opened_task {
  std::unique_ptr<transport::task_journal> journal;  ///< Null: see failure.
  std::optional<task_record> record;                 ///< Empty: see failure.
  int failure = 0;  ///< The exit status when there is no record.
};

/// Opens the journal and finds the task `id` names (see find_task).
opened_task open_task(const settings& cfg, const std::string& id);

/// Says on stderr that the journal failed while `doing`; returns
/// exit_code::journal.
int journal_failure(const char* doing, const std::exception& e);

} // namespace cluster
