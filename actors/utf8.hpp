#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cluster {

/// Returns `bytes` with every invalid UTF-8 sequence (bad lead, bad or missing
/// continuation, overlong form, surrogate, > U+10FFFF) replaced by U+FFFD.
std::string sanitize_utf8(std::string_view bytes);

/// Returns the largest n <= bytes.size() such that bytes[0, n) does not end
/// in the middle of a multi-byte character.
std::size_t utf8_prefix_boundary(std::string_view bytes);

/// Returns the smallest n such that bytes[n, end) does not start with a
/// continuation byte (at most 3 bytes are skipped).
std::size_t utf8_suffix_boundary(std::string_view bytes);

} // namespace cluster
