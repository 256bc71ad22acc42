#pragma once

// What a batch runs, decided once on admission: the list form as given, the
// broadcast form expanded to one item per target node.

#include "actors/placement.hpp"
#include "messages/run.hpp"

#include <string>
#include <vector>

namespace cluster {

/// The items of a batch, or why the batch cannot run at all.
struct batch_plan {
  std::vector<run_request> items;        ///< In result order, each with a task id.
  error_class error = error_class::none; ///< `invalid` or `placement` when refused.
  std::string error_message;             ///< Names the offending part.
};

/// Expands `batch` over `views`. A broadcast goes to the named nodes in the
/// order given (an unknown or repeated name refuses the batch), or to every
/// node meeting the template's requirements, reachable or not: a node that
/// is down reports its own connection error, as pdsh would. Items without a
/// task id get `<batch_id>.<index>`.
batch_plan plan_batch(batch_request batch, const std::vector<node_view>& views);

} // namespace cluster
