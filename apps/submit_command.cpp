#include "apps/submit_command.hpp"

#include "actors/mcp/tool_results.hpp"
#include "apps/exit_codes.hpp"
#include "apps/follow_output.hpp"
#include "apps/one_shot.hpp"
#include "transport/task_journal.hpp"

#include <caf/send.hpp>

#include <chrono>
#include <csignal>
#include <iostream>

#include <unistd.h>

namespace cluster {

namespace {

using namespace std::chrono_literals;

// Output appears this soon after the command writes it.
constexpr auto follow_interval = 50ms;

// After the result: what the spool did not show. When the spool file never
// appeared (no journal, an unwritable state directory) the captured output
// is all there is, printed as before streaming existed.
void print_captured(const captured_output& captured, int fd, const char* name,
                    std::uint32_t limit) {
  write_all(fd, captured.text);
  if (captured.truncated)
    std::cerr << "cluster-router: " << name << " was cut to --output-limit "
              << limit << " bytes\n";
}

void finish_stream(file_follower& follower, const captured_output& captured,
                   int fd, const char* name, std::uint32_t limit) {
  if (!follower.opened()) {
    print_captured(captured, fd, name, limit);
    return;
  }
  if (!follower.output_failed() && follower.copied() < captured.total_bytes)
    std::cerr << "cluster-router: spooling " << name << " stopped after "
              << follower.copied() << " of " << captured.total_bytes
              << " bytes; the rest is lost\n";
}

} // namespace

int submit(caf::actor_system& sys, runtime& rt, router_invocation& inv) {
  auto& req = inv.request;
  sample_before_routing(sys, rt, req);
  req.task_id = new_task_id("c");
  req.submitter = "cli";
  // A bounded output is head and tail, known only at the end: it is
  // printed then, as is the JSON object.
  bool stream = !inv.json && !output_limit_requested(req);
  req.output_limit = terminal_output_limit(rt, req);
  run_result result;
  bool reader_gone = false;
  if (!stream) {
    result = run_task(sys, rt, req, [] {}, follow_interval);
    if (inv.json) {
      mcp::json_writer json;
      mcp::write_run_object(json, result);
      std::cout << json.str() << '\n';
    } else {
      print_captured(result.out, STDOUT_FILENO, "stdout", req.output_limit);
      print_captured(result.err, STDERR_FILENO, "stderr", req.output_limit);
    }
  } else {
    // The router spools every task it journals to these files.
    auto spool = transport::spool_prefix(rt.cfg.state_dir, req.task_id);
    file_follower out{spool + ".out", STDOUT_FILENO};
    file_follower err{spool + ".err", STDERR_FILENO};
    // A reader that went away (`submit ... | head -1`) would kill us with
    // SIGPIPE and leave the command running unseen: it is cancelled
    // instead. The command itself gets the default disposition back.
    std::signal(SIGPIPE, SIG_IGN);
    auto follow = [&] {
      out.poll();
      err.poll();
      if ((out.output_failed() || err.output_failed()) && !reader_gone) {
        reader_gone = true;
        caf::anon_send(rt.router, atom::cancel_v, req.task_id);
      }
    };
    result = run_task(sys, rt, req, follow, follow_interval);
    // The spool holds every byte once the result is in: copy the rest.
    follow();
    finish_stream(out, result.out, STDOUT_FILENO, "stdout", req.output_limit);
    finish_stream(err, result.err, STDERR_FILENO, "stderr", req.output_limit);
  }
  // As if SIGPIPE had ended us, the way a shell expects of `| head`.
  if (reader_gone)
    return 128 + SIGPIPE;
  if (!result.ran())
    std::cerr << "cluster-router: " << to_string(result.error)
              << (result.node.empty() ? "" : " on " + result.node) << ": "
              << result.error_message << '\n';
  return exit_status(result);
}

} // namespace cluster
