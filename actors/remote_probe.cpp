#include "actors/remote_probe.hpp"

#include "actors/probe_text.hpp"
#include "config/platform_names.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <vector>

namespace cluster {

using namespace probe_text;

namespace {

/// `gap` as sleep(1) takes it: fixed-point seconds ("0.250"), because GNU,
/// BusyBox and macOS sleep all read decimals but none reads "2.5e-01".
std::string sleep_seconds(std::chrono::milliseconds gap) {
  long long ms = std::max<long long>(gap.count(), 0);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", ms / 1000, ms % 1000);
  return buf;
}

} // namespace

std::string remote_probe_script(std::optional<std::chrono::milliseconds> gap) {
  // Valid for dash, bash and zsh alike: no arrays, no word splitting of
  // variables (zsh does none), no unquoted globs (zsh fails on no match),
  // no word starting with '=' (zsh expands it as a command path).
  std::string s =
    // sshd forwards LANG/LC_*: under de_DE, ps and sysctl print "12,5".
    // A bare non-interactive PATH may lack sysctl's /usr/sbin.
    "LC_ALL=C; export LC_ALL\n"
    "PATH=$PATH:/usr/sbin:/sbin; export PATH\n"
    // The leading newline ends any unterminated line a startup file printed,
    // so the first marker starts a line of its own.
    "printf '\\n==os\\n'; uname -s\n"
    "printf '==arch\\n'; uname -m\n"
    "case $(uname -s) in\n"
    "Linux)\n"
    "  printf '==ncpu\\n'\n"
    "  getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null"
    " || grep -c '^cpu[0-9]' /proc/stat\n"
    // The aggregate "cpu " line always comes first.
    "  printf '==stat\\n'; head -n 1 /proc/stat\n";
  if (gap)
    s += "  sleep " + sleep_seconds(*gap)
         + "\n"
           "  printf '==stat2\\n'; head -n 1 /proc/stat\n";
  s +=
    "  printf '==meminfo\\n'\n"
    "  grep -E '^(MemTotal|MemAvailable):' /proc/meminfo\n"
    "  printf '==loadavg\\n'; cat /proc/loadavg\n"
    "  ;;\n"
    // No jiffy counters on macOS, so `gap` does not apply: ps's %cpu is a
    // decaying average the kernel keeps anyway. awk sums it on the node so
    // one number travels instead of one per process.
    "Darwin)\n"
    "  printf '==ncpu\\n'; sysctl -n hw.ncpu\n"
    "  printf '==memsize\\n'; sysctl -n hw.memsize\n"
    "  printf '==vm_stat\\n'; vm_stat\n"
    "  printf '==loadavg\\n'; sysctl -n vm.loadavg\n"
    "  printf '==cpu\\n'\n"
    "  ps -A -o %cpu= | awk '{ s += $1 } END { printf \"%.1f\\n\", s }'\n"
    "  ;;\n"
    "esac\n"
    // Without it, a connection cut inside the last section could pass for a
    // complete (and wrong) reading.
    "printf '==end\\n'\n";
  return s;
}

namespace {

/// Section name -> its lines (CR stripped, '\n' after each). Lines before
/// the first marker are shell-startup noise and dropped; a repeated name
/// replaces the earlier one, since the script's own output comes last.
using probe_sections = std::map<std::string, std::string, std::less<>>;

probe_sections split_sections(std::string_view text) {
  probe_sections out;
  std::string* current = nullptr;
  for (auto line : lines(text)) {
    while (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    if (line.substr(0, 2) == "==") {
      auto f = fields(line.substr(2));
      current = &out[f.empty() ? std::string{} : std::string{f[0]}];
      current->clear();
    } else if (current) {
      current->append(line).push_back('\n');
    }
  }
  return out;
}

/// The one non-blank line of a section, trimmed; nullopt when there are
/// none or several.
std::optional<std::string_view> single_value(std::string_view body) {
  std::optional<std::string_view> value;
  for (auto line : lines(body)) {
    auto f = fields(line);
    if (f.empty())
      continue;
    if (value)
      return std::nullopt;
    auto first = static_cast<std::size_t>(f.front().data() - body.data());
    auto last = static_cast<std::size_t>(f.back().data() - body.data())
                + f.back().size();
    value = body.substr(first, last - first);
  }
  return value;
}

/// A short, printable quote of what came instead of a number: errors end up
/// in JSON and logs, so no control bytes or broken UTF-8 from the node.
std::string excerpt(std::string_view body) {
  while (!body.empty() && is_space(body.front()))
    body.remove_prefix(1);
  while (!body.empty() && is_space(body.back()))
    body.remove_suffix(1);
  std::string out;
  for (char c : body) {
    if (out.size() >= 60) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    out += c == '\n' ? ' ' : (u < 0x20 || u >= 0x7f) ? '?' : c;
  }
  return out;
}

std::string missing(std::string_view what) {
  return "no " + std::string(what) + " section";
}

std::string malformed(std::string_view what, std::string_view body) {
  return "malformed " + std::string(what) + " section: '" + excerpt(body)
         + "'";
}

/// "Pages active:     236710." -> 236710.
std::optional<std::uint64_t> vm_stat_pages(std::string_view text,
                                           std::string_view key) {
  auto line = find_line(text, key);
  if (!line)
    return std::nullopt;
  auto f = fields(line->substr(key.size()));
  if (f.size() != 1 || f[0].size() < 2 || f[0].back() != '.')
    return std::nullopt;
  return to_u64(f[0].substr(0, f[0].size() - 1));
}

/// Memory in use in percent from vm_stat and hw.memsize (bytes).
///
/// Used = wired + active + occupied-by-compressor pages: what macOS cannot
/// hand to a new process without paging, close to Activity Monitor's
/// "Memory Used" and to Linux's MemTotal-MemAvailable. Free, inactive,
/// speculative and purgeable pages are reclaimable, so they count as free.
/// Active pages include some file cache and purgeable pages; the overcount
/// is small and keeps the rule simple. Macs before 10.9 have no compressor
/// line: 0 pages.
std::optional<double> vm_stat_percent(std::string_view text,
                                      std::uint64_t memsize) {
  // "Mach Virtual Memory Statistics: (page size of 16384 bytes)"
  constexpr std::string_view page_key = "(page size of ";
  auto at = text.find(page_key);
  if (at == std::string_view::npos || memsize == 0)
    return std::nullopt;
  auto pf = fields(text.substr(at + page_key.size(), 32));
  if (pf.size() < 2 || pf[1].substr(0, 5) != "bytes")
    return std::nullopt;
  auto page = to_u64(pf[0]).value_or(0);
  auto active = vm_stat_pages(text, "Pages active:");
  auto wired = vm_stat_pages(text, "Pages wired down:");
  std::optional<std::uint64_t> compressor = 0;
  if (find_line(text, "Pages occupied by compressor:"))
    compressor = vm_stat_pages(text, "Pages occupied by compressor:");
  if (page == 0 || !active || !wired || !compressor)
    return std::nullopt;
  // In double: garbage page counts must not wrap around.
  auto used = (static_cast<double>(*active) + static_cast<double>(*wired)
               + static_cast<double>(*compressor))
              * static_cast<double>(page);
  return std::clamp(100.0 * used / static_cast<double>(memsize), 0.0, 100.0);
}

} // namespace

probe_reading parse_probe_output(std::string_view text) {
  auto fail = [](std::string why) {
    probe_reading bad;
    bad.error = std::move(why);
    return bad;
  };
  auto sections = split_sections(text);
  auto body = [&](std::string_view name) -> const std::string* {
    auto it = sections.find(name);
    return it == sections.end() ? nullptr : &it->second;
  };

  probe_reading r;
  auto os_body = body("os");
  if (!os_body)
    return fail(missing("uname -s"));
  auto os_raw = single_value(*os_body);
  if (!os_raw)
    return fail(malformed("uname -s", *os_body));
  r.os = normalize_os(*os_raw);
  if (r.os != "linux" && r.os != "darwin")
    return fail("unsupported OS '" + excerpt(*os_raw) + "'");
  if (!body("end"))
    return fail("probe output cut short (no ==end marker)");

  auto arch_body = body("arch");
  if (!arch_body)
    return fail(missing("uname -m"));
  auto arch_raw = single_value(*arch_body);
  if (!arch_raw)
    return fail(malformed("uname -m", *arch_body));
  r.arch = normalize_arch(*arch_raw);

  auto ncpu_body = body("ncpu");
  if (!ncpu_body)
    return fail(missing("CPU count"));
  auto ncpu_raw = single_value(*ncpu_body);
  auto ncpu = ncpu_raw ? to_u64(*ncpu_raw) : std::nullopt;
  if (!ncpu || *ncpu > std::numeric_limits<std::uint32_t>::max())
    return fail(malformed("CPU count", *ncpu_body));
  if (*ncpu == 0)
    return fail("CPU count is 0");
  r.cpu_count = static_cast<std::uint32_t>(*ncpu);

  bool is_linux = r.os == "linux";
  auto load_what = is_linux ? "/proc/loadavg" : "vm.loadavg";
  auto load_body = body("loadavg");
  if (!load_body)
    return fail(missing(load_what));
  // macOS wraps the three numbers in braces: "{ 1.23 1.45 1.67 }".
  std::string load_text = *load_body;
  if (!is_linux) {
    auto f = fields(load_text);
    if (f.size() != 5 || f.front() != "{" || f.back() != "}")
      return fail(malformed(load_what, *load_body));
    load_text = std::string(f[1]) + ' ' + std::string(f[2]) + ' '
                + std::string(f[3]);
  }
  auto load = parse_loadavg(load_text);
  if (!load)
    return fail(malformed(load_what, *load_body));
  r.load = *load;

  if (is_linux) {
    auto stat_body = body("stat");
    if (!stat_body)
      return fail(missing("/proc/stat"));
    auto stat = parse_proc_stat(*stat_body);
    if (!stat)
      return fail(malformed("/proc/stat", *stat_body));
    r.cpu = stat;
    // With a gap the script read /proc/stat twice; the second is "now".
    if (auto stat2_body = body("stat2")) {
      auto stat2 = parse_proc_stat(*stat2_body);
      if (!stat2)
        return fail(malformed("second /proc/stat", *stat2_body));
      r.cpu_before = stat;
      r.cpu = stat2;
    }
    auto mem_body = body("meminfo");
    if (!mem_body)
      return fail(missing("/proc/meminfo"));
    auto mem = parse_meminfo_percent(*mem_body);
    if (!mem)
      return fail(malformed("/proc/meminfo", *mem_body));
    r.memory_percent = *mem;
    return r;
  }

  auto memsize_body = body("memsize");
  if (!memsize_body)
    return fail(missing("hw.memsize"));
  auto memsize_raw = single_value(*memsize_body);
  auto memsize = memsize_raw ? to_u64(*memsize_raw) : std::nullopt;
  if (!memsize || *memsize == 0)
    return fail(malformed("hw.memsize", *memsize_body));
  auto vm_body = body("vm_stat");
  if (!vm_body)
    return fail(missing("vm_stat"));
  auto mem = vm_stat_percent(*vm_body, *memsize);
  if (!mem)
    return fail(malformed("vm_stat", *vm_body));
  r.memory_percent = *mem;
  auto cpu_body = body("cpu");
  if (!cpu_body)
    return fail(missing("ps %cpu"));
  auto cpu_raw = single_value(*cpu_body);
  auto cpu_sum = cpu_raw ? to_double(*cpu_raw) : std::nullopt;
  if (!cpu_sum)
    return fail(malformed("ps %cpu", *cpu_body));
  // ps gives percent of one CPU per process; the sum over all processes
  // reaches 100 * ncpu on a saturated machine.
  r.cpu_percent = std::clamp(*cpu_sum / r.cpu_count, 0.0, 100.0);
  return r;
}

} // namespace cluster
