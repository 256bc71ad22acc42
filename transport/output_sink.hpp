#pragma once

#include <string_view>

namespace cluster::transport {

/// Which stream of a process a chunk came from.
enum class stream_kind { out, err };

/// Receives a process's output as it arrives. Called only from the I/O
/// thread that owns the process, so an implementation needs no locking as
/// long as nobody else touches it before the process has ended.
class output_sink {
public:
  virtual ~output_sink() = default;

  /// Appends one chunk of raw bytes (any bytes, not necessarily UTF-8).
  virtual void append(stream_kind which, std::string_view bytes) = 0;
};

} // namespace cluster::transport
