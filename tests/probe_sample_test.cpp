#include "actors/probe_sample.hpp"

#include <boost/test/unit_test.hpp>

using namespace cluster;

namespace {

node_info builder() {
  node_info n;
  n.id = "builder";
  n.os = "linux";
  n.arch = "x86_64";
  n.capabilities = {"docker"};
  return n;
}

probe_reading linux_reading() {
  probe_reading r;
  r.os = "linux";
  r.arch = "x86_64";
  r.cpu_count = 8;
  r.cpu = cpu_times{300, 1000};
  r.memory_percent = 42.5;
  r.load = load_averages{1.5, 1.25, 1.0};
  return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(probe_sample)

BOOST_AUTO_TEST_CASE(unsampled_nodes_carry_only_their_configuration) {
  auto s = unsampled(builder());
  BOOST_TEST(s.node == "builder");
  BOOST_TEST(!s.sampled);
  BOOST_TEST(!s.reachable);
  BOOST_TEST(s.os == "linux");
  BOOST_TEST(s.capabilities == std::vector<std::string>{"docker"});
}

BOOST_AUTO_TEST_CASE(a_reading_becomes_a_reachable_sample) {
  auto s = sample_from(builder(), linux_reading(), std::nullopt, 1234);
  BOOST_TEST(s.sampled);
  BOOST_TEST(s.reachable);
  BOOST_TEST(s.cpu_count == 8u);
  BOOST_TEST(s.memory_percent == 42.5);
  BOOST_TEST(s.load_1m == 1.5);
  BOOST_TEST(s.load_5m == 1.25);
  BOOST_TEST(s.load_15m == 1.0);
  BOOST_TEST(s.sampled_at_ms == 1234);
  BOOST_TEST(s.mismatch.empty());
  BOOST_TEST(s.failures == 0u);
  // One reading and no earlier one: no CPU % can be known yet.
  BOOST_TEST(s.cpu_percent == 0.0);
}

BOOST_AUTO_TEST_CASE(cpu_percent_comes_from_two_readings) {
  auto r = linux_reading();
  // The previous probe's reading: 100 of the 400 jiffies since were busy.
  auto s = sample_from(builder(), r, cpu_times{200, 600}, 1);
  BOOST_TEST(s.cpu_percent == 25.0);
  // Two readings in one probe win over the previous probe's.
  r.cpu_before = cpu_times{280, 800};
  s = sample_from(builder(), r, cpu_times{200, 600}, 1);
  BOOST_TEST(s.cpu_percent == 10.0);
}

BOOST_AUTO_TEST_CASE(a_node_measured_cpu_percent_is_used_as_is) {
  auto r = linux_reading();
  r.os = "darwin";
  r.arch = "arm64";
  r.cpu.reset();
  r.cpu_percent = 37.5;
  auto n = builder();
  n.os = "darwin";
  n.arch = "arm64";
  BOOST_TEST(sample_from(n, r, std::nullopt, 1).cpu_percent == 37.5);
}

BOOST_AUTO_TEST_CASE(a_platform_unlike_the_configuration_is_reported) {
  auto r = linux_reading();
  r.arch = "arm64";
  auto s = sample_from(builder(), r, std::nullopt, 1);
  BOOST_TEST(s.mismatch == "configured linux/x86_64, found linux/arm64");
  BOOST_TEST(s.arch == "arm64");
  BOOST_TEST(s.reachable);
}

BOOST_AUTO_TEST_CASE(failures_in_a_row_are_counted) {
  auto ok = sample_from(builder(), linux_reading(), std::nullopt, 1);
  auto first = unreachable_sample(builder(), ok, "connection refused", 2);
  BOOST_TEST(first.sampled);
  BOOST_TEST(!first.reachable);
  BOOST_TEST(first.error == "connection refused");
  BOOST_TEST(first.failures == 1u);
  BOOST_TEST(first.cpu_count == 0u);
  BOOST_TEST(first.os == "linux");
  auto second = unreachable_sample(builder(), first, "timed out", 3);
  BOOST_TEST(second.failures == 2u);
  BOOST_TEST(unreachable_sample(builder(), unsampled(builder()), "x", 4)
               .failures
             == 1u);
}

BOOST_AUTO_TEST_CASE(failure_text_names_the_cause) {
  run_result r;
  r.error = error_class::connection;
  r.error_message = "connect to 127.0.1.2:22: connection refused";
  BOOST_TEST(probe_failure_text(r) == r.error_message);
  r = run_result{};
  r.error = error_class::command;
  r.exit_code = 127;
  r.err.text = "sh: 1: uname: not found\n";
  BOOST_TEST(probe_failure_text(r)
             == "the probe exited 127: sh: 1: uname: not found");
  r = run_result{};
  r.error = error_class::timeout;
  BOOST_TEST(probe_failure_text(r) == "timeout");
}

BOOST_AUTO_TEST_CASE(backoff_doubles_up_to_a_cap) {
  using std::chrono::milliseconds;
  auto interval = milliseconds{2000};
  BOOST_TEST(probe_backoff(interval, 0).count() == 2000);
  BOOST_TEST(probe_backoff(interval, 1).count() == 2000);
  BOOST_TEST(probe_backoff(interval, 2).count() == 4000);
  BOOST_TEST(probe_backoff(interval, 4).count() == 16000);
  BOOST_TEST(probe_backoff(interval, 6).count() == 64000);
  BOOST_TEST(probe_backoff(interval, 60).count() == 64000);
}

BOOST_AUTO_TEST_SUITE_END()
