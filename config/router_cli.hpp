#pragma once

// The command line of cluster-router, parsed into what to do.

#include "config/config_flags.hpp"
#include "messages/run.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace cluster {

/// A command line we cannot accept; the message says what is wrong.
class usage_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// One parsed invocation of cluster-router.
struct router_invocation {
  /// The subcommand.
  enum class verb { help, submit, explain, cluster_status, config };

  verb what = verb::help;
  std::string help_topic;  ///< For `help`: "" or a subcommand's name.
  run_request request;     ///< For `submit` and `explain`: task_id left empty.
  bool json = false;       ///< Print JSON instead of text.
  config_flags config;     ///< --config and --set.
};

/// Parses the arguments after the program name; throws `usage_error`.
router_invocation parse_router_args(const std::vector<std::string>& args);

/// The usage text for `topic` ("" for the overview).
std::string router_usage(const std::string& topic);

} // namespace cluster
