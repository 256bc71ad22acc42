#include "apps/one_shot.hpp"

#include "actors/health_monitor.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <csignal>
#include <cstdlib>
#include <ctime>

namespace cluster {

namespace {

// A person's terminal gets the whole output unless they ask for less.
constexpr std::uint32_t cli_output_limit = 16u << 20;

} // namespace

// A named node needs no choice, and no other node is touched.
void sample_before_routing(caf::actor_system& sys, runtime& rt,
                           const run_request& req) {
  if (!req.node.empty() || !req.auto_route || rt.nodes.size() < 2)
    return;
  caf::scoped_actor self{sys};
  // A node that does not answer is marked unreachable by the monitor itself;
  // nothing to report here.
  self->request(rt.health, snapshot_deadline(rt.cfg), atom::get_v,
                atom::snapshot_v, true)
    .receive([](cluster_snapshot&) {}, [](caf::error&) {});
}

std::uint32_t terminal_output_limit(const runtime& rt, const run_request& req) {
  if (req.output_limit != 0)
    return req.output_limit;
  // CLUSTER_OUTPUT_LIMIT, when set, bounds the CLI too.
  auto* env_limit = std::getenv("CLUSTER_OUTPUT_LIMIT");
  return env_limit != nullptr && *env_limit != '\0' ? rt.cfg.output_limit
                                                    : cli_output_limit;
}

interrupt_watch::interrupt_watch(router_actor router, std::string id)
  : thread_([this, router, id] {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGINT);
      sigaddset(&set, SIGTERM);
      timespec tick{0, 100'000'000};
      while (!stop_) {
        if (sigtimedwait(&set, nullptr, &tick) > 0) {
          interrupted_ = true;
          caf::anon_send(router, atom::cancel_v, id);
        }
      }
    }) {
}

interrupt_watch::~interrupt_watch() {
  stop_ = true;
  thread_.join();
}

} // namespace cluster
