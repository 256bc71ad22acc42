// Parsers for what /proc and uname report, on samples and on this machine.

#include "actors/node_probe.hpp"
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

// Captured from a Linux 6.1 machine, trimmed.
constexpr std::string_view proc_stat_sample =
  "cpu  10132153 290696 3084719 46828483 16683 0 25195 0 175628 0\n"
  "cpu0 1393280 32966 572056 13343292 6130 0 17875 0 23933 0\n"
  "cpu1 1335434 35542 436289 11009345 2866 0 2425 0 22007 0\n"
  "intr 199292345 9 0 0 0 0 0 0 0 1 0 0 0 0 0 0\n"
  "ctxt 339284553\n"
  "btime 1700000000\n"
  "processes 1234567\n"
  "procs_running 2\n"
  "procs_blocked 0\n";

constexpr std::string_view meminfo_sample =
  "MemTotal:       16318412 kB\n"
  "MemFree:         1234567 kB\n"
  "MemAvailable:    8159206 kB\n"
  "Buffers:          123456 kB\n"
  "Cached:          5678901 kB\n"
  "SwapTotal:       2097148 kB\n"
  "HugePages_Total:       0\n";

} // namespace

BOOST_AUTO_TEST_SUITE(node_probe)

BOOST_AUTO_TEST_CASE(proc_stat_with_ten_fields) {
  auto t = parse_proc_stat(proc_stat_sample);
  BOOST_REQUIRE(t);
  // user+nice+system+irq+softirq+steal; guest (175628) is inside user.
  BOOST_CHECK_EQUAL(t->busy, 10132153u + 290696u + 3084719u + 0u + 25195u);
  BOOST_CHECK_EQUAL(t->total, t->busy + 46828483u + 16683u);
}

BOOST_AUTO_TEST_CASE(proc_stat_old_kernels) {
  // Linux 2.6.0 to 2.6.10: no steal, no guest.
  auto t = parse_proc_stat("cpu  1000 20 300 5000 40 6 7\ncpu0 1 2 3 4 5 6 7\n");
  BOOST_REQUIRE(t);
  BOOST_CHECK_EQUAL(t->busy, 1000u + 20u + 300u + 6u + 7u);
  BOOST_CHECK_EQUAL(t->total, 1333u + 5000u + 40u);
  // Linux 2.4: four counters.
  t = parse_proc_stat("cpu  10 0 5 85\n");
  BOOST_REQUIRE(t);
  BOOST_CHECK_EQUAL(t->busy, 15u);
  BOOST_CHECK_EQUAL(t->total, 100u);
}

BOOST_AUTO_TEST_CASE(proc_stat_cpu_line_need_not_come_first) {
  auto t = parse_proc_stat("intr 5\r\ncpu  1 2 3 4 5 6 7 8 9 10\r\n");
  BOOST_REQUIRE(t);
  BOOST_CHECK_EQUAL(t->busy, 1u + 2u + 3u + 6u + 7u + 8u);
  BOOST_CHECK_EQUAL(t->total, t->busy + 4u + 5u);
}

BOOST_AUTO_TEST_CASE(proc_stat_malformed) {
  for (std::string_view bad :
       {"", "\n", "cpu0 1 2 3 4 5 6 7\n", "cpu  a b c d\n", "cpu  1 2 3\n",
        "cpu  1 2 3 -4\n", "cpu  1 2 3 4x\n", "intr 1 2 3 4 5\n", "cpu\n",
        " cpu  1 2 3 4\n", "cpu  1 2 3 4 5 6 7 8 9 99999999999999999999999\n"})
    BOOST_CHECK_MESSAGE(!parse_proc_stat(bad), "accepted: " << bad);
}

BOOST_AUTO_TEST_CASE(cpu_percent_math) {
  BOOST_CHECK_CLOSE(cpu_percent_between({100, 1000}, {150, 1100}), 50.0,
                    1e-9);
  BOOST_CHECK_EQUAL(cpu_percent_between({100, 1000}, {100, 1100}), 0.0);
  BOOST_CHECK_EQUAL(cpu_percent_between({100, 1000}, {200, 1100}), 100.0);
  // No time passed, counters reset, inconsistent samples: all clamp.
  BOOST_CHECK_EQUAL(cpu_percent_between({100, 1000}, {100, 1000}), 0.0);
  BOOST_CHECK_EQUAL(cpu_percent_between({100, 1000}, {10, 500}), 0.0);
  BOOST_CHECK_EQUAL(cpu_percent_between({100, 1000}, {90, 1100}), 0.0);
  BOOST_CHECK_EQUAL(cpu_percent_between({0, 0}, {500, 100}), 100.0);
}

BOOST_AUTO_TEST_CASE(meminfo_percent) {
  auto p = parse_meminfo_percent(meminfo_sample);
  BOOST_REQUIRE(p);
  BOOST_CHECK_CLOSE(*p, 50.0, 1e-9);
  p = parse_meminfo_percent("MemTotal: 1000 kB\nMemAvailable: 250 kB\n");
  BOOST_REQUIRE(p);
  BOOST_CHECK_CLOSE(*p, 75.0, 1e-9);
  // More available than total (odd, but seen in containers): 0 %, not < 0.
  p = parse_meminfo_percent("MemTotal: 1000 kB\nMemAvailable: 2000 kB\n");
  BOOST_REQUIRE(p);
  BOOST_CHECK_EQUAL(*p, 0.0);
}

BOOST_AUTO_TEST_CASE(meminfo_malformed) {
  for (std::string_view bad :
       {"", "MemTotal: 1000 kB\n", "MemAvailable: 10 kB\n",
        "MemTotal: 0 kB\nMemAvailable: 0 kB\n",
        "MemTotal: abc kB\nMemAvailable: 10 kB\n",
        "MemTotal: 1000 MB\nMemAvailable: 10 kB\n",
        "MemTotal: -1000 kB\nMemAvailable: 10 kB\n",
        "MemTotal:\nMemAvailable: 10 kB\n",
        "MemTotalX: 1000 kB\nMemAvailable: 10 kB\n"})
    BOOST_CHECK_MESSAGE(!parse_meminfo_percent(bad), "accepted: " << bad);
}

BOOST_AUTO_TEST_CASE(loadavg) {
  auto l = parse_loadavg("0.52 0.58 0.59 1/1234 56789\n");
  BOOST_REQUIRE(l);
  BOOST_CHECK_CLOSE(l->one, 0.52, 1e-9);
  BOOST_CHECK_CLOSE(l->five, 0.58, 1e-9);
  BOOST_CHECK_CLOSE(l->fifteen, 0.59, 1e-9);
  l = parse_loadavg("12.00 3.50 0.00");
  BOOST_REQUIRE(l);
  BOOST_CHECK_EQUAL(l->one, 12.0);
  BOOST_CHECK_EQUAL(l->fifteen, 0.0);
}

BOOST_AUTO_TEST_CASE(loadavg_malformed) {
  for (std::string_view bad :
       {"", "\n", "0.5 0.6", "a b c", "-1 0 0", "nan 1 1", "inf 1 1",
        "1,5 1 1", "0.5x 1 1", "1e3 1 1"})
    BOOST_CHECK_MESSAGE(!parse_loadavg(bad), "accepted: " << bad);
}

BOOST_AUTO_TEST_CASE(os_and_arch_names) {
  BOOST_CHECK_EQUAL(normalize_os("Linux"), "linux");
  BOOST_CHECK_EQUAL(normalize_os("Darwin\n"), "darwin");
  BOOST_CHECK_EQUAL(normalize_os("FreeBSD"), "freebsd");
  BOOST_CHECK_EQUAL(normalize_arch("x86_64"), "x86_64");
  BOOST_CHECK_EQUAL(normalize_arch("amd64"), "x86_64");
  BOOST_CHECK_EQUAL(normalize_arch("aarch64\n"), "arm64");
  BOOST_CHECK_EQUAL(normalize_arch("arm64"), "arm64");
  BOOST_CHECK_EQUAL(normalize_arch("riscv64"), "riscv64");
  BOOST_CHECK_EQUAL(normalize_arch("armv7l"), "armv7l");
}

BOOST_AUTO_TEST_CASE(read_small_file_edge_cases) {
  BOOST_CHECK(!transport::read_small_file("/nonexistent/for/sure"));
  BOOST_CHECK(!transport::read_small_file("/"));
  auto empty = transport::read_small_file("/dev/null");
  BOOST_REQUIRE(empty);
  BOOST_CHECK(empty->empty());
  // An endless file is cut off rather than read forever.
  auto zeros = transport::read_small_file("/dev/zero");
  BOOST_REQUIRE(zeros);
  BOOST_CHECK_LE(zeros->size(), 1024u * 1024u);
}

BOOST_AUTO_TEST_CASE(this_machine) {
  auto stat1 = transport::read_small_file("/proc/stat");
  BOOST_REQUIRE(stat1);
  auto t1 = parse_proc_stat(*stat1);
  BOOST_REQUIRE(t1);
  // Burn a little CPU so that some jiffies pass on a quiet machine.
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(60);
  volatile unsigned spin = 0;
  while (std::chrono::steady_clock::now() < until)
    spin = spin + 1;
  auto t2 = parse_proc_stat(*transport::read_small_file("/proc/stat"));
  BOOST_REQUIRE(t2);
  BOOST_CHECK_GE(t2->total, t1->total);
  BOOST_CHECK_LE(t1->busy, t1->total);
  auto pct = cpu_percent_between(*t1, *t2);
  BOOST_CHECK_GE(pct, 0.0);
  BOOST_CHECK_LE(pct, 100.0);

  auto meminfo = transport::read_small_file("/proc/meminfo");
  BOOST_REQUIRE(meminfo);
  auto mem = parse_meminfo_percent(*meminfo);
  BOOST_REQUIRE(mem);
  BOOST_CHECK_GT(*mem, 0.0);
  BOOST_CHECK_LE(*mem, 100.0);

  auto loadavg = transport::read_small_file("/proc/loadavg");
  BOOST_REQUIRE(loadavg);
  auto load = parse_loadavg(*loadavg);
  BOOST_REQUIRE(load);
  BOOST_CHECK_GE(load->one, 0.0);
  BOOST_CHECK_LT(load->one, 100000.0);

  auto u = transport::local_uname();
  BOOST_CHECK_EQUAL(normalize_os(u.sysname), "linux");
  BOOST_CHECK(!u.machine.empty());
  BOOST_CHECK(!u.nodename.empty());
  auto arch = normalize_arch(u.machine);
  BOOST_CHECK(!arch.empty());
  auto cpus = transport::online_cpu_count();
  BOOST_CHECK_GE(cpus, 1u);
  BOOST_CHECK_LE(cpus, 65536u);
}

BOOST_AUTO_TEST_SUITE_END()
