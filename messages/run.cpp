#include "messages/run.hpp"

namespace cluster {

const char* to_string(error_class x) {
  switch (x) {
    case error_class::none: return "none";
    case error_class::command: return "command";
    case error_class::timeout: return "timeout";
    case error_class::cancelled: return "cancelled";
    case error_class::spawn: return "spawn";
    case error_class::connection: return "connection";
    case error_class::auth: return "auth";
    case error_class::host_key: return "host_key";
    case error_class::placement: return "placement";
    case error_class::overloaded: return "overloaded";
    case error_class::invalid: return "invalid";
    case error_class::policy: return "policy";
  }
  return "unknown";
}

run_result make_failed_result(const run_request& req, error_class err,
                              std::string message, bool retriable) {
  run_result r;
  r.task_id = req.task_id;
  r.node = req.node;
  r.error = err;
  r.error_message = std::move(message);
  r.retriable = retriable;
  return r;
}

} // namespace cluster
