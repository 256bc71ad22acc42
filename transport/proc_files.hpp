#pragma once

// Reads the local machine's own facts: small /proc files and uname.

#include <optional>
#include <string>

namespace cluster::transport {

/// Reads a small file (such as /proc/stat) in full; nullopt when unreadable.
std::optional<std::string> read_small_file(const std::string& path);

/// The local kernel and machine names, as `uname -s` and `uname -m` print them.
struct uname_info {
  std::string sysname;  ///< e.g. "Linux", "Darwin".
  std::string machine;  ///< e.g. "x86_64", "aarch64".
  std::string nodename; ///< Host name, possibly fully qualified.
};

/// Calls uname(2).
uname_info local_uname();

/// Number of online CPUs (at least 1).
unsigned online_cpu_count();

} // namespace cluster::transport
