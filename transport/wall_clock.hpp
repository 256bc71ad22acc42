#pragma once

// The wall clock, for dates that outlive the process (journal records,
// sample times): steady_clock cannot be compared across processes.

#include <chrono>
#include <cstdint>

namespace cluster::transport {

/// Milliseconds since the Unix epoch, now.
inline std::int64_t unix_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
    .count();
}

} // namespace cluster::transport
