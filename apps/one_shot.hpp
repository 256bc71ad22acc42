#pragma once

// What the cluster-router subcommands that run work share: their exit
// statuses, fresh samples before routing, the output limit of a terminal,
// and ^C.

#include "actors/runtime.hpp"
#include "messages/interfaces.hpp"

#include <caf/fwd.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace cluster {

/// Exit statuses beside the commands' own, as timeout(1) and shells use them.
namespace exit_code {
inline constexpr int failed = 1;          ///< parallel: an item did not succeed.
inline constexpr int usage = 2;           ///< The command line is wrong.
inline constexpr int timeout = 124;       ///< The command ran out of time.
inline constexpr int cluster_error = 125; ///< cluster-exec could not run it.
inline constexpr int cannot_start = 126;  ///< It could not be started.
inline constexpr int interrupted = 130;   ///< SIGINT or SIGTERM.
} // namespace exit_code

/// Before the router chooses among nodes for `req`, measures every node once
/// (a one-shot process has no samples yet), so that it routes by live load;
/// does nothing when `req` names its node or there is nothing to choose.
void sample_before_routing(caf::actor_system& sys, runtime& rt,
                           const run_request& req);

/// The output limit per stream for `req`: its own, else CLUSTER_OUTPUT_LIMIT
/// when set, else a person's terminal gets everything up to 16 MiB.
std::uint32_t terminal_output_limit(const runtime& rt, const run_request& req);

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
