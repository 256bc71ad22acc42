#pragma once

// The wake-up every I/O thread here needs: a descriptor its poll() watches,
// which any thread can make readable.

namespace cluster::transport {

/// A non-blocking eventfd: notify() from anywhere, poll fd(), clear() after.
class wakeup_fd {
public:
  /// Creates the eventfd; throws std::system_error when it cannot.
  wakeup_fd();

  /// Closes the eventfd.
  ~wakeup_fd();

  wakeup_fd(const wakeup_fd&) = delete;
  wakeup_fd& operator=(const wakeup_fd&) = delete;

  /// The descriptor to poll for POLLIN.
  int fd() const noexcept {
    return fd_;
  }

  /// Makes fd() readable (thread-safe, never blocks).
  void notify() noexcept;

  /// Consumes pending notifications, so the next poll() waits again.
  void clear() noexcept;

private:
  int fd_;
};

} // namespace cluster::transport
