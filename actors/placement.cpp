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

// The platform a node really has: what the last probe found, else what the
// configuration says. A misconfigured node must not get the wrong binaries.
std::pair<std::string, std::string> platform_of(const node_view& v) {
  if (v.sample && v.sample->sampled && v.sample->reachable
      && !v.sample->os.empty() && !v.sample->arch.empty())
    return {v.sample->os, v.sample->arch};
  return {v.info.os, v.info.arch};
}

// Returns what the node lacks of `needs`, empty when it meets them all.
std::string missing_requirements(const node_view& v,
                                 const requirements& needs) {
  auto& info = v.info;
  auto [os, arch] = platform_of(v);
  std::vector<std::string> missing;
  if (!needs.os.empty() && needs.os != os)
    missing.push_back("os=" + needs.os);
  if (!needs.arch.empty() && needs.arch != arch)
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

std::string describe(const node_view& v) {
  auto [os, arch] = platform_of(v);
  return v.info.id + " (" + os + "/" + arch + ")";
}

std::string describe_all(const std::vector<node_view>& views) {
  std::string out;
  for (auto& v : views)
    out += (out.empty() ? "" : ", ") + describe(v);
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

// What a node never measured adds to its score: it may be idle or swamped.
constexpr double unknown_load = 0.5;

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
    auto missing = missing_requirements(*i, req.needs);
    if (!missing.empty()) {
      result.error = "node " + describe(*i) + " does not offer "
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
    auto missing = missing_requirements(*i, req.needs);
    if (!missing.empty()) {
      result.error = "auto_route is off and the local node "
                     + describe(*i) + " does not offer " + missing;
      return result;
    }
    result.nodes.push_back(static_cast<std::size_t>(i - views.begin()));
    result.basis = "auto_route off: local node";
    return result;
  }
  bool any_meets = false;
  for (std::size_t i = 0; i < views.size(); ++i) {
    if (!missing_requirements(views[i], req.needs).empty())
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

std::optional<std::size_t> find_node(const std::vector<node_view>& views,
                                     const std::string& name) {
  auto i = std::find_if(views.begin(), views.end(),
                        [&](auto& v) { return matches_name(v.info, name); });
  if (i == views.end())
    return std::nullopt;
  return static_cast<std::size_t>(i - views.begin());
}

bool meets(const node_view& view, const requirements& needs) {
  return missing_requirements(view, needs).empty();
}

double load_score(const node_view& view) {
  double score = view.info.slots == 0
                   ? 1.0
                   : static_cast<double>(view.busy) / view.info.slots;
  if (view.sample && view.sample->sampled && view.sample->reachable) {
    score += view.sample->cpu_percent / 100.0;
    auto cpus = std::max<std::uint32_t>(1, view.sample->cpu_count);
    score += view.sample->load_1m / cpus;
    score += view.sample->memory_percent / 100.0;
  } else {
    score += unknown_load;
  }
  return score;
}

load_limits load_limits_from(const settings& cfg) {
  return {cfg.cpu_threshold, cfg.load_threshold, cfg.memory_threshold};
}

bool is_loaded(const node_sample& s, const load_limits& limits) {
  auto per_cpu = s.load_1m / std::max<std::uint32_t>(1, s.cpu_count);
  return s.sampled && s.reachable
         && (s.cpu_percent > limits.cpu_percent
             || per_cpu > limits.load_per_cpu
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

// "2 of 8 slots busy; cpu 12%, load 0.40/2 CPUs, mem 30%": the figures a
// decision rests on, in the words every reason and verdict uses.
std::string load_note(const node_view& v) {
  auto text = std::to_string(v.busy) + " of " + std::to_string(v.info.slots)
              + " slots busy";
  if (v.sample && v.sample->sampled && v.sample->reachable) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "; cpu %.0f%%, load %.2f/%u CPUs, mem %.0f%%",
                  v.sample->cpu_percent, v.sample->load_1m,
                  v.sample->cpu_count, v.sample->memory_percent);
    text += buf;
  } else {
    text += "; load not measured yet";
  }
  return text;
}

bool has_free_slot(const node_view& v) {
  return v.busy < v.info.slots;
}

// Which specialties serve which kind of work. Node files name specialties
// freely ("compilation", "testing"); the command classifier names
// categories ("build", "test"): this table joins the two vocabularies.
const std::vector<std::pair<std::string, std::vector<std::string>>>&
specialty_names() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>>
    table{
      {"build", {"build", "builds", "compilation", "compile"}},
      {"compile", {"compile", "compilation", "build"}},
      {"test", {"test", "tests", "testing"}},
      {"container",
       {"container", "containers", "containerization", "docker", "podman"}},
      {"file", {"file", "files", "storage", "io"}},
      {"media", {"media", "transcoding", "video"}},
      {"vcs", {"vcs", "git"}},
    };
  return table;
}

} // namespace

std::string matching_specialty(const node_info& node,
                               const command_profile& profile) {
  for (auto& category : profile.categories)
    for (auto& [name, specialties] : specialty_names()) {
      if (name != category)
        continue;
      for (auto& s : node.specialties)
        if (std::find(specialties.begin(), specialties.end(), s)
            != specialties.end())
          return s;
    }
  return {};
}

std::optional<choice> choose_node(const eligibility& eligible,
                                  const std::vector<node_view>& views,
                                  const command_profile& profile,
                                  const load_limits& limits) {
  // A node that turned unreachable since admission (a failed connection or
  // probe) is tried only when no other candidate is left: otherwise every
  // queued command would pay a connect attempt to it, and its free slots
  // would attract them all.
  eligibility live = eligible;
  auto& nodes = live.nodes;
  nodes.erase(std::remove_if(nodes.begin(), nodes.end(),
                             [&](auto i) { return !reachable(views[i]); }),
              nodes.end());
  const auto& candidates = nodes.empty() ? eligible : live;
  auto light = profile.weight == command_weight::light;
  std::string why = std::string{light ? "light" : "heavy"} + " command ("
                    + programs_text(profile) + ")";
  if (light && candidates.nodes.size() > 1) {
    // Moving a quick `ls` costs more than it saves, unless home is busy.
    for (auto i : candidates.nodes) {
      auto& v = views[i];
      if (!v.info.local || !has_free_slot(v))
        continue;
      if (v.sample && is_loaded(*v.sample, limits)) {
        why += ", local node " + v.info.id + " is loaded";
        break;
      }
      return choice{i, why + ": stays on the local node " + v.info.id + "; "
                         + load_note(v)};
    }
  }
  // Specialists first, as long as they have room and are not loaded: a
  // build belongs on the build machine unless it is swamped.
  std::vector<std::size_t> pool;
  std::string specialty;
  if (!light)
    for (auto i : candidates.nodes) {
      auto& v = views[i];
      auto s = matching_specialty(v.info, profile);
      if (s.empty() || !has_free_slot(v)
          || (v.sample && is_loaded(*v.sample, limits)))
        continue;
      pool.push_back(i);
      if (specialty.empty())
        specialty = s;
    }
  auto specialists = !pool.empty();
  if (!specialists)
    pool = candidates.nodes;
  std::optional<std::size_t> best;
  double best_score = 0;
  for (auto i : pool) {
    auto& v = views[i];
    if (!has_free_slot(v))
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
  std::string reason;
  if (candidates.nodes.size() > 1)
    reason = why + ", ";
  reason += specialists ? (pool.size() == 1 ? "the unloaded specialist in "
                                            : "least loaded specialist in ")
                            + specialty
                        : candidates.basis;
  reason += ": " + v.info.id;
  if (candidates.nodes.size() > 1)
    reason += " (of " + std::to_string(candidates.nodes.size()) + " eligible)";
  reason += "; " + load_note(v);
  return choice{*best, reason};
}

placement_explanation explain_placement(const run_request& req,
                                        const std::vector<node_view>& views,
                                        const load_limits& limits) {
  placement_explanation out;
  auto profile = classify_command(req.command);
  out.weight = profile.weight == command_weight::heavy ? "heavy" : "light";
  out.classification = profile.reason;
  auto candidates = eligible_nodes(req, views);
  out.auto_routed = candidates.auto_routed;
  out.error = candidates.error;
  for (std::size_t i = 0; i < views.size(); ++i) {
    auto& v = views[i];
    node_verdict verdict;
    verdict.node = v.info.id;
    auto candidate = std::find(candidates.nodes.begin(), candidates.nodes.end(),
                               i)
                     != candidates.nodes.end();
    auto missing = missing_requirements(v, req.needs);
    if (candidate) {
      verdict.eligible = true;
      verdict.score = load_score(v);
      verdict.note = load_note(v);
      if (!has_free_slot(v))
        verdict.note += " (full now)";
      else if (v.sample && is_loaded(*v.sample, limits))
        verdict.note += " (loaded)";
      if (auto s = matching_specialty(v.info, profile); !s.empty())
        verdict.note += "; specialist in " + s;
    } else if (!req.node.empty()) {
      verdict.note = matches_name(v.info, req.node) ? "lacks " + missing
                                                     : "not the named node";
    } else if (!req.auto_route && !v.info.local) {
      verdict.note = "auto_route is off: only the local node";
    } else if (!missing.empty()) {
      verdict.note = "lacks " + missing;
    } else {
      verdict.note = "unreachable: "
                     + (v.sample && !v.sample->error.empty()
                          ? v.sample->error
                          : std::string{"no answer"});
    }
    out.nodes.push_back(std::move(verdict));
  }
  if (!out.error.empty())
    return out;
  if (auto where = choose_node(candidates, views, profile, limits)) {
    out.node = views[where->node].info.id;
    out.reason = where->reason;
  } else {
    out.would_wait = true;
    out.reason = "every eligible node is full now: the command would wait "
                 "in the queue for the first free slot";
  }
  return out;
}

} // namespace cluster
