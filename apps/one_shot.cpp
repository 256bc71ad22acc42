#include "apps/one_shot.hpp"

#include "actors/health_monitor.hpp"
#include "actors/run_outcome.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <future>

namespace cluster {

namespace {

// A person's terminal gets the whole output unless they ask for less.
constexpr std::uint32_t cli_output_limit = 16u << 20;

} // namespace

run_result run_task(caf::actor_system& sys, runtime& rt, const run_request& req,
                    const std::function<void()>& between,
                    std::chrono::milliseconds every) {
  auto timeout = effective_timeout(req, rt.cfg);
  auto waiting = std::async(std::launch::async, [&] {
    run_result result;
    caf::scoped_actor self{sys};
    auto answer = self->request(rt.router,
                                timeout + 3 * rt.cfg.kill_grace
                                  + std::chrono::hours{1},
                                atom::run_v, req);
    // Watching starts once the task is in the router's mailbox, so a signal
    // already pending cancels it instead of overtaking it.
    interrupt_watch watch{rt.router, req.task_id};
    answer.receive([&](run_result& r) { result = std::move(r); },
                   [&](caf::error& err) {
                     result = make_failed_result(req, error_class::connection,
                                                 "the runtime did not answer: "
                                                   + caf::to_string(err));
                   });
    return result;
  });
  while (waiting.wait_for(every) != std::future_status::ready)
    between();
  return waiting.get();
}

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

bool output_limit_requested(const run_request& req) {
  // CLUSTER_OUTPUT_LIMIT, when set, bounds the CLI too.
  auto* env_limit = std::getenv("CLUSTER_OUTPUT_LIMIT");
  return req.output_limit != 0 || (env_limit != nullptr && *env_limit != '\0');
}

std::uint32_t terminal_output_limit(const runtime& rt, const run_request& req) {
  if (req.output_limit != 0)
    return req.output_limit;
  return output_limit_requested(req) ? rt.cfg.output_limit : cli_output_limit;
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

void block_interrupts() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

runtime spawn_one_shot_runtime(caf::actor_system& sys,
                               const cluster_config& conf) {
  runtime_options options;
  options.sample_remote_nodes = false;
  return spawn_runtime(sys, conf.cfg, conf.nodes, options);
}

} // namespace cluster
