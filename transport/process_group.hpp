#pragma once

// Starting `bash -c` as the leader of its own process group, and telling
// whether anything of a group is still alive.

#include <chrono>
#include <string>

#include <sys/types.h>

namespace cluster::transport {

/// A shell started in its own process group, with our ends of its pipes.
struct spawned_group {
  pid_t pid = -1;   ///< The shell; also the process group id.
  int out = -1;     ///< Non-blocking read end of its stdout.
  int err = -1;     ///< Non-blocking read end of its stderr.
  int pidfd = -1;   ///< Readable when the shell exits; -1 when unavailable.
  std::chrono::steady_clock::time_point started;
  std::string error;  ///< Why it could not start; empty on success.
};

/// Starts `/bin/bash -c command` in `cwd` (empty: ours) as a new process
/// group, stdin from /dev/null, default signal dispositions and an empty mask.
spawned_group spawn_group(const std::string& command, const std::string& cwd);

/// True while some non-zombie process still belongs to group `pgid`.
bool group_alive(pid_t pgid);

/// Closes `fd` if open and marks it closed.
void close_fd(int& fd);

} // namespace cluster::transport
