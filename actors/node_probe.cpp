#include "actors/node_probe.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace cluster {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'
         || c == '\f';
}

/// Splits on runs of blanks; /proc pads columns with more than one space.
std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i]))
      ++i;
    auto start = i;
    while (i < line.size() && !is_space(line[i]))
      ++i;
    if (i > start)
      out.push_back(line.substr(start, i - start));
  }
  return out;
}

/// The line starting with `prefix` (at the start of a line), without its
/// newline; nullopt when there is none.
std::optional<std::string_view> find_line(std::string_view text,
                                          std::string_view prefix) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos)
      end = text.size();
    auto line = text.substr(pos, end - pos);
    if (line.substr(0, prefix.size()) == prefix)
      return line;
    pos = end + 1;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> to_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty())
    return std::nullopt;
  return v;
}

/// Non-negative finite decimal, as the kernel prints load averages.
std::optional<double> to_double(std::string_view s) {
  if (s.empty() || s.front() == '-')
    return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v,
                                 std::chars_format::fixed);
  if (ec != std::errc{} || p != s.data() + s.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

} // namespace

std::optional<cpu_times> parse_proc_stat(std::string_view text) {
  auto line = find_line(text, "cpu ");
  if (!line)
    return std::nullopt;
  auto f = fields(*line);
  // f[0] is "cpu". Linux 2.4 printed four counters, 2.6.0 seven, 2.6.11
  // added steal, 2.6.24 guest and 2.6.33 guest_nice; missing ones count 0.
  // guest and guest_nice are already part of user and nice, so they are
  // parsed (to reject garbage) but never added.
  if (f.size() < 5)
    return std::nullopt;
  std::uint64_t v[10] = {};
  for (std::size_t i = 1; i < f.size() && i <= 10; ++i) {
    auto x = to_u64(f[i]);
    if (!x)
      return std::nullopt;
    v[i - 1] = *x;
  }
  enum { user, nice, system, idle, iowait, irq, softirq, steal };
  cpu_times t;
  t.busy = v[user] + v[nice] + v[system] + v[irq] + v[softirq] + v[steal];
  t.total = t.busy + v[idle] + v[iowait];
  return t;
}

double cpu_percent_between(const cpu_times& earlier, const cpu_times& later) {
  // Counters only go backwards when the sample sources got mixed up (or a
  // remote node rebooted); reporting 0 is better than a wrapped value.
  if (later.total <= earlier.total)
    return 0;
  auto dtotal = static_cast<double>(later.total - earlier.total);
  auto dbusy = later.busy >= earlier.busy
                 ? static_cast<double>(later.busy - earlier.busy)
                 : 0.0;
  return std::clamp(100.0 * dbusy / dtotal, 0.0, 100.0);
}

std::optional<double> parse_meminfo_percent(std::string_view text) {
  auto value_of = [&](std::string_view key) -> std::optional<std::uint64_t> {
    auto line = find_line(text, key);
    if (!line)
      return std::nullopt;
    auto f = fields(line->substr(key.size()));
    // "MemTotal:       16318412 kB": the number, then an optional unit.
    if (f.empty() || f.size() > 2 || (f.size() == 2 && f[1] != "kB"))
      return std::nullopt;
    return to_u64(f[0]);
  };
  auto total = value_of("MemTotal:");
  auto available = value_of("MemAvailable:");
  if (!total || !available || *total == 0)
    return std::nullopt;
  auto used = *available >= *total ? 0 : *total - *available;
  return std::clamp(100.0 * static_cast<double>(used)
                      / static_cast<double>(*total),
                    0.0, 100.0);
}

std::optional<load_averages> parse_loadavg(std::string_view text) {
  // "0.52 0.58 0.59 1/1234 56789": only the first three matter.
  auto f = fields(text);
  if (f.size() < 3)
    return std::nullopt;
  auto one = to_double(f[0]);
  auto five = to_double(f[1]);
  auto fifteen = to_double(f[2]);
  if (!one || !five || !fifteen)
    return std::nullopt;
  return load_averages{*one, *five, *fifteen};
}

} // namespace cluster
