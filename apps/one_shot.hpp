#pragma once

// What the cluster-router subcommands that run work share: fresh samples
// before routing, the output limit of a terminal, waiting for one task, and
// ^C (their exit statuses and task ids: apps/exit_codes.hpp).

#include "actors/runtime.hpp"
#include "apps/exit_codes.hpp"
#include "config/cluster_config.hpp"
#include "messages/interfaces.hpp"

#include <caf/fwd.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace cluster {

/// Sends `req` to the router and waits for its result, cancelling it on
/// SIGINT/SIGTERM. The waiting happens on a thread of its own, so the
/// calling thread stays free: it calls `between()` every `every` until the
/// result is in (a follower of the output, a check of the journal).
run_result run_task(caf::actor_system& sys, runtime& rt, const run_request& req,
                    const std::function<void()>& between,
                    std::chrono::milliseconds every);

/// Before the router chooses among nodes for `req`, measures every node once
/// (a one-shot process has no samples yet), so that it routes by live load;
/// does nothing when `req` names its node or there is nothing to choose.
void sample_before_routing(caf::actor_system& sys, runtime& rt,
                           const run_request& req);

/// The output limit per stream for `req`: its own, else CLUSTER_OUTPUT_LIMIT
/// when set, else a person's terminal gets everything up to 16 MiB.
std::uint32_t terminal_output_limit(const runtime& rt, const run_request& req);

/// True when `req` (--output-limit) or CLUSTER_OUTPUT_LIMIT asks for bounded
/// output: head and tail, which only exist once the command has ended.
bool output_limit_requested(const run_request& req);

/// Blocks SIGINT and SIGTERM in the calling thread and every thread started
/// after it; call it before the actor system exists, so only an
/// interrupt_watch takes them.
void block_interrupts();

/// The runtime of a one-shot process: only the nodes a command needs are
/// contacted (see sample_before_routing).
runtime spawn_one_shot_runtime(caf::actor_system& sys,
                               const cluster_config& conf);

/// Waits for SIGINT/SIGTERM on its own thread and sends the router
/// `cancel` with `id` (a task's or a batch's). The signals must be blocked
/// in every thread before any starts, so only this one takes them.
class interrupt_watch {
public:
  /// Starts watching; cancels `id` at the router on each signal.
  interrupt_watch(router_actor router, std::string id);

  /// Stops watching (within 100 ms).
  ~interrupt_watch();

  /// Not copyable: the thread refers to this object.
  interrupt_watch(const interrupt_watch&) = delete;
  /// Not assignable, for the same reason.
  interrupt_watch& operator=(const interrupt_watch&) = delete;

  /// True once a signal came.
  bool interrupted() const {
    return interrupted_;
  }

private:
  std::atomic<bool> stop_{false};
  std::atomic<bool> interrupted_{false};
  std::thread thread_;
};

} // namespace cluster
