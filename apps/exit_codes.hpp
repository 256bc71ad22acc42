#pragma once

// The exit statuses of cluster-router beside the commands' own, and the
// ids it gives tasks; apart from the runtime, so that the subcommands that
// only read the journal need no actor headers.

#include "messages/run.hpp"
#include "messages/task.hpp"

#include <string>

namespace cluster {

/// Exit statuses beside the commands' own, as timeout(1) and shells use them.
namespace exit_code {
inline constexpr int failed = 1;          ///< Not done: an item failed, no such task.
inline constexpr int usage = 2;           ///< The command line is wrong (or an id ambiguous).
inline constexpr int journal = 3;         ///< The task journal cannot be used.
inline constexpr int timeout = 124;       ///< The command ran out of time.
inline constexpr int cluster_error = 125; ///< cluster-exec could not run it.
inline constexpr int cannot_start = 126;  ///< It could not be started.
inline constexpr int interrupted = 130;   ///< SIGINT or SIGTERM.
} // namespace exit_code

/// The exit status of a run as `submit` ends with it: the command's own
/// status, else one of the codes above for how it failed.
int exit_status(const run_result& r);

/// The exit status `submit` ended (or would end) with for a finished task;
/// 125 for a task whose owner died without recording an end.
int exit_status(const task_record& r);

/// A new task id, `<kind>-` and eight random hex digits ("c" for a command
/// line's task, "p" for its batch): unique in the journal and short to type.
std::string new_task_id(const char* kind);

} // namespace cluster
