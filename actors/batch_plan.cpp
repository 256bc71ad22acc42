#include "actors/batch_plan.hpp"

#include <algorithm>
#include <variant>

namespace cluster {

namespace {

batch_plan refused(error_class error, std::string message) {
  batch_plan plan;
  plan.error = error;
  plan.error_message = std::move(message);
  return plan;
}

std::string known_nodes(const std::vector<node_view>& views) {
  std::string out;
  for (auto& v : views)
    out += (out.empty() ? "" : ", ") + v.info.id;
  return out;
}

// The target nodes of a broadcast, as indexes into the views.
std::variant<std::vector<std::size_t>, batch_plan>
broadcast_targets(const batch_request& batch,
                  const std::vector<node_view>& views) {
  std::vector<std::size_t> targets;
  auto& needs = batch.items.front().needs;
  if (batch.nodes.empty()) {
    for (std::size_t i = 0; i < views.size(); ++i)
      if (meets(views[i], needs))
        targets.push_back(i);
    if (targets.empty())
      return refused(error_class::placement,
                     "no node offers what the broadcast requires (nodes: "
                       + known_nodes(views) + ")");
    return targets;
  }
  for (auto& name : batch.nodes) {
    auto i = find_node(views, name);
    if (!i)
      return refused(error_class::placement,
                     "unknown node '" + name + "' (known: "
                       + known_nodes(views) + ")");
    if (std::find(targets.begin(), targets.end(), *i) != targets.end())
      return refused(error_class::invalid,
                     "node '" + name + "' is named twice (as "
                       + views[*i].info.id + ")");
    targets.push_back(*i);
  }
  return targets;
}

} // namespace

batch_plan plan_batch(batch_request batch,
                      const std::vector<node_view>& views) {
  if (batch.broadcast && batch.items.size() != 1)
    return refused(error_class::invalid,
                   "a broadcast runs exactly one command, got "
                     + std::to_string(batch.items.size()));
  if (!batch.broadcast && !batch.nodes.empty())
    return refused(error_class::invalid,
                   "target nodes are only for a broadcast; name one node per "
                   "command instead");
  batch_plan plan;
  if (batch.broadcast) {
    auto targets = broadcast_targets(batch, views);
    if (auto* error = std::get_if<batch_plan>(&targets))
      return std::move(*error);
    auto& nodes = std::get<std::vector<std::size_t>>(targets);
    for (auto i : nodes) {
      plan.items.push_back(batch.items.front());
      // Each copy is pinned to its node: a broadcast never moves work.
      plan.items.back().node = views[i].info.id;
      plan.items.back().task_id.clear();
    }
  } else {
    plan.items = std::move(batch.items);
  }
  for (std::size_t i = 0; i < plan.items.size(); ++i)
    if (plan.items[i].task_id.empty())
      plan.items[i].task_id = batch.batch_id + "." + std::to_string(i);
  return plan;
}

} // namespace cluster
