#include "transport/line_writer.hpp"

#include <cerrno>
#include <unistd.h>

namespace cluster::transport {

line_writer::line_writer(int fd) : fd_(fd), thread_([this] { run(); }) {
  // nop
}

line_writer::~line_writer() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void line_writer::write(std::string line) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (broken_)
      return;
    line += '\n';
    queue_.push_back(std::move(line));
  }
  wake_.notify_one();
}

void line_writer::flush() {
  std::unique_lock<std::mutex> guard{mtx_};
  drained_.wait(guard,
                [this] { return broken_ || (queue_.empty() && !writing_); });
}

bool line_writer::healthy() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return !broken_;
}

void line_writer::run() {
  std::unique_lock<std::mutex> guard{mtx_};
  for (;;) {
    wake_.wait(guard, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_)
      break;
    auto line = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    guard.unlock();
    bool ok = true;
    for (std::size_t off = 0; off < line.size();) {
      auto n = ::write(fd_, line.data() + off, line.size() - off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        ok = false;
        break;
      }
      off += static_cast<std::size_t>(n);
    }
    guard.lock();
    writing_ = false;
    if (!ok) {
      broken_ = true;
      queue_.clear();
    }
    if (queue_.empty())
      drained_.notify_all();
  }
  drained_.notify_all();
}

} // namespace cluster::transport
