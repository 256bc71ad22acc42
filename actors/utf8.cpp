#include "actors/utf8.hpp"

#include <cstdint>

namespace cluster {

namespace {

constexpr char replacement[] = "\xEF\xBF\xBD"; // U+FFFD

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

/// Length a lead byte announces, or 0 for a byte that cannot start a
/// character (continuation bytes, C0/C1 which only make overlongs, F5..FF).
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80)
    return 1;
  if (lead >= 0xC2 && lead <= 0xDF)
    return 2;
  if (lead >= 0xE0 && lead <= 0xEF)
    return 3;
  if (lead >= 0xF0 && lead <= 0xF4)
    return 4;
  return 0;
}

/// Range allowed for the byte right after `lead` (Unicode Table 3-7). The
/// narrowed ranges are what rule out overlongs (E0, F0), surrogates (ED)
/// and code points above U+10FFFF (F4) at the earliest possible byte, which
/// is what makes the replaced subparts maximal.
void second_byte_range(unsigned char lead, unsigned char& lo,
                       unsigned char& hi) {
  lo = 0x80;
  hi = 0xBF;
  switch (lead) {
    case 0xE0: lo = 0xA0; break;
    case 0xED: hi = 0x9F; break;
    case 0xF0: lo = 0x90; break;
    case 0xF4: hi = 0x8F; break;
    default: break;
  }
}

/// Number of bytes at the start of `s` that form a valid character, or 0
/// when they do not; `consumed` is set to the length of the maximal subpart
/// to replace in that case (at least 1).
std::size_t valid_prefix(std::string_view s, std::size_t& consumed) {
  auto lead = static_cast<unsigned char>(s[0]);
  auto len = sequence_length(lead);
  if (len == 1)
    return 1;
  consumed = 1;
  if (len == 0)
    return 0;
  for (std::size_t i = 1; i < len; ++i) {
    if (i >= s.size())
      return 0;
    auto c = static_cast<unsigned char>(s[i]);
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (i == 1)
      second_byte_range(lead, lo, hi);
    if (c < lo || c > hi)
      return 0;
    consumed = i + 1;
  }
  return len;
}

} // namespace

std::string sanitize_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    // Copy runs of ASCII in one go: the common case for command output.
    std::size_t run = i;
    while (run < bytes.size() && static_cast<unsigned char>(bytes[run]) < 0x80)
      ++run;
    out.append(bytes.data() + i, run - i);
    i = run;
    if (i == bytes.size())
      break;
    std::size_t consumed = 0;
    auto n = valid_prefix(bytes.substr(i), consumed);
    if (n > 0) {
      out.append(bytes.data() + i, n);
      i += n;
    } else {
      out.append(replacement);
      i += consumed;
    }
  }
  return out;
}

std::size_t utf8_prefix_boundary(std::string_view bytes) {
  // Only the last three bytes can belong to an unfinished character, so
  // look for its lead there and check whether all its bytes are present.
  auto n = bytes.size();
  for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
    auto c = static_cast<unsigned char>(bytes[n - back]);
    if (is_continuation(c))
      continue;
    auto len = sequence_length(c);
    // An invalid lead is garbage either way; sanitizing will replace it, so
    // there is nothing to gain from cutting it off.
    if (len > back)
      return n - back;
    return n;
  }
  return n;
}

std::size_t utf8_suffix_boundary(std::string_view bytes) {
  std::size_t n = 0;
  while (n < 3 && n < bytes.size()
         && is_continuation(static_cast<unsigned char>(bytes[n])))
    ++n;
  return n;
}

} // namespace cluster
