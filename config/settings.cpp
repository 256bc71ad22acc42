#include "config/settings.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace cluster {

namespace {

/// Durations end up in 32-bit millisecond fields (run_request::timeout_ms),
/// so anything longer could not be passed on faithfully.
constexpr std::uint64_t max_duration_ms = std::numeric_limits<std::uint32_t>::max();

/// Bytes per stream: beyond this a single result no longer fits comfortably
/// in one message.
constexpr std::uint64_t max_output_limit = 16 * 1024 * 1024;

constexpr std::uint64_t max_local_slots = 1024;

/// The offending value for an error message: quoted, control and non-ASCII
/// bytes escaped so a stray byte cannot garble the terminal, and capped so a
/// pasted blob does not drown the message.
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

[[noreturn]] void fail(const char* var, std::string_view value,
                       std::string_view problem, std::string_view expected) {
  std::string msg = var;
  msg += ": ";
  msg += shown(value);
  msg += ' ';
  msg += problem;
  msg += " (expected ";
  msg += expected;
  msg += ')';
  throw config_error(msg);
}

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

/// Seconds to milliseconds, done on the digits rather than via double so
/// that "0.3" is exactly 300 ms; rounds half up at the millisecond.
std::chrono::milliseconds parse_seconds(const char* var,
                                        std::string_view value,
                                        std::string_view example) {
  std::string expected = "a positive number, e.g. ";
  expected += example;
  if (!is_plain_decimal(value))
    fail(var, value, "is not a number of seconds", expected);
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
    fail(var, value, "is too large", range);
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
    fail(var, value, "is not positive",
         "a positive number of seconds, at least 0.001");
  if (ms > max_duration_ms)
    fail(var, value, "is too large", range);
  return std::chrono::milliseconds{static_cast<std::int64_t>(ms)};
}

std::uint32_t parse_count(const char* var, std::string_view value,
                          std::uint64_t lo, std::uint64_t hi) {
  std::string expected = "an integer from ";
  expected += std::to_string(lo);
  expected += " to ";
  expected += std::to_string(hi);
  if (!is_plain_integer(value))
    fail(var, value, "is not a whole number", expected);
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc{} || p != value.data() + value.size() || v < lo
      || v > hi)
    fail(var, value, "is out of range", expected);
  return static_cast<std::uint32_t>(v);
}

/// A number in (0, hi]; `expected` describes that range for the message.
double parse_threshold(const char* var, std::string_view value, double hi,
                       std::string_view expected) {
  if (!is_plain_decimal(value))
    fail(var, value, "is not a number", expected);
  double v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v,
                                 std::chars_format::fixed);
  if (ec != std::errc{} || p != value.data() + value.size()
      || !std::isfinite(v) || v <= 0 || v > hi)
    fail(var, value, "is out of range", expected);
  return v;
}

log_level parse_log_level(const char* var, std::string_view value) {
  std::string lower(value);
  for (auto& c : lower)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  if (lower == "error")
    return log_level::error;
  if (lower == "warning")
    return log_level::warning;
  if (lower == "info")
    return log_level::info;
  if (lower == "debug")
    return log_level::debug;
  fail(var, value, "is not a log level", "error, warning, info or debug");
}

} // namespace

settings settings_from_environment(const env_lookup& getenv_fn) {
  settings s;
  // An empty value counts as unset: `CLUSTER_CMD_TIMEOUT= cmd` is how shell
  // users clear a variable for one command, and it should mean "default".
  auto get = [&](const char* var) -> std::optional<std::string_view> {
    const char* v = getenv_fn ? getenv_fn(var) : nullptr;
    if (v == nullptr || *v == '\0')
      return std::nullopt;
    return std::string_view{v};
  };
  auto seconds = [&](const char* var, std::chrono::milliseconds& field,
                     std::string_view example) {
    if (auto v = get(var))
      field = parse_seconds(var, *v, example);
  };
  auto count = [&](const char* var, std::uint32_t& field, std::uint64_t lo,
                   std::uint64_t hi) {
    if (auto v = get(var))
      field = parse_count(var, *v, lo, hi);
  };
  auto threshold = [&](const char* var, double& field, double hi,
                       std::string_view expected) {
    if (auto v = get(var))
      field = parse_threshold(var, *v, hi, expected);
  };
  constexpr auto inf = std::numeric_limits<double>::infinity();
  seconds("CLUSTER_CMD_TIMEOUT", s.cmd_timeout, "300");
  seconds("CLUSTER_STATUS_TIMEOUT", s.status_timeout, "5");
  count("CLUSTER_OUTPUT_LIMIT", s.output_limit, 1, max_output_limit);
  threshold("CLUSTER_CPU_THRESHOLD", s.cpu_threshold, 100,
            "a percentage above 0 and at most 100, e.g. 40");
  threshold("CLUSTER_LOAD_THRESHOLD", s.load_threshold, inf,
            "a positive number, e.g. 4");
  threshold("CLUSTER_MEMORY_THRESHOLD", s.memory_threshold, 100,
            "a percentage above 0 and at most 100, e.g. 80");
  seconds("CLUSTER_HEALTH_INTERVAL", s.health_interval, "2");
  count("CLUSTER_LOCAL_SLOTS", s.local_slots, 0, max_local_slots);
  count("CLUSTER_QUEUE_LIMIT", s.queue_limit, 1,
        std::numeric_limits<std::uint32_t>::max());
  seconds("CLUSTER_KILL_GRACE", s.kill_grace, "1");
  seconds("CLUSTER_PROGRESS_INTERVAL", s.progress_interval, "5");
  if (auto v = get("CLUSTER_LOG_LEVEL"))
    s.log = parse_log_level("CLUSTER_LOG_LEVEL", *v);
  return s;
}

settings settings_from_environment() {
  return settings_from_environment(
    [](const char* name) -> const char* { return std::getenv(name); });
}

} // namespace cluster
