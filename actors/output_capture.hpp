#pragma once

// Bounded capture of one process's output: keeps the head and the tail of
// each stream, counts what was dropped in between; optionally spools every
// byte to files, so the whole output can be read later, even while it runs.

#include "messages/run.hpp"
#include "transport/output_sink.hpp"

#include <cstddef>
#include <string>

namespace cluster {

/// Keeps at most `limit` bytes of one stream: the first half and the last
/// half; everything between is dropped but counted.
class bounded_stream {
public:
  /// A limit of 0 keeps nothing but still counts bytes.
  explicit bounded_stream(std::size_t limit);

  /// Appends raw bytes.
  void append(std::string_view bytes);

  /// The kept text as valid UTF-8; when bytes were dropped, head and tail are
  /// cut at character boundaries and joined by a marker naming the count.
  captured_output finish() const;

private:
  std::size_t limit_;
  std::size_t head_limit_;
  std::size_t tail_limit_;
  std::string head_;
  std::string tail_;       ///< Ring buffer of the last `tail_limit_` bytes.
  std::size_t tail_pos_ = 0;  ///< Next write position in `tail_`.
  std::uint64_t total_ = 0;
};

/// Output sink for one process: stdout and stderr, each bounded.
class output_capture : public transport::output_sink {
public:
  /// Keeps at most `limit_per_stream` bytes of each stream; with a `spool`
  /// prefix, also writes all of stdout to `<spool>.out` and stderr to
  /// `<spool>.err` (created empty now, mode 0600). A spool file that cannot
  /// be opened or written is given up, with a warning: the bounded capture
  /// still holds the result.
  explicit output_capture(std::size_t limit_per_stream,
                          const std::string& spool = {});

  /// Closes the spool files.
  ~output_capture() override;

  output_capture(const output_capture&) = delete;
  output_capture& operator=(const output_capture&) = delete;

  void append(transport::stream_kind which, std::string_view bytes) override;

  /// The bounded stdout.
  captured_output out() const { return out_.finish(); }

  /// The bounded stderr.
  captured_output err() const { return err_.finish(); }

private:
  bounded_stream out_;
  bounded_stream err_;
  int out_fd_ = -1;
  int err_fd_ = -1;
};

} // namespace cluster
