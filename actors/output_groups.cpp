#include "actors/output_groups.hpp"

#include <map>
#include <tuple>

namespace cluster {

namespace {

// What two results must share to be shown once. Duration, node and task id
// differ on every node and are not part of it.
auto outcome_key(const run_result& r) {
  return std::make_tuple(static_cast<int>(r.error),
                         r.exit_code ? *r.exit_code : -1,
                         static_cast<bool>(r.exit_code), r.signal, r.out.text,
                         r.out.truncated, r.err.text, r.err.truncated,
                         r.ran() ? std::string{} : r.error_message);
}

} // namespace

std::vector<output_group>
group_identical(const std::vector<run_result>& results) {
  std::vector<output_group> groups;
  std::map<decltype(outcome_key(run_result{})), std::size_t> index;
  for (std::size_t i = 0; i < results.size(); ++i) {
    auto [at, fresh] = index.emplace(outcome_key(results[i]), groups.size());
    if (fresh)
      groups.emplace_back();
    groups[at->second].members.push_back(i);
  }
  return groups;
}

} // namespace cluster
