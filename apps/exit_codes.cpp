#include "apps/exit_codes.hpp"

#include <cstdio>
#include <random>

namespace cluster {

namespace {

// One mapping for a live result and a journal record, so `status --follow`
// ends as `submit` would have.
int exit_status(error_class error, const caf::optional<int>& exit) {
  switch (error) {
    case error_class::none:
    case error_class::command:
      return exit ? *exit : exit_code::cluster_error;
    case error_class::timeout: return exit_code::timeout;
    case error_class::cancelled: return exit_code::interrupted;
    case error_class::spawn: return exit_code::cannot_start;
    // policy, placement, overloaded, ...: it never ran.
    default: return exit_code::cluster_error;
  }
}

} // namespace

int exit_status(const run_result& r) {
  return exit_status(r.error, r.exit_code);
}

int exit_status(const task_record& r) {
  switch (r.state) {
    case task_state::succeeded: return 0;
    // A cancel that ended the owner's process may leave no error class.
    case task_state::cancelled: return exit_code::interrupted;
    case task_state::lost: return exit_code::cluster_error;
    default: return exit_status(r.error, r.exit_code);
  }
}

std::string new_task_id(const char* kind) {
  std::random_device rd;
  std::uniform_int_distribution<std::uint32_t> dist;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", dist(rd));
  return std::string{kind} + "-" + buf;
}

} // namespace cluster
