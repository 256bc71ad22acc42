#pragma once

// Task records for people and for scripts: the `status` block, the `tasks`
// table, and one JSON object per record.

#include "messages/task.hpp"
#include "apps/text_table.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cluster {

namespace mcp {
class json_writer;
} // namespace mcp

/// The colour of a state: green succeeded, red failed and lost, yellow
/// running, cyan queued, magenta cancelled.
colour state_colour(task_state s);

/// Local time "YYYY-MM-DD HH:MM:SS" of Unix ms; "-" for 0.
std::string local_time(std::int64_t ms);

/// A duration for people: "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min".
std::string human_duration(std::int64_t ms);

/// How a task ended in one word: its exit status, else its error class
/// ("timeout", "spawn", ...) or state ("cancelled", "lost"); "-" while it runs.
std::string outcome_word(const task_record& r);

/// The `status` block of `r`: every field that says something, then the
/// last lines of its output (from the spool while it runs or when kept,
/// else the recorded tails). `now_ms` dates a running task.
std::string task_details(const task_record& r, bool coloured,
                         std::int64_t now_ms);

/// The `tasks` table, newest first; with `width` > 0 each row is cut to it.
std::string task_table(const std::vector<task_record>& tasks, bool coloured,
                       std::size_t width, std::int64_t now_ms);

/// Writes `r` as one JSON object (the MCP task tools' members, then the
/// record's other fields); `with_tails` adds the recorded output tails
/// (large for a command line's tasks: `status` has them, `tasks` not).
/// `now_ms` dates a running task's duration.
void write_task_object(mcp::json_writer& out, const task_record& r,
                       bool with_tails, std::int64_t now_ms);

} // namespace cluster
