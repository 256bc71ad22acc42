#include "transport/wakeup_fd.hpp"

#include <cerrno>
#include <cstdint>
#include <system_error>

#include <sys/eventfd.h>
#include <unistd.h>

namespace cluster::transport {

wakeup_fd::wakeup_fd() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "eventfd");
}

wakeup_fd::~wakeup_fd() {
  ::close(fd_);
}

void wakeup_fd::notify() noexcept {
  std::uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: readable either way.
  while (::write(fd_, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

void wakeup_fd::clear() noexcept {
  // One read resets an eventfd's counter to zero.
  std::uint64_t value;
  while (::read(fd_, &value, sizeof value) < 0 && errno == EINTR) {
  }
}

} // namespace cluster::transport
