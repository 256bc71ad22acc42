#pragma once

// Writes protocol lines to a file descriptor from its own thread, so a client
// that reads slowly never blocks an actor.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace cluster::transport {

/// Queues lines and writes each, newline-terminated, to one descriptor.
class line_writer {
public:
  /// Starts the writer thread for `fd` (not owned; not closed).
  explicit line_writer(int fd);

  /// Writes what is queued, then joins the thread.
  ~line_writer();

  line_writer(const line_writer&) = delete;
  line_writer& operator=(const line_writer&) = delete;

  /// Queues one line (without its newline). Dropped once the peer is gone.
  void write(std::string line);

  /// Blocks until every queued line was written or the peer is gone.
  void flush();

  /// False once a write failed (the reader closed its end).
  bool healthy() const;

private:
  void run();

  int fd_;
  mutable std::mutex mtx_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool stopping_ = false;
  bool broken_ = false;
  std::thread thread_;
};

} // namespace cluster::transport
