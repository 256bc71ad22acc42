#include "actors/output_capture.hpp"

#include "actors/utf8.hpp"
#include "transport/log.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace cluster {

namespace {

/// Makes room for `extra` more bytes without letting geometric growth push
/// the capacity past `cap`: the whole point of the class is a hard bound.
void reserve_within(std::string& s, std::size_t extra, std::size_t cap) {
  auto needed = s.size() + extra;
  if (needed <= s.capacity())
    return;
  s.reserve(std::min(cap, std::max(needed, 2 * s.capacity())));
}

} // namespace

bounded_stream::bounded_stream(std::size_t limit)
  : limit_(limit), head_limit_(limit - limit / 2), tail_limit_(limit / 2) {
  // Nothing reserved up front: most commands print far less than the limit.
}

void bounded_stream::append(std::string_view bytes) {
  total_ += bytes.size();
  if (head_.size() < head_limit_) {
    auto n = std::min(bytes.size(), head_limit_ - head_.size());
    reserve_within(head_, n, head_limit_);
    head_.append(bytes.data(), n);
    bytes.remove_prefix(n);
  }
  if (bytes.empty() || tail_limit_ == 0)
    return;
  // A chunk at least as long as the ring replaces it outright; copying only
  // its last bytes keeps the cost bounded by the ring size.
  if (bytes.size() >= tail_limit_) {
    tail_.assign(bytes.substr(bytes.size() - tail_limit_));
    tail_pos_ = 0;
    return;
  }
  // While the ring fills up, tail_pos_ stays 0: the oldest byte is at the
  // front, just as after a wrap, so finish() treats both states alike.
  if (tail_.size() < tail_limit_) {
    auto n = std::min(bytes.size(), tail_limit_ - tail_.size());
    reserve_within(tail_, n, tail_limit_);
    tail_.append(bytes.data(), n);
    bytes.remove_prefix(n);
  }
  while (!bytes.empty()) {
    auto n = std::min(bytes.size(), tail_limit_ - tail_pos_);
    tail_.replace(tail_pos_, n, bytes.data(), n);
    bytes.remove_prefix(n);
    tail_pos_ = (tail_pos_ + n) % tail_limit_;
  }
}

captured_output bounded_stream::finish() const {
  captured_output result;
  result.total_bytes = total_;
  std::string tail;
  tail.reserve(tail_.size());
  tail.append(tail_, tail_pos_, std::string::npos);
  tail.append(tail_, 0, tail_pos_);
  if (total_ <= limit_) {
    // Nothing dropped: head and tail are adjacent, so sanitize them as one
    // text lest a character spanning the seam be mangled.
    result.text = sanitize_utf8(head_ + tail);
    return result;
  }
  auto head_len = utf8_prefix_boundary(head_);
  auto tail_skip = utf8_suffix_boundary(tail);
  std::uint64_t shown = head_len + (tail.size() - tail_skip);
  result.truncated = true;
  result.text = sanitize_utf8(std::string_view{head_}.substr(0, head_len));
  result.text += "\n[... ";
  result.text += std::to_string(total_ - shown);
  result.text += " bytes omitted ...]\n";
  result.text += sanitize_utf8(std::string_view{tail}.substr(tail_skip));
  return result;
}

namespace {

int open_spool(const std::string& path) {
  int fd = ::open(path.c_str(),
                  O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    transport::log(log_level::warning, "cannot spool output to ", path, ": ",
                   std::strerror(errno));
  return fd;
}

// Writes all of `bytes`; on failure closes `fd` and sets it to -1, so one
// full disk costs one warning, not one per chunk.
void spool_write(int& fd, std::string_view bytes) {
  while (fd >= 0 && !bytes.empty()) {
    auto n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      transport::log(log_level::warning, "spooling output stopped: ",
                     std::strerror(errno));
      ::close(fd);
      fd = -1;
      return;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

} // namespace

output_capture::output_capture(std::size_t limit_per_stream,
                               const std::string& spool)
  : out_(limit_per_stream), err_(limit_per_stream) {
  if (!spool.empty()) {
    out_fd_ = open_spool(spool + ".out");
    err_fd_ = open_spool(spool + ".err");
  }
}

output_capture::~output_capture() {
  if (out_fd_ >= 0)
    ::close(out_fd_);
  if (err_fd_ >= 0)
    ::close(err_fd_);
}

void output_capture::append(transport::stream_kind which,
                            std::string_view bytes) {
  if (which == transport::stream_kind::out) {
    out_.append(bytes);
    spool_write(out_fd_, bytes);
  } else {
    err_.append(bytes);
    spool_write(err_fd_, bytes);
  }
}

} // namespace cluster
