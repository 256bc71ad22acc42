#include "transport/spool_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cluster::transport {

namespace {

// Closes the descriptor on every path out.
struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0)
      ::close(fd);
  }
};

spool_bytes read_range(const std::string& path, bool from_end,
                       std::uint64_t offset, std::uint32_t limit) {
  spool_bytes out;
  fd_guard f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  struct stat st{};
  if (f.fd < 0 || ::fstat(f.fd, &st) != 0) {
    out.error = path + ": " + std::strerror(errno);
    return out;
  }
  out.size = static_cast<std::uint64_t>(st.st_size);
  if (from_end)
    offset = out.size > limit ? out.size - limit : 0;
  out.offset = std::min(offset, out.size);
  auto want = static_cast<std::size_t>(
    std::min<std::uint64_t>(limit, out.size - out.offset));
  out.bytes.resize(want);
  std::size_t got = 0;
  while (got < want) {
    auto n = ::pread(f.fd, out.bytes.data() + got, want - got,
                     static_cast<off_t>(out.offset + got));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      out.error = path + ": " + std::strerror(errno);
      break;
    }
    if (n == 0)
      break;
    got += static_cast<std::size_t>(n);
  }
  out.bytes.resize(got);
  return out;
}

} // namespace

spool_bytes read_spool(const std::string& path, std::uint64_t offset,
                       std::uint32_t limit) {
  return read_range(path, false, offset, limit);
}

spool_bytes read_spool_tail(const std::string& path, std::uint32_t count) {
  return read_range(path, true, 0, count);
}

} // namespace cluster::transport
