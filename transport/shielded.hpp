#pragma once

namespace cluster::transport {

/// Runs a user callback on an I/O thread; an exception from one callback
/// must not take down the thread that serves every other process or run.
template <class F>
void shielded(F&& f) noexcept {
  try {
    f();
  } catch (...) {
    // Nobody to report to: the callback owns its errors.
  }
}

} // namespace cluster::transport
