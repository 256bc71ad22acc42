#include "actors/health_monitor.hpp"

#include "actors/node_probe.hpp"
#include "actors/probe_sample.hpp"
#include "transport/log.hpp"
#include "transport/wall_clock.hpp"
#include "transport/proc_files.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

namespace cluster {

namespace {

using std::chrono::steady_clock;

// The first CPU % needs a second reading; take it soon after start so that
// the first cluster_status does not wait a whole interval. Remote probes
// take both readings this far apart within one round trip.
constexpr auto first_delta = std::chrono::milliseconds{250};

// A probe prints a few hundred bytes; anything near this is not our script.
constexpr std::uint32_t probe_output_limit = 64 * 1024;

struct tracked_node {
  node_info info;
  executor_actor executor;
  node_sample latest;                 // sampled == false until the first answer
  std::optional<cpu_times> last_cpu;  // for the next CPU % delta
  steady_clock::time_point cpu_read_at{};  // when last_cpu was read
  bool in_flight = false;
  steady_clock::time_point due{};     // earliest next probe (backoff)
};

// A snapshot request waiting for some nodes' next sample.
struct waiter {
  caf::typed_response_promise<cluster_snapshot> promise;
  std::vector<bool> pending;  // indexed like health_state::nodes
};

struct health_state {
  static inline const char* name = "health_monitor";
  std::vector<tracked_node> nodes;
  std::size_t local = 0;
  router_actor router;
  settings cfg;
  bool sample_remote = true;  // probe remote nodes on the timer too
  std::uint64_t probes = 0;  // numbers probe task ids
  std::vector<waiter> waiting;
};

using health_pointer = health_monitor_actor::stateful_pointer<health_state>;

cluster_snapshot snapshot_of(const health_state& st) {
  cluster_snapshot snap;
  snap.local_node = st.nodes[st.local].info.id;
  for (auto& n : st.nodes)
    snap.nodes.push_back(n.latest);
  return snap;
}

// Answers the snapshot requests that wait for nothing more.
void deliver_ready(health_state& st) {
  auto done = std::stable_partition(
    st.waiting.begin(), st.waiting.end(), [](const waiter& w) {
      return std::find(w.pending.begin(), w.pending.end(), true)
             != w.pending.end();
    });
  if (done == st.waiting.end())
    return;
  auto snap = snapshot_of(st);
  for (auto w = done; w != st.waiting.end(); ++w)
    w->promise.deliver(snap);
  st.waiting.erase(done, st.waiting.end());
}

// Records node i's new sample, tells the router, and answers the snapshot
// requests that were waiting for it.
void publish(health_pointer self, std::size_t i, node_sample s) {
  auto& st = self->state;
  auto& n = st.nodes[i];
  if (s.mismatch != n.latest.mismatch && !s.mismatch.empty())
    transport::log(log_level::warning, "node ", n.info.id, ": ", s.mismatch);
  if (s.reachable != n.latest.reachable || !n.latest.sampled)
    transport::log(s.reachable ? log_level::info : log_level::warning,
                   "node ", n.info.id, ": ",
                   s.reachable ? "reachable" : "unreachable: " + s.error);
  n.latest = s;
  self->send(st.router, atom::update_v, std::move(s));
  for (auto& w : st.waiting)
    w.pending[i] = false;
  deliver_ready(st);
}

// Reads the local /proc: procfs answers from kernel memory and never waits
// on a device or the network, so this is safe on a scheduler thread.
void sample_local(health_pointer self) {
  auto& st = self->state;
  auto& n = st.nodes[st.local];
  auto now = steady_clock::now();
  // Jiffies tick every 10 ms: a CPU % over a few ms says nothing.
  auto too_soon = n.last_cpu && now - n.cpu_read_at < first_delta;
  auto stat = transport::read_small_file("/proc/stat");
  auto mem = transport::read_small_file("/proc/meminfo");
  auto load = transport::read_small_file("/proc/loadavg");
  probe_reading r;
  r.os = n.info.os;
  r.arch = n.info.arch;
  r.cpu_count = transport::online_cpu_count();
  r.cpu = stat ? parse_proc_stat(*stat) : std::nullopt;
  auto mem_pct = mem ? parse_meminfo_percent(*mem) : std::nullopt;
  auto loads = load ? parse_loadavg(*load) : std::nullopt;
  if (!r.cpu || !mem_pct || !loads) {
    publish(self, st.local,
            unreachable_sample(n.info, n.latest,
                               "cannot read /proc (stat, meminfo, loadavg) "
                               "of the local node",
                               transport::unix_now_ms()));
    n.last_cpu.reset();
    return;
  }
  r.memory_percent = *mem_pct;
  r.load = *loads;
  if (too_soon) {
    if (!n.latest.sampled || !n.latest.reachable)
      return;  // the first tick publishes the first full sample
    // Fresh memory and load; CPU % of the window that ended moments ago.
    auto s = sample_from(n.info, r, std::nullopt, transport::unix_now_ms());
    s.cpu_percent = n.latest.cpu_percent;
    publish(self, st.local, std::move(s));
    return;
  }
  auto before = std::exchange(n.last_cpu, r.cpu);
  n.cpu_read_at = now;
  if (!before)
    return;  // only the baseline reading so far
  publish(self, st.local, sample_from(n.info, r, before, transport::unix_now_ms()));
}

void probe_failed(health_pointer self, std::size_t i, const std::string& why) {
  auto& st = self->state;
  auto& n = st.nodes[i];
  n.in_flight = false;
  n.last_cpu.reset();  // the node may have rebooted: take two readings again
  auto s = unreachable_sample(n.info, n.latest, why, transport::unix_now_ms());
  n.due = steady_clock::now()
          + probe_backoff(st.cfg.health_interval, s.failures);
  publish(self, i, std::move(s));
}

// With `carry`, the probe took one reading right after the last: its memory
// and load are fresh, its CPU % is the last window's.
void probe_answered(health_pointer self, std::size_t i, const run_result& r,
                    bool carry) {
  auto& n = self->state.nodes[i];
  if (!r.ok()) {
    probe_failed(self, i, probe_failure_text(r));
    return;
  }
  auto reading = parse_probe_output(r.out.text);
  if (!reading.error.empty()) {
    probe_failed(self, i, "the probe's output is unusable: " + reading.error);
    return;
  }
  n.in_flight = false;
  n.due = steady_clock::now();
  if (carry && n.latest.sampled && n.latest.reachable) {
    auto s = sample_from(n.info, reading, std::nullopt, transport::unix_now_ms());
    s.cpu_percent = n.latest.cpu_percent;
    publish(self, i, std::move(s));
    return;
  }
  auto s = sample_from(n.info, reading, n.last_cpu, transport::unix_now_ms());
  n.last_cpu = reading.cpu;
  n.cpu_read_at = n.due;
  publish(self, i, std::move(s));
}

void probe(health_pointer self, std::size_t i) {
  auto& st = self->state;
  auto& n = st.nodes[i];
  n.in_flight = true;
  run_request req;
  req.task_id = "probe-" + n.info.id + "-" + std::to_string(++st.probes);
  // Without an earlier reading the script takes two itself. One only
  // moments old (a refresh right after a probe) gives no CPU % worth having:
  // the last window's is kept instead of waiting for a new one.
  auto carry = n.last_cpu
               && steady_clock::now() - n.cpu_read_at < first_delta;
  req.command = remote_probe_script(n.last_cpu ? std::nullopt
                                               : std::optional{first_delta});
  req.timeout_ms = static_cast<std::uint32_t>(st.cfg.status_timeout.count());
  req.output_limit = probe_output_limit;
  // The run's own timeout does not cover connecting; this one does.
  self->request(n.executor, st.cfg.status_timeout, atom::probe_v, req)
    .then([self, i,
           carry](run_result& r) { probe_answered(self, i, r, carry); },
          [self, i](caf::error&) {
            auto limit = self->state.cfg.status_timeout.count();
            probe_failed(self, i,
                         "no answer within " + std::to_string(limit)
                           + " ms (CLUSTER_STATUS_TIMEOUT)");
          });
}

// Samples the local node and probes every remote node that is due (or
// every idle one, with `force`).
void sample_all(health_pointer self, bool force) {
  auto& st = self->state;
  sample_local(self);
  auto now = steady_clock::now();
  for (std::size_t i = 0; i < st.nodes.size(); ++i) {
    auto& n = st.nodes[i];
    if (i != st.local && !n.in_flight
        && (force || (st.sample_remote && now >= n.due)))
      probe(self, i);
  }
}

health_monitor_actor::behavior_type
health_monitor(health_pointer self, std::vector<node_info> nodes,
               std::vector<executor_actor> executors, router_actor router,
               settings cfg, bool sample_remote) {
  auto& st = self->state;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    auto& n = st.nodes.emplace_back();
    n.latest = unsampled(nodes[i]);
    n.info = std::move(nodes[i]);
    n.executor = std::move(executors[i]);
    if (n.info.local)
      st.local = i;
  }
  st.router = std::move(router);
  st.cfg = cfg;
  st.sample_remote = sample_remote;
  sample_all(self, sample_remote);
  self->delayed_send(self, first_delta, atom::tick_v);
  return {
    [=](atom::get, atom::snapshot,
        bool refresh) -> caf::result<cluster_snapshot> {
      auto& st = self->state;
      waiter w{self->make_response_promise<cluster_snapshot>(),
               std::vector<bool>(st.nodes.size(), refresh)};
      // The local node has an answer only after its baseline reading; a
      // refresh samples it synchronously below.
      w.pending[st.local] = !st.nodes[st.local].latest.sampled;
      auto promise = w.promise;
      st.waiting.push_back(std::move(w));
      if (refresh)
        sample_all(self, true);
      deliver_ready(st);
      return promise;
    },
    [=](atom::tick) {
      sample_all(self, false);
      self->delayed_send(self, self->state.cfg.health_interval, atom::tick_v);
    },
  };
}

} // namespace

std::chrono::milliseconds snapshot_deadline(const settings& cfg) {
  return cfg.status_timeout + std::chrono::seconds{2};
}

health_monitor_actor spawn_health_monitor(caf::actor_system& sys,
                                          std::vector<node_info> nodes,
                                          std::vector<executor_actor> executors,
                                          router_actor router, settings cfg,
                                          bool sample_remote) {
  return sys.spawn(health_monitor, std::move(nodes), std::move(executors),
                   std::move(router), std::move(cfg), sample_remote);
}

} // namespace cluster
