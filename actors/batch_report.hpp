#pragma once

// A batch as text for a reader (`cluster-router parallel`, and the text block
// of parallel_execute): each command's outcome and output in input order, or
// a broadcast folded into groups of nodes that ended identically (the way
// `clubak -c` folds pdsh output).

#include "messages/run.hpp"

#include <string>

namespace cluster {

/// The list form: per item a header `[i/N] node  exit 0  1.2 s  command`,
/// an error line when it failed, its stdout, then its stderr with every line
/// marked `stderr: `.
std::string list_report(const batch_result& result,
                        const batch_request& request);

/// The broadcast form: per group a separator, its nodes (`n1,n2 (2)`), the
/// outcome and the shared output; `merge` false gives every node its own.
std::string broadcast_report(const batch_result& result,
                             const batch_request& request, bool merge);

/// The closing line: how many succeeded and failed, and what stopped the
/// batch early (fail-fast, or `interrupted`).
std::string batch_summary(const batch_result& result,
                          const batch_request& request, bool interrupted);

/// One progress line for stderr: `3/40 node2 ok [7] make test`.
std::string progress_line(const batch_progress& progress,
                          const batch_request& request);

} // namespace cluster
