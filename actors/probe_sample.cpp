#include "actors/probe_sample.hpp"

#include <algorithm>

namespace cluster {

node_sample unsampled(const node_info& node) {
  node_sample s;
  s.node = node.id;
  s.os = node.os;
  s.arch = node.arch;
  s.capabilities = node.capabilities;
  return s;
}

node_sample sample_from(const node_info& node, const probe_reading& reading,
                        const std::optional<cpu_times>& last_cpu,
                        std::int64_t now_ms) {
  auto s = unsampled(node);
  s.sampled = true;
  s.reachable = true;
  s.os = reading.os;
  s.arch = reading.arch;
  s.cpu_count = reading.cpu_count;
  s.memory_percent = reading.memory_percent;
  s.load_1m = reading.load.one;
  s.load_5m = reading.load.five;
  s.load_15m = reading.load.fifteen;
  s.sampled_at_ms = now_ms;
  if (reading.cpu_percent)
    s.cpu_percent = *reading.cpu_percent;
  else if (reading.cpu_before && reading.cpu)
    s.cpu_percent = cpu_percent_between(*reading.cpu_before, *reading.cpu);
  else if (last_cpu && reading.cpu)
    s.cpu_percent = cpu_percent_between(*last_cpu, *reading.cpu);
  if (reading.os != node.os || reading.arch != node.arch)
    s.mismatch = "configured " + node.os + "/" + node.arch + ", found "
                 + reading.os + "/" + reading.arch;
  return s;
}

node_sample unreachable_sample(const node_info& node,
                               const node_sample& previous,
                               const std::string& why, std::int64_t now_ms) {
  auto s = unsampled(node);
  s.sampled = true;
  s.reachable = false;
  s.error = why;
  s.failures = previous.reachable || !previous.sampled ? 1
                                                       : previous.failures + 1;
  s.sampled_at_ms = now_ms;
  return s;
}

std::string probe_failure_text(const run_result& r) {
  if (r.error != error_class::none && r.error != error_class::command)
    return r.error_message.empty() ? to_string(r.error) : r.error_message;
  std::string text = "the probe exited "
                     + (r.exit_code ? std::to_string(*r.exit_code)
                                    : std::string{"without a status"});
  auto err = r.err.text;
  while (!err.empty() && (err.back() == '\n' || err.back() == '\r'))
    err.pop_back();
  if (!err.empty())
    text += ": " + err.substr(0, 200);
  return text;
}

std::chrono::milliseconds probe_backoff(std::chrono::milliseconds interval,
                                        std::uint32_t failures) {
  auto shift = std::min<std::uint32_t>(failures == 0 ? 0 : failures - 1, 5);
  return interval * (1u << shift);
}

} // namespace cluster
