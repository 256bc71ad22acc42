#pragma once

// Runs local commands without blocking anyone: one I/O thread polls every
// child's pipes and exit, enforces deadlines, and kills whole process groups.

#include "transport/output_sink.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace cluster::transport {

/// What to start: `bash -c command`, in its own process group.
struct process_spec {
  std::string command;                ///< Passed to bash as one argument.
  std::string cwd;                    ///< Working directory; empty: inherit.
  std::chrono::milliseconds timeout{0};  ///< 0: no deadline.
  std::chrono::milliseconds kill_grace{1000};  ///< TERM -> KILL delay.
};

/// How a process ended.
enum class process_end {
  exited,        ///< The shell exited or died of a signal nobody here sent.
  timed_out,     ///< The deadline passed and the group was killed.
  cancelled,     ///< cancel() was called and the group was killed.
  spawn_failed,  ///< It never started; see `error`.
};

/// Everything known about a process once it has ended.
struct process_outcome {
  process_end end = process_end::exited;
  int exit_code = -1;  ///< Shell exit status; 128+n when killed by signal n; -1 if it never ran.
  int signal = 0;      ///< Signal that ended the shell, 0 if it exited.
  std::string error;   ///< Why it failed to start (spawn_failed only).
  std::chrono::milliseconds duration{0};
};

/// Owns one I/O thread and every process started through it. Thread-safe.
class process_reactor {
public:
  /// Identifies a started process for cancel().
  using process_id = std::uint64_t;

  /// Called exactly once per start(), on the I/O thread, after the process
  /// and every member of its group is gone and all output was delivered.
  using completion = std::function<void(const process_outcome&)>;

  process_reactor();

  /// Kills every running group (reported as cancelled) and joins the thread.
  ~process_reactor();

  process_reactor(const process_reactor&) = delete;
  process_reactor& operator=(const process_reactor&) = delete;

  /// Starts `spec`; output goes to `sink`, the end to `on_done`.
  process_id start(process_spec spec, std::shared_ptr<output_sink> sink,
                   completion on_done);

  /// Kills the process group (TERM, KILL after the grace); no-op when unknown.
  void cancel(process_id id);

  /// Number of processes started and not yet completed.
  std::size_t running() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace cluster::transport
