#include "actors/placement.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace cluster {

namespace {

bool matches_name(const node_info& info, const std::string& name) {
  return info.id == name
         || std::find(info.aliases.begin(), info.aliases.end(), name)
              != info.aliases.end();
}

// Returns what `info` lacks of `needs`, empty when it meets them all.
std::string missing_requirements(const node_info& info,
                                 const requirements& needs) {
  std::vector<std::string> missing;
  if (!needs.os.empty() && needs.os != info.os)
    missing.push_back("os=" + needs.os);
  if (!needs.arch.empty() && needs.arch != info.arch)
    missing.push_back("arch=" + needs.arch);
  for (auto& cap : needs.capabilities)
    if (std::find(info.capabilities.begin(), info.capabilities.end(), cap)
        == info.capabilities.end())
      missing.push_back("capability " + cap);
  std::string out;
  for (auto& m : missing)
    out += (out.empty() ? "" : ", ") + m;
  return out;
}

std::string describe(const node_info& info) {
  return info.id + " (" + info.os + "/" + info.arch + ")";
}

std::string describe_all(const std::vector<node_view>& views) {
  std::string out;
  for (auto& v : views)
    out += (out.empty() ? "" : ", ") + describe(v.info);
  return out;
}

std::string requirements_text(const requirements& needs) {
  std::string out;
  if (!needs.os.empty())
    out += "os=" + needs.os;
  if (!needs.arch.empty())
    out += (out.empty() ? "" : ", ") + ("arch=" + needs.arch);
  for (auto& cap : needs.capabilities)
    out += (out.empty() ? "" : ", ") + ("capability " + cap);
  return out;
}

// A node nobody has probed yet gets the benefit of the doubt.
bool reachable(const node_view& v) {
  return !v.sample || !v.sample->sampled || v.sample->reachable;
}

} // namespace

eligibility eligible_nodes(const run_request& req,
                           const std::vector<node_view>& views) {
  eligibility result;
  if (!req.node.empty()) {
    auto i = std::find_if(views.begin(), views.end(), [&](auto& v) {
      return matches_name(v.info, req.node);
    });
    if (i == views.end()) {
      std::string known;
      for (auto& v : views) {
        known += (known.empty() ? "" : ", ") + v.info.id;
        for (auto& alias : v.info.aliases)
          known += ", " + alias;
      }
      result.error = "unknown node '" + req.node + "' (known: " + known + ")";
      return result;
    }
    // Requirements still hold for a named node: naming a node is no licence
    // to run a darwin-only command on Linux.
    auto missing = missing_requirements(i->info, req.needs);
    if (!missing.empty()) {
      result.error = "node " + describe(i->info) + " does not offer "
                     + missing;
      return result;
    }
    result.nodes.push_back(static_cast<std::size_t>(i - views.begin()));
    result.basis = "named node";
    return result;
  }
  if (!req.auto_route) {
    auto i = std::find_if(views.begin(), views.end(),
                          [](auto& v) { return v.info.local; });
    if (i == views.end()) {
      result.error = "auto_route is off but no node is marked local";
      return result;
    }
    auto missing = missing_requirements(i->info, req.needs);
    if (!missing.empty()) {
      result.error = "auto_route is off and the local node "
                     + describe(i->info) + " does not offer " + missing;
      return result;
    }
    result.nodes.push_back(static_cast<std::size_t>(i - views.begin()));
    result.basis = "auto_route off: local node";
    return result;
  }
  bool any_meets = false;
  for (std::size_t i = 0; i < views.size(); ++i) {
    if (!missing_requirements(views[i].info, req.needs).empty())
      continue;
    any_meets = true;
    if (reachable(views[i]))
      result.nodes.push_back(i);
  }
  if (result.nodes.empty()) {
    result.error = any_meets
                     ? "every node offering " + requirements_text(req.needs)
                         + " is unreachable"
                     : "no node offers " + requirements_text(req.needs)
                         + " (nodes: " + describe_all(views) + ")";
    return result;
  }
  result.auto_routed = true;
  result.basis = result.nodes.size() == 1 ? "only eligible node"
                                          : "least loaded eligible node";
  return result;
}

double load_score(const node_view& view) {
  double score = view.info.slots == 0
                   ? 1.0
                   : static_cast<double>(view.busy) / view.info.slots;
  if (view.sample && view.sample->sampled && view.sample->reachable) {
    score += view.sample->cpu_percent / 100.0;
    auto cpus = std::max<std::uint32_t>(1, view.sample->cpu_count);
    score += view.sample->load_1m / cpus;
  }
  return score;
}

bool is_loaded(const node_sample& s, const load_limits& limits) {
  return s.sampled && s.reachable
         && (s.cpu_percent > limits.cpu_percent || s.load_1m > limits.load_1m
             || s.memory_percent > limits.memory_percent);
}

namespace {

std::string programs_text(const command_profile& profile) {
  std::string out;
  for (auto& p : profile.programs)
    if (out.find(p) == std::string::npos)
      out += (out.empty() ? "" : ", ") + p;
  return out.empty() ? "no program" : out;
}

} // namespace

std::optional<choice> choose_node(const eligibility& candidates,
                                  const std::vector<node_view>& views,
                                  const command_profile& profile,
                                  const load_limits& limits) {
  auto light = profile.weight == command_weight::light;
  std::string why = std::string{light ? "light" : "heavy"} + " command ("
                    + programs_text(profile) + ")";
  if (light && candidates.nodes.size() > 1) {
    // Moving a quick `ls` costs more than it saves, unless home is busy.
    for (auto i : candidates.nodes) {
      auto& v = views[i];
      if (!v.info.local || v.busy >= v.info.slots)
        continue;
      if (v.sample && is_loaded(*v.sample, limits)) {
        why += ", local node " + v.info.id + " is loaded";
        break;
      }
      return choice{i, why + ": stays on the local node " + v.info.id + ", "
                         + std::to_string(v.busy) + "/"
                         + std::to_string(v.info.slots) + " slots busy"};
    }
  }
  std::optional<std::size_t> best;
  double best_score = 0;
  for (auto i : candidates.nodes) {
    auto& v = views[i];
    if (v.busy >= v.info.slots)
      continue;
    auto score = load_score(v);
    // Ties go to the local node: no network hop, no transfer.
    if (!best || score < best_score
        || (score == best_score && v.info.local)) {
      best = i;
      best_score = score;
    }
  }
  if (!best)
    return std::nullopt;
  auto& v = views[*best];
  std::ostringstream reason;
  if (candidates.nodes.size() > 1)
    reason << why << ", ";
  reason << candidates.basis << ": " << v.info.id << ", " << v.busy << "/"
         << v.info.slots << " slots busy";
  if (v.sample && v.sample->sampled && v.sample->reachable) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), ", cpu %.0f%%, load %.2f",
                  v.sample->cpu_percent, v.sample->load_1m);
    reason << buf;
  }
  if (candidates.nodes.size() > 1)
    reason << " (of " << candidates.nodes.size() << " eligible)";
  return choice{*best, reason.str()};
}

} // namespace cluster
