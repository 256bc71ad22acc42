#include "config/text_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cluster {

text_file read_text_file(const std::string& path, std::size_t max_bytes) {
  text_file out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.missing = errno == ENOENT || errno == ENOTDIR;
    out.error = std::strerror(errno);
    return out;
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    out.error = "is a directory";
    return out;
  }
  char buf[16384];
  for (;;) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      out.error = std::strerror(errno);
      ::close(fd);
      return out;
    }
    if (n == 0)
      break;
    out.contents.append(buf, static_cast<std::size_t>(n));
    if (out.contents.size() > max_bytes) {
      ::close(fd);
      out.contents.clear();
      out.error = "is larger than " + std::to_string(max_bytes) + " bytes";
      return out;
    }
  }
  ::close(fd);
  out.ok = true;
  return out;
}

bool path_exists(const std::string& path) {
  struct stat st {};
  // Only a definite "not there" counts as absent: a file we may not even
  // stat must be reported, not silently replaced by the default.
  return ::stat(path.c_str(), &st) == 0
         || (errno != ENOENT && errno != ENOTDIR);
}

} // namespace cluster
