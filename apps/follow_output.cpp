#include "apps/follow_output.hpp"

#include <cerrno>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace cluster {

namespace {

bool write_bytes(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    auto n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Where the last `lines` lines of `text` start, counting backwards; npos
// when `text` has no more lines than that. A newline that ends the text
// ends its last line, it does not start an empty one.
std::size_t tail_start(std::string_view text, std::uint32_t& lines,
                       bool ends_text) {
  auto end = text.size();
  if (ends_text && end > 0 && text[end - 1] == '\n')
    --end;
  for (auto i = end; i > 0; --i) {
    if (text[i - 1] == '\n' && --lines == 0)
      return i;
  }
  return std::string_view::npos;
}

} // namespace

file_follower::file_follower(std::string path, int out_fd,
                             std::uint64_t offset)
  : path_(std::move(path)), out_fd_(out_fd), offset_(offset) {
}

file_follower::~file_follower() {
  if (fd_ >= 0)
    ::close(fd_);
}

bool file_follower::poll() {
  if (output_failed_)
    return false;
  if (fd_ < 0) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
      return false;
  }
  char buf[65536];
  for (;;) {
    auto n = ::pread(fd_, buf, sizeof buf, static_cast<off_t>(offset_));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return n == 0;
    if (!write_bytes(out_fd_, buf, static_cast<std::size_t>(n))) {
      output_failed_ = true;
      return false;
    }
    offset_ += static_cast<std::uint64_t>(n);
    copied_ += static_cast<std::uint64_t>(n);
  }
}

std::uint64_t last_lines_offset(const std::string& path, std::uint32_t lines) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || lines == 0) {
    if (fd >= 0)
      ::close(fd);
    return 0;
  }
  auto size = ::lseek(fd, 0, SEEK_END);
  std::uint64_t result = 0;
  // Backwards a block at a time: a 1 GB log's last lines cost one read.
  std::string block(65536, '\0');
  auto end = size < 0 ? 0 : static_cast<std::uint64_t>(size);
  bool at_end = true;
  while (end > 0) {
    auto len = std::min<std::uint64_t>(end, block.size());
    auto from = end - len;
    auto n = ::pread(fd, block.data(), len, static_cast<off_t>(from));
    if (n != static_cast<ssize_t>(len))
      break;
    auto at = tail_start(std::string_view{block.data(), len}, lines, at_end);
    if (at != std::string_view::npos) {
      result = from + at;
      break;
    }
    at_end = false;
    end = from;
  }
  ::close(fd);
  return result;
}

std::string last_lines(const std::string& text, std::uint32_t lines) {
  if (lines == 0)
    return text;
  auto at = tail_start(text, lines, true);
  return at == std::string_view::npos ? text : text.substr(at);
}

bool write_all(int fd, const std::string& bytes) {
  return write_bytes(fd, bytes.data(), bytes.size());
}

} // namespace cluster
