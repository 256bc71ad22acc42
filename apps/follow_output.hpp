#pragma once

// Copying a task's spooled output to our own stdout or stderr exactly, byte
// for byte: all of it, its last lines, or what is added while it runs.

#include <cstdint>
#include <string>

namespace cluster {

/// Follows one spool file: each poll copies what was appended since the
/// last one to a file descriptor. The file may not exist yet (the task has
/// not started); it is opened on the first poll that finds it.
class file_follower {
public:
  /// Follows `path` from byte `offset`, copying to `out_fd`.
  file_follower(std::string path, int out_fd, std::uint64_t offset = 0);

  /// Closes the file.
  ~file_follower();

  /// Not copyable: it owns the open file.
  file_follower(const file_follower&) = delete;
  /// Not assignable, for the same reason.
  file_follower& operator=(const file_follower&) = delete;

  /// Copies everything appended since the last call; false when the file
  /// cannot be opened (yet) or our output failed.
  bool poll();

  /// True once the file was opened.
  bool opened() const {
    return fd_ >= 0;
  }

  /// Bytes copied so far (from the starting offset on).
  std::uint64_t copied() const {
    return copied_;
  }

  /// True when writing to our output failed (a closed pipe).
  bool output_failed() const {
    return output_failed_;
  }

private:
  std::string path_;
  int out_fd_;
  int fd_ = -1;
  std::uint64_t offset_;
  std::uint64_t copied_ = 0;
  bool output_failed_ = false;
};

/// The offset in `path` where its last `lines` lines start (a final line
/// without a newline counts as a line); 0 when the file has no more lines
/// than that or cannot be read.
std::uint64_t last_lines_offset(const std::string& path, std::uint32_t lines);

/// The last `lines` lines of `text`, as last_lines_offset counts them.
std::string last_lines(const std::string& text, std::uint32_t lines);

/// Writes all of `bytes` to `fd`, retrying short writes; false on failure.
bool write_all(int fd, const std::string& bytes);

} // namespace cluster
