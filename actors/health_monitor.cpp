#include "actors/health_monitor.hpp"

#include "actors/node_probe.hpp"
#include "transport/log.hpp"
#include "transport/proc_files.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <optional>
#include <vector>

namespace cluster {

namespace {

// The first CPU % needs a second reading; take it soon after start so that
// the first cluster_status does not wait a whole interval.
constexpr auto first_delta = std::chrono::milliseconds{250};

struct health_state {
  static inline const char* name = "health_monitor";
  node_info local;
  std::vector<node_info> remote;  // listed in snapshots; not probed yet
  router_actor router;
  settings cfg;
  std::optional<cpu_times> last_cpu;
  std::optional<node_sample> latest;
  std::vector<caf::typed_response_promise<cluster_snapshot>> waiting;
};

using health_pointer = health_monitor_actor::stateful_pointer<health_state>;

std::int64_t unix_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
    .count();
}

// Reads the local /proc: procfs answers from kernel memory and never waits
// on a device or the network, so this is safe on a scheduler thread.
node_sample sample_local(health_state& st) {
  node_sample s;
  s.node = st.local.id;
  s.sampled = true;
  s.os = st.local.os;
  s.arch = st.local.arch;
  s.cpu_count = transport::online_cpu_count();
  s.sampled_at_ms = unix_ms();
  auto stat = transport::read_small_file("/proc/stat");
  auto mem = transport::read_small_file("/proc/meminfo");
  auto load = transport::read_small_file("/proc/loadavg");
  auto cpu = stat ? parse_proc_stat(*stat) : std::nullopt;
  auto mem_pct = mem ? parse_meminfo_percent(*mem) : std::nullopt;
  auto loads = load ? parse_loadavg(*load) : std::nullopt;
  if (!cpu || !mem_pct || !loads) {
    s.reachable = false;
    s.error = "cannot read /proc (stat, meminfo, loadavg) of the local node";
    return s;
  }
  s.reachable = true;
  if (st.last_cpu)
    s.cpu_percent = cpu_percent_between(*st.last_cpu, *cpu);
  st.last_cpu = cpu;
  s.memory_percent = *mem_pct;
  s.load_1m = loads->one;
  s.load_5m = loads->five;
  s.load_15m = loads->fifteen;
  return s;
}

cluster_snapshot snapshot_of(const health_state& st) {
  cluster_snapshot snap;
  snap.local_node = st.local.id;
  if (st.latest)
    snap.nodes.push_back(*st.latest);
  // Remote nodes are listed so status shows the whole cluster, marked as
  // unsampled: this monitor probes only the local node so far.
  for (auto& n : st.remote) {
    node_sample s;
    s.node = n.id;
    s.os = n.os;
    s.arch = n.arch;
    snap.nodes.push_back(std::move(s));
  }
  return snap;
}

void take_sample(health_pointer self) {
  auto& st = self->state;
  auto had_reading = st.last_cpu.has_value();
  auto s = sample_local(st);
  if (!had_reading && s.reachable)
    return; // only the baseline reading so far
  st.latest = s;
  self->send(st.router, atom::update_v, std::move(s));
  for (auto& p : st.waiting)
    p.deliver(snapshot_of(st));
  st.waiting.clear();
}

health_monitor_actor::behavior_type
health_monitor(health_pointer self, std::vector<node_info> nodes,
               router_actor router, settings cfg) {
  auto& st = self->state;
  for (auto& n : nodes)
    (n.local ? st.local : st.remote.emplace_back()) = std::move(n);
  st.router = std::move(router);
  st.cfg = cfg;
  take_sample(self);
  self->delayed_send(self, first_delta, atom::tick_v);
  return {
    [=](atom::get, atom::snapshot) -> caf::result<cluster_snapshot> {
      auto& st = self->state;
      if (!st.latest) {
        st.waiting.push_back(self->make_response_promise<cluster_snapshot>());
        return st.waiting.back();
      }
      return snapshot_of(st);
    },
    [=](atom::tick) {
      take_sample(self);
      self->delayed_send(self, self->state.cfg.health_interval, atom::tick_v);
    },
  };
}

} // namespace

health_monitor_actor spawn_health_monitor(caf::actor_system& sys,
                                          std::vector<node_info> nodes,
                                          router_actor router, settings cfg) {
  return sys.spawn(health_monitor, std::move(nodes), std::move(router),
                   std::move(cfg));
}

} // namespace cluster
