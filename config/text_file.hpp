#pragma once

// Whole small text files, with the reason when they cannot be read: the
// config loaders must tell "missing" (often fine) from "unreadable" (not).

#include <cstddef>
#include <string>

namespace cluster {

/// The outcome of reading one file.
struct text_file {
  bool ok = false;       ///< The contents were read.
  bool missing = false;  ///< It does not exist (ENOENT or ENOTDIR).
  std::string error;     ///< Why not, e.g. "Permission denied", when !ok.
  std::string contents;
};

/// Reads `path` entirely; a directory or anything over `max_bytes` is an error.
text_file read_text_file(const std::string& path,
                         std::size_t max_bytes = 4 * 1024 * 1024);

/// False only when `path` certainly does not exist (ENOENT, ENOTDIR).
bool path_exists(const std::string& path);

} // namespace cluster
