#include "config/setting_parsers.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace cluster {

namespace {

/// Durations end up in 32-bit millisecond fields (run_request::timeout_ms),
/// so anything longer could not be passed on faithfully.
constexpr std::uint64_t max_duration_ms = std::numeric_limits<std::uint32_t>::max();

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/// Digits with at most one '.', nothing else: no sign, exponent, blanks,
/// "inf" or "nan", all of which strtod would happily accept.
bool is_plain_decimal(std::string_view s) {
  bool digit = false;
  bool dot = false;
  for (char c : s) {
    if (is_digit(c))
      digit = true;
    else if (c == '.' && !dot)
      dot = true;
    else
      return false;
  }
  return digit;
}

bool is_plain_integer(std::string_view s) {
  if (s.empty())
    return false;
  for (char c : s)
    if (!is_digit(c))
      return false;
  return true;
}

std::string lowercase(std::string_view value) {
  std::string lower(value);
  for (auto& c : lower)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return lower;
}

bool has_control_byte(std::string_view value) {
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f)
      return true;
  return false;
}

} // namespace

std::string shown(std::string_view value) {
  constexpr std::size_t max_shown = 64;
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < value.size() && i < max_shown; ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  if (value.size() > max_shown)
    out += "...";
  return out;
}

void reject_value(std::string_view where, std::string_view value,
                  std::string_view problem, std::string_view expected) {
  std::string msg(where);
  msg += ": ";
  msg += shown(value);
  msg += ' ';
  msg += problem;
  msg += " (expected ";
  msg += expected;
  msg += ')';
  throw config_error(msg);
}

std::chrono::milliseconds parse_seconds(std::string_view where,
                                        std::string_view value,
                                        std::string_view example) {
  std::string expected = "a positive number, e.g. ";
  expected += example;
  if (!is_plain_decimal(value))
    reject_value(where, value, "is not a number of seconds", expected);
  auto dot = value.find('.');
  auto whole = value.substr(0, dot);
  auto frac = dot == std::string_view::npos ? std::string_view{}
                                            : value.substr(dot + 1);
  while (whole.size() > 1 && whole.front() == '0')
    whole.remove_prefix(1);
  std::string range = "at most ";
  range += std::to_string(max_duration_ms / 1000);
  range += " seconds";
  // Ten digits already exceed the limit; checking the length first keeps
  // the arithmetic below from overflowing.
  if (whole.size() > 10)
    reject_value(where, value, "is too large", range);
  // Done on the digits rather than via double so that "0.3" is exactly
  // 300 ms; rounds half up at the millisecond.
  std::uint64_t ms = 0;
  for (char c : whole)
    ms = ms * 10 + static_cast<std::uint64_t>(c - '0');
  ms *= 1000;
  std::uint64_t scale = 100;
  for (std::size_t i = 0; i < frac.size() && i < 3; ++i, scale /= 10)
    ms += static_cast<std::uint64_t>(frac[i] - '0') * scale;
  if (frac.size() > 3 && frac[3] >= '5')
    ++ms;
  if (ms == 0)
    reject_value(where, value, "is not positive",
                 "a positive number of seconds, at least 0.001");
  if (ms > max_duration_ms)
    reject_value(where, value, "is too large", range);
  return std::chrono::milliseconds{static_cast<std::int64_t>(ms)};
}

std::uint32_t parse_count(std::string_view where, std::string_view value,
                          std::uint64_t lo, std::uint64_t hi) {
  std::string expected = "an integer from ";
  expected += std::to_string(lo);
  expected += " to ";
  expected += std::to_string(hi);
  if (!is_plain_integer(value))
    reject_value(where, value, "is not a whole number", expected);
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc{} || p != value.data() + value.size() || v < lo
      || v > hi)
    reject_value(where, value, "is out of range", expected);
  return static_cast<std::uint32_t>(v);
}

double parse_threshold(std::string_view where, std::string_view value,
                       double hi, std::string_view expected) {
  if (!is_plain_decimal(value))
    reject_value(where, value, "is not a number", expected);
  double v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v,
                                 std::chars_format::fixed);
  if (ec != std::errc{} || p != value.data() + value.size()
      || !std::isfinite(v) || v <= 0 || v > hi)
    reject_value(where, value, "is out of range", expected);
  return v;
}

log_level parse_log_level(std::string_view where, std::string_view value) {
  auto lower = lowercase(value);
  for (auto level : {log_level::error, log_level::warning, log_level::info,
                     log_level::debug})
    if (lower == log_level_name(level))
      return level;
  reject_value(where, value, "is not a log level",
               "error, warning, info or debug");
}

host_key_checking parse_host_key_policy(std::string_view where,
                                        std::string_view value) {
  auto lower = lowercase(value);
  for (auto policy : {host_key_checking::accept_new, host_key_checking::strict})
    if (lower == host_key_policy_name(policy))
      return policy;
  // "yes"/"no" are OpenSSH's spellings, but "no" would mean trusting any
  // key, which we never do; naming ours avoids the false promise.
  reject_value(where, value, "is not a host key policy",
               "accept-new or strict");
}

std::string parse_user_name(std::string_view where, std::string_view value) {
  constexpr std::string_view expected =
    "a login name without blanks, '@' or ':', not starting with '-'";
  if (value.empty())
    reject_value(where, value, "is empty", expected);
  if (value.size() > 256)
    reject_value(where, value, "is too long", expected);
  if (value.front() == '-')
    reject_value(where, value, "starts with '-'", expected);
  for (char c : value)
    if (c == ' ' || c == '\t' || c == '@' || c == ':')
      reject_value(where, value, "is not a login name", expected);
  if (has_control_byte(value))
    reject_value(where, value, "contains control characters", expected);
  return std::string(value);
}

std::string parse_path(std::string_view where, std::string_view value) {
  constexpr std::string_view expected = "a file path";
  if (value.empty())
    reject_value(where, value, "is empty", expected);
  if (value.size() > 4096)
    reject_value(where, value, "is too long", expected);
  if (has_control_byte(value))
    reject_value(where, value, "contains control characters", expected);
  return std::string(value);
}

std::string format_seconds(std::chrono::milliseconds ms) {
  auto count = ms.count();
  std::string out = std::to_string(count / 1000);
  if (auto frac = count % 1000; frac != 0) {
    std::string digits = std::to_string(1000 + frac).substr(1);
    while (digits.back() == '0')
      digits.pop_back();
    out += '.';
    out += digits;
  }
  return out;
}

std::string format_number(double v) {
  char buf[400];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v,
                               std::chars_format::fixed);
  if (ec != std::errc{})
    return std::to_string(v);
  return std::string(buf, p);
}

std::string_view log_level_name(log_level level) {
  switch (level) {
    case log_level::error:
      return "error";
    case log_level::warning:
      return "warning";
    case log_level::info:
      return "info";
    case log_level::debug:
      return "debug";
  }
  return "warning";
}

std::string_view host_key_policy_name(host_key_checking policy) {
  return policy == host_key_checking::strict ? "strict" : "accept-new";
}

} // namespace cluster
