#pragma once

// Helpers the actor suites share: an actor system config with our message
// types, reading a small file, and waiting for a process to be gone.

#include "messages/type_ids.hpp"

#include <caf/actor_system_config.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <sys/types.h>

namespace cluster::test {

/// `cfg` with the runtime's message types registered.
inline caf::actor_system_config& with_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::cluster>();
  return cfg;
}

/// The whole content of `path`; empty when it cannot be read.
inline std::string slurp(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// True once `pid` is gone or a zombie, polling for up to 5 s. A zombie still
/// answers kill(), and this machine's init reaps orphans late.
inline bool process_gone(pid_t pid) {
  for (int i = 0; i < 200; ++i) {
    if (::kill(pid, 0) != 0 && errno == ESRCH)
      return true;
    auto stat = slurp("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    if (close != std::string::npos && close + 2 < stat.size()
        && stat[close + 2] == 'Z')
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{25});
  }
  return false;
}

} // namespace cluster::test
