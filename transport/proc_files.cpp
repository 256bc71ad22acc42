#include "transport/proc_files.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace cluster::transport {

namespace {

/// Files such as /proc/stat are a few KiB; the cap only guards against a
/// caller pointing us at something huge or endless (/dev/zero).
constexpr std::size_t max_small_file = 1024 * 1024;

/// Closes a descriptor on every path out of read_small_file.
struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0)
      ::close(fd);
  }
};

} // namespace

std::optional<std::string> read_small_file(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return std::nullopt;
  fd_guard guard{fd};
  // stat() reports size 0 for /proc files, so read until EOF instead of
  // trusting the size.
  std::string result;
  char buf[4096];
  while (result.size() < max_small_file) {
    auto want = std::min(sizeof(buf), max_small_file - result.size());
    auto n = ::read(fd, buf, want);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return std::nullopt; // e.g. EISDIR for a directory
    }
    if (n == 0)
      break;
    result.append(buf, static_cast<std::size_t>(n));
  }
  return result;
}

uname_info local_uname() {
  uname_info result;
  struct utsname u;
  // uname(2) cannot fail with a valid buffer; empty fields would only make
  // the node match no os/arch requirement, which is the safe outcome.
  if (::uname(&u) == 0) {
    result.sysname = u.sysname;
    result.machine = u.machine;
    result.nodename = u.nodename;
  }
  return result;
}

unsigned online_cpu_count() {
  auto n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n >= 1 ? static_cast<unsigned>(n) : 1u;
}

} // namespace cluster::transport
