#include "transport/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace cluster::transport {

namespace {

std::atomic<int> current_level{static_cast<int>(log_level::warning)};
std::mutex write_mutex;

const char* level_name(log_level level) {
  switch (level) {
    case log_level::error: return "error";
    case log_level::warning: return "warning";
    case log_level::info: return "info";
    case log_level::debug: return "debug";
  }
  return "?";
}

} // namespace

void set_log_level(log_level level) {
  current_level = static_cast<int>(level);
}

bool log_enabled(log_level level) {
  return static_cast<int>(level) <= current_level.load();
}

void log_line(log_level level, const std::string& text) {
  std::lock_guard<std::mutex> guard{write_mutex};
  std::fprintf(stderr, "cluster-exec %s: %s\n", level_name(level),
               text.c_str());
  std::fflush(stderr);
}

} // namespace cluster::transport
