#pragma once

// Reading a task's spooled output while it may still be growing: a byte
// range, or the last bytes. Local files, bounded reads.

#include <cstdint>
#include <string>

namespace cluster::transport {

/// Bytes read from a spool file.
struct spool_bytes {
  std::string bytes;         ///< Raw bytes, as the command wrote them.
  std::uint64_t offset = 0;  ///< Where `bytes` start in the file.
  std::uint64_t size = 0;    ///< The file's size when read.
  std::string error;         ///< Non-empty: the file could not be read.
};

/// Up to `limit` bytes of `path` from `offset` (nothing past the end).
spool_bytes read_spool(const std::string& path, std::uint64_t offset,
                       std::uint32_t limit);

/// The last `count` bytes of `path` (all of it when shorter).
spool_bytes read_spool_tail(const std::string& path, std::uint32_t count);

} // namespace cluster::transport
