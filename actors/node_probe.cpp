#include "actors/node_probe.hpp"

#include "actors/probe_text.hpp"

#include <algorithm>

namespace cluster {

using namespace probe_text;

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
