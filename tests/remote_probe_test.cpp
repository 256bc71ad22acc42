// The remote probe: its script, and the parser of what the script prints,
// on samples from Linux and macOS and run for real on this machine.

#include "actors/remote_probe.hpp"
#include "config/platform_names.hpp"
#include "transport/proc_files.hpp"
#include "transport/shell_quote.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace cluster;

namespace {

/// One "==name" marker and the lines under it.
using probe_section = std::pair<std::string, std::string>;

/// What remote_probe_script printed under dash on a 2-CPU x86_64 Linux 6.1
/// machine with a 250 ms gap, section by section.
std::vector<probe_section> linux_output() {
  return {{"os", "Linux\n"},
          {"arch", "x86_64\n"},
          {"ncpu", "2\n"},
          {"stat", "cpu  629249 0 130448 931994 2676 0 795 311 0 0\n"},
          {"stat2", "cpu  629249 0 130449 932043 2676 0 795 311 0 0\n"},
          {"meminfo", "MemTotal:       24684096 kB\n"
                      "MemAvailable:   24193508 kB\n"},
          {"loadavg", "0.10 0.82 1.35 2/87 2856\n"},
          {"end", ""}};
}

/// An M-series Mac (10 CPUs, 16 GiB, 16 KiB pages) as macOS 14 prints it.
/// Its page counts add up to the 1048576 pages of hw.memsize.
std::vector<probe_section> darwin_output() {
  return {{"os", "Darwin\n"},
          {"arch", "arm64\n"},
          {"ncpu", "10\n"},
          {"memsize", "17179869184\n"},
          {"vm_stat",
           "Mach Virtual Memory Statistics: (page size of 16384 bytes)\n"
           "Pages free:                               10240.\n"
           "Pages active:                            300000.\n"
           "Pages inactive:                          290000.\n"
           "Pages speculative:                         8336.\n"
           "Pages throttled:                              0.\n"
           "Pages wired down:                        180000.\n"
           "Pages purgeable:                           8523.\n"
           "\"Translation faults\":                418374498.\n"
           "Pages copy-on-write:                   12345678.\n"
           "Pages zero filled:                    198765432.\n"
           "Pages reactivated:                      2345678.\n"
           "Pages purged:                           1234567.\n"
           "File-backed pages:                       178323.\n"
           "Anonymous pages:                         293323.\n"
           "Pages stored in compressor:             1034568.\n"
           "Pages occupied by compressor:            260000.\n"
           "Decompressions:                         6234567.\n"
           "Compressions:                           9345678.\n"
           "Pageins:                                8123456.\n"
           "Pageouts:                                 12345.\n"
           "Swapins:                                 123456.\n"
           "Swapouts:                                234567.\n"},
          {"loadavg", "{ 2.43 2.61 2.75 }\n"},
          {"cpu", "143.7\n"},
          {"end", ""}};
}

// (300000 active + 180000 wired + 260000 compressor) of 1048576 pages.
constexpr double darwin_memory_percent = 100.0 * 740000 / 1048576;

/// The sections as the script prints them, blank line first.
std::string render(const std::vector<probe_section>& sections) {
  std::string out = "\n";
  for (auto& [name, body] : sections)
    out += "==" + name + "\n" + body;
  return out;
}

std::vector<probe_section> without(std::vector<probe_section> sections,
                                   std::string_view name) {
  sections.erase(std::remove_if(sections.begin(), sections.end(),
                                [&](auto& s) { return s.first == name; }),
                 sections.end());
  return sections;
}

std::vector<probe_section> with(std::vector<probe_section> sections,
                                std::string_view name, std::string body) {
  for (auto& s : sections)
    if (s.first == name)
      s.second = std::move(body);
  return sections;
}

std::string crlf(std::string_view text) {
  std::string out;
  for (char c : text)
    out += c == '\n' ? std::string("\r\n") : std::string(1, c);
  return out;
}

void check_linux_values(const probe_reading& r) {
  BOOST_CHECK_EQUAL(r.error, "");
  BOOST_CHECK_EQUAL(r.os, "linux");
  BOOST_CHECK_EQUAL(r.arch, "x86_64");
  BOOST_CHECK_EQUAL(r.cpu_count, 2u);
  BOOST_REQUIRE(r.cpu_before);
  BOOST_CHECK_EQUAL(r.cpu_before->busy, 629249u + 130448u + 795u + 311u);
  BOOST_CHECK_EQUAL(r.cpu_before->total,
                    629249u + 130448u + 795u + 311u + 931994u + 2676u);
  BOOST_REQUIRE(r.cpu);
  BOOST_CHECK_EQUAL(r.cpu->busy, 629249u + 130449u + 795u + 311u);
  BOOST_CHECK_EQUAL(r.cpu->total,
                    629249u + 130449u + 795u + 311u + 932043u + 2676u);
  BOOST_CHECK(!r.cpu_percent);
  BOOST_CHECK_CLOSE(r.memory_percent,
                    100.0 * (24684096 - 24193508) / 24684096, 1e-9);
  BOOST_CHECK_CLOSE(r.load.one, 0.10, 1e-9);
  BOOST_CHECK_CLOSE(r.load.five, 0.82, 1e-9);
  BOOST_CHECK_CLOSE(r.load.fifteen, 1.35, 1e-9);
}

void check_darwin_values(const probe_reading& r) {
  BOOST_CHECK_EQUAL(r.error, "");
  BOOST_CHECK_EQUAL(r.os, "darwin");
  BOOST_CHECK_EQUAL(r.arch, "arm64");
  BOOST_CHECK_EQUAL(r.cpu_count, 10u);
  BOOST_CHECK(!r.cpu_before);
  BOOST_CHECK(!r.cpu);
  BOOST_REQUIRE(r.cpu_percent);
  BOOST_CHECK_CLOSE(*r.cpu_percent, 14.37, 1e-9);
  BOOST_CHECK_CLOSE(r.memory_percent, darwin_memory_percent, 1e-9);
  BOOST_CHECK_CLOSE(r.load.one, 2.43, 1e-9);
  BOOST_CHECK_CLOSE(r.load.five, 2.61, 1e-9);
  BOOST_CHECK_CLOSE(r.load.fifteen, 2.75, 1e-9);
}

/// Runs `command` through popen; its stdout and whether it exited 0.
std::pair<std::string, bool> run_locally(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe)
    return {out, false};
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, pipe))
    out.append(buf, n);
  return {out, ::pclose(pipe) == 0};
}

/// Shells to run the script with: /bin/sh always, bash and zsh when this
/// machine has them (the remote login shell may be any of the three).
std::vector<std::string> local_shells() {
  std::vector<std::string> shells{"/bin/sh"};
  for (const char* name : {"bash", "zsh"}) {
    if (std::system(("command -v " + std::string(name) + " >/dev/null 2>&1")
                      .c_str())
        == 0)
      shells.push_back(name);
    else
      BOOST_TEST_MESSAGE(name << " not installed: script not tried with it");
  }
  return shells;
}

} // namespace

BOOST_AUTO_TEST_SUITE(remote_probe)

BOOST_AUTO_TEST_CASE(probe_script_gap_is_fixed_point) {
  auto once = remote_probe_script(std::nullopt);
  BOOST_CHECK(once.find("sleep") == std::string::npos);
  BOOST_CHECK(once.find("==stat2") == std::string::npos);
  BOOST_CHECK(once.find("==stat\\n") != std::string::npos);
  using std::chrono::milliseconds;
  for (auto [gap, text] :
       {std::pair{milliseconds(250), "sleep 0.250\n"},
        std::pair{milliseconds(1500), "sleep 1.500\n"},
        std::pair{milliseconds(5), "sleep 0.005\n"},
        std::pair{milliseconds(0), "sleep 0.000\n"},
        std::pair{milliseconds(-40), "sleep 0.000\n"},
        std::pair{milliseconds(123456), "sleep 123.456\n"}}) {
    auto script = remote_probe_script(gap);
    BOOST_CHECK_MESSAGE(script.find(text) != std::string::npos,
                        "no '" << text << "' for " << gap.count() << " ms");
    BOOST_CHECK(script.find("==stat2") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(probe_linux_two_readings) {
  check_linux_values(parse_probe_output(render(linux_output())));
}

BOOST_AUTO_TEST_CASE(probe_linux_one_reading) {
  auto r = parse_probe_output(render(without(linux_output(), "stat2")));
  BOOST_CHECK_EQUAL(r.error, "");
  BOOST_CHECK(!r.cpu_before);
  BOOST_REQUIRE(r.cpu);
  // Without a second reading the one there is "now".
  BOOST_CHECK_EQUAL(r.cpu->busy, 629249u + 130448u + 795u + 311u);
  BOOST_CHECK_EQUAL(r.cpu->total,
                    629249u + 130448u + 795u + 311u + 931994u + 2676u);
  BOOST_CHECK_EQUAL(r.cpu_count, 2u);
}

BOOST_AUTO_TEST_CASE(probe_darwin) {
  check_darwin_values(parse_probe_output(render(darwin_output())));
}

BOOST_AUTO_TEST_CASE(probe_darwin_clamps_and_old_vm_stat) {
  // ps sums can exceed 100 * ncpu for a moment (decaying averages).
  auto r = parse_probe_output(render(with(darwin_output(), "cpu", "1234.5\n")));
  BOOST_REQUIRE(r.cpu_percent);
  BOOST_CHECK_EQUAL(*r.cpu_percent, 100.0);
  r = parse_probe_output(render(with(darwin_output(), "cpu", "0.0\n")));
  BOOST_REQUIRE(r.cpu_percent);
  BOOST_CHECK_EQUAL(*r.cpu_percent, 0.0);
  // Macs before 10.9 have no compressor: nothing to add.
  r = parse_probe_output(render(with(darwin_output(), "vm_stat",
    "Mach Virtual Memory Statistics: (page size of 4096 bytes)\n"
    "Pages free:                               1000.\n"
    "Pages active:                             2000.\n"
    "Pages wired down:                         1000.\n")));
  BOOST_CHECK_EQUAL(r.error, "");
  BOOST_CHECK_CLOSE(r.memory_percent, 100.0 * 3000 * 4096 / 17179869184.0,
                    1e-9);
  // Counts that claim more than hw.memsize: 100 %, not more.
  r = parse_probe_output(render(with(darwin_output(), "vm_stat",
    "Mach Virtual Memory Statistics: (page size of 16384 bytes)\n"
    "Pages active:                          9000000.\n"
    "Pages wired down:                      9000000.\n"
    "Pages occupied by compressor:          9000000.\n")));
  BOOST_CHECK_EQUAL(r.error, "");
  BOOST_CHECK_EQUAL(r.memory_percent, 100.0);
}

BOOST_AUTO_TEST_CASE(probe_crlf_and_blank_lines) {
  check_linux_values(parse_probe_output(crlf(render(linux_output()))));
  check_darwin_values(parse_probe_output(crlf(render(darwin_output()))));
  auto spaced = linux_output();
  for (auto& s : spaced)
    s.second = "\n" + s.second + "\n\n";
  check_linux_values(parse_probe_output(render(spaced)));
  check_linux_values(parse_probe_output(crlf(render(spaced))));
}

BOOST_AUTO_TEST_CASE(probe_junk_unknown_sections_and_order) {
  // What shell startup files print, the last line unterminated (the
  // script's leading newline ends it), and a banner that looks like a
  // marker.
  std::string motd = "Welcome to Ubuntu 22.04.4 LTS\n"
                     "====================\n"
                     "==os\nPlan 9\n"
                     "Last login: Tue Mar  5 10:12:01 2024 from 10.0.0.2\n"
                     "conda: base activated";
  check_linux_values(parse_probe_output(motd + render(linux_output())));
  check_darwin_values(parse_probe_output(motd + render(darwin_output())));

  auto extended = linux_output();
  extended.insert(extended.begin() + 3, {"gpu", "NVIDIA A100\n0 %\n"});
  extended.insert(extended.begin(), {"version", "2\n"});
  check_linux_values(parse_probe_output(render(extended)));

  auto reversed = linux_output();
  std::reverse(reversed.begin(), reversed.end());
  check_linux_values(parse_probe_output(render(reversed)));
  auto darwin_reversed = darwin_output();
  std::reverse(darwin_reversed.begin(), darwin_reversed.end());
  check_darwin_values(parse_probe_output(render(darwin_reversed)));
  // A Linux probe ignores what only macOS prints, and the other way round.
  auto mixed = linux_output();
  for (auto& s : darwin_output())
    if (s.first == "memsize" || s.first == "vm_stat" || s.first == "cpu")
      mixed.push_back(s);
  check_linux_values(parse_probe_output(render(mixed)));
}

BOOST_AUTO_TEST_CASE(probe_each_missing_section) {
  for (auto [name, error] :
       {std::pair{"os", "no uname -s section"},
        std::pair{"arch", "no uname -m section"},
        std::pair{"ncpu", "no CPU count section"},
        std::pair{"stat", "no /proc/stat section"},
        std::pair{"meminfo", "no /proc/meminfo section"},
        std::pair{"loadavg", "no /proc/loadavg section"},
        std::pair{"end", "probe output cut short (no ==end marker)"}}) {
    auto r = parse_probe_output(render(without(linux_output(), name)));
    BOOST_CHECK_MESSAGE(r.error == error, "linux without " << name << ": '"
                                                            << r.error << "'");
  }
  for (auto [name, error] :
       {std::pair{"os", "no uname -s section"},
        std::pair{"arch", "no uname -m section"},
        std::pair{"ncpu", "no CPU count section"},
        std::pair{"memsize", "no hw.memsize section"},
        std::pair{"vm_stat", "no vm_stat section"},
        std::pair{"loadavg", "no vm.loadavg section"},
        std::pair{"cpu", "no ps %cpu section"},
        std::pair{"end", "probe output cut short (no ==end marker)"}}) {
    auto r = parse_probe_output(render(without(darwin_output(), name)));
    BOOST_CHECK_MESSAGE(r.error == error, "darwin without " << name << ": '"
                                                             << r.error << "'");
  }
  for (std::string_view nothing :
       {"", "\n", "\r\n", "bash: line 1: sh: not found\n"}) {
    auto r = parse_probe_output(nothing);
    BOOST_CHECK_EQUAL(r.error, "no uname -s section");
  }
  // An error leaves nothing half-filled to be mistaken for a reading.
  auto r = parse_probe_output(render(without(linux_output(), "loadavg")));
  BOOST_CHECK(r.os.empty());
  BOOST_CHECK(!r.cpu);
  BOOST_CHECK_EQUAL(r.cpu_count, 0u);
}

BOOST_AUTO_TEST_CASE(probe_garbage_numbers) {
  struct bad_case {
    bool darwin;
    const char* section;
    const char* body;
    const char* error;
  };
  // Each: the section replaced, what came instead, the error it must give.
  for (auto& c : std::initializer_list<bad_case>{
         {false, "os", "\n", "malformed uname -s section: ''"},
         {false, "os", "Linux\nDarwin\n",
          "malformed uname -s section: 'Linux Darwin'"},
         {false, "arch", "", "malformed uname -m section: ''"},
         {false, "ncpu", "two\n", "malformed CPU count section: 'two'"},
         {false, "ncpu", "2\n4\n", "malformed CPU count section: '2 4'"},
         {false, "ncpu", "-2\n", "malformed CPU count section: '-2'"},
         {false, "ncpu", "99999999999\n",
          "malformed CPU count section: '99999999999'"},
         {false, "ncpu", "0\n", "CPU count is 0"},
         {true, "ncpu", "0\n", "CPU count is 0"},
         {false, "stat", "cpu  a b c d\n",
          "malformed /proc/stat section: 'cpu  a b c d'"},
         {false, "stat", "", "malformed /proc/stat section: ''"},
         {false, "stat2", "cpu  1 2\n",
          "malformed second /proc/stat section: 'cpu  1 2'"},
         {false, "meminfo", "MemTotal: 1000 MB\nMemAvailable: 10 kB\n",
          "malformed /proc/meminfo section: "
          "'MemTotal: 1000 MB MemAvailable: 10 kB'"},
         {false, "meminfo", "MemTotal:       24684096 kB\n",
          "malformed /proc/meminfo section: 'MemTotal:       24684096 kB'"},
         {false, "loadavg", "0.10 0.82\n",
          "malformed /proc/loadavg section: '0.10 0.82'"},
         {false, "loadavg", "0,10 0,82 1,35\n",
          "malformed /proc/loadavg section: '0,10 0,82 1,35'"},
         {true, "loadavg", "2.43 2.61 2.75\n",
          "malformed vm.loadavg section: '2.43 2.61 2.75'"},
         {true, "loadavg", "{ 2.43 2.61 }\n",
          "malformed vm.loadavg section: '{ 2.43 2.61 }'"},
         {true, "loadavg", "{ 2.43 x 2.75 }\n",
          "malformed vm.loadavg section: '{ 2.43 x 2.75 }'"},
         {true, "memsize", "0\n", "malformed hw.memsize section: '0'"},
         {true, "memsize", "16G\n", "malformed hw.memsize section: '16G'"},
         {true, "vm_stat", "Pages active: 5.\nPages wired down: 5.\n",
          "malformed vm_stat section: "
          "'Pages active: 5. Pages wired down: 5.'"},
         {true, "vm_stat",
          "(page size of 0 bytes)\nPages active: 5.\nPages wired down: 5.\n",
          "malformed vm_stat section: "
          "'(page size of 0 bytes) Pages active: 5. Pages wired down: 5.'"},
         // No wired pages.
         {true, "vm_stat", "(page size of 4096 bytes)\nPages active: 5.\n",
          "malformed vm_stat section: "
          "'(page size of 4096 bytes) Pages active: 5.'"},
         // No trailing dot: not what vm_stat prints. Long text is cut.
         {true, "vm_stat",
          "(page size of 16384 bytes)\nPages active: 5\nPages wired down: 5.\n",
          "malformed vm_stat section: "
          "'(page size of 16384 bytes) Pages active: 5 Pages wired down:...'"},
         {true, "vm_stat",
          "(page size of 4096 bytes)\nPages active: x.\nPages wired down: 5.\n",
          "malformed vm_stat section: "
          "'(page size of 4096 bytes) Pages active: x. Pages wired down:...'"},
         {true, "cpu", "12,5\n", "malformed ps %cpu section: '12,5'"},
         {true, "cpu", "-3.0\n", "malformed ps %cpu section: '-3.0'"},
         {true, "cpu", "", "malformed ps %cpu section: ''"}}) {
    auto base = c.darwin ? darwin_output() : linux_output();
    auto r = parse_probe_output(render(with(base, c.section, c.body)));
    BOOST_CHECK_MESSAGE(r.error == c.error, c.section << " '" << c.body
                                                      << "': got '" << r.error
                                                      << "'");
  }
}

BOOST_AUTO_TEST_CASE(probe_unsupported_os) {
  auto r = parse_probe_output(render(with(linux_output(), "os", "FreeBSD\n")));
  BOOST_CHECK_EQUAL(r.error, "unsupported OS 'FreeBSD'");
  r = parse_probe_output(
    render(with(linux_output(), "os", "  MINGW64_NT-10.0-19045 \r\n")));
  BOOST_CHECK_EQUAL(r.error, "unsupported OS 'MINGW64_NT-10.0-19045'");
  // Bytes from the node never reach an error message raw.
  r = parse_probe_output(
    render(with(linux_output(), "os", "\x01" "Be\xff" "OS\n")));
  BOOST_CHECK_EQUAL(r.error, "unsupported OS '?Be?OS'");
  // An unknown architecture is reported as it is, not refused.
  r = parse_probe_output(render(with(linux_output(), "arch", "riscv64\n")));
  BOOST_CHECK_EQUAL(r.error, "");
  BOOST_CHECK_EQUAL(r.arch, "riscv64");
  r = parse_probe_output(render(with(linux_output(), "arch", "aarch64\n")));
  BOOST_CHECK_EQUAL(r.arch, "arm64");
}

BOOST_AUTO_TEST_CASE(probe_script_runs_here) {
  auto script = remote_probe_script(std::chrono::milliseconds(200));
  auto u = transport::local_uname();
  for (auto& shell : local_shells()) {
    BOOST_TEST_CONTEXT("shell " << shell) {
      auto [out, ok] =
        run_locally(shell + " -c " + transport::shell_quote(script));
      BOOST_CHECK(ok);
      auto r = parse_probe_output(out);
      BOOST_CHECK_EQUAL(r.error, "");
      BOOST_CHECK_EQUAL(r.os, "linux");
      BOOST_CHECK_EQUAL(r.arch, normalize_arch(u.machine));
      BOOST_CHECK_GE(r.cpu_count, 1u);
      BOOST_CHECK_EQUAL(r.cpu_count, transport::online_cpu_count());
      BOOST_REQUIRE(r.cpu_before);
      BOOST_REQUIRE(r.cpu);
      // 200 ms are 20 ticks of USER_HZ per CPU: the counters moved.
      BOOST_CHECK_GT(r.cpu->total, r.cpu_before->total);
      BOOST_CHECK_GT(r.memory_percent, 0.0);
      BOOST_CHECK_LE(r.memory_percent, 100.0);
      BOOST_CHECK_GE(r.load.one, 0.0);
    }
  }
  auto [once, ok] = run_locally(
    "/bin/sh -c " + transport::shell_quote(remote_probe_script(std::nullopt)));
  BOOST_CHECK(ok);
  auto r = parse_probe_output(once);
  BOOST_CHECK_EQUAL(r.error, "");
  BOOST_CHECK(r.cpu);
  BOOST_CHECK(!r.cpu_before);
}

BOOST_AUTO_TEST_CASE(probe_script_darwin_branch_runs_here) {
  // macOS commands stood in by small scripts printing what a Mac prints,
  // first on PATH: the Darwin branch's quoting and the awk sum run for real.
  auto dir = std::filesystem::temp_directory_path()
             / ("node_probe_test." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto stand_in = [&](const char* name, const std::string& body) {
    auto path = dir / name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  };
  stand_in("uname", "case \"$1\" in -s) echo Darwin;; -m) echo arm64;; esac\n");
  stand_in("sysctl", "case \"$2\" in hw.ncpu) echo 10;; "
                     "hw.memsize) echo 17179869184;; "
                     "vm.loadavg) echo '{ 2.43 2.61 2.75 }';; esac\n");
  std::string vm_stat_text;
  for (auto& s : darwin_output())
    if (s.first == "vm_stat")
      vm_stat_text = s.second;
  stand_in("vm_stat", "cat <<'END'\n" + vm_stat_text + "END\n");
  // What `ps -A -o %cpu=` prints: right-aligned, one process per line.
  stand_in("ps", "printf '%s\\n' '  0.0' ' 99.0' ' 40.5' '  4.2'\n");
  auto script = remote_probe_script(std::chrono::milliseconds(250));
  for (auto& shell : local_shells()) {
    BOOST_TEST_CONTEXT("shell " << shell) {
      auto [out, ok] =
        run_locally("PATH=" + transport::shell_quote(dir.string())
                    + ":\"$PATH\" " + shell + " -c "
                    + transport::shell_quote(script));
      BOOST_CHECK(ok);
      check_darwin_values(parse_probe_output(out));
      BOOST_CHECK(out.find("==cpu\n143.7\n") != std::string::npos);
    }
  }
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
