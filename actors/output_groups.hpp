#pragma once

// Merging a broadcast's results: nodes that ended the same way with the same
// output form one group, the way `clubak -c` folds pdsh output.

#include "messages/run.hpp"

#include <cstddef>
#include <vector>

namespace cluster {

/// Results that ended identically: same error class, exit status, signal
/// and captured stdout and stderr (text and truncation).
struct output_group {
  std::vector<std::size_t> members;  ///< Indices into the results, ascending.
};

/// Groups `results` by identical outcome; groups come in the order of their
/// first member, so the output is stable for a given input.
std::vector<output_group> group_identical(const std::vector<run_result>& results);

} // namespace cluster
