#include "actors/command_class.hpp"

#include "actors/command_unwrap.hpp"
#include "actors/shell_words.hpp"

#include <algorithm>
#include <cctype>

namespace cluster {
namespace {

// One program run by the command, and the verdict on it.
struct finding {
  std::string program;
  std::string label;  // "npm ci", "grep -r", "python3 -m pytest".
  std::string category;
  bool heavy = false;
  std::size_t segment = 0;
};

using word_span = std::vector<std::string>;

constexpr int max_depth = 4;  // Nested `bash -c` / `eval` strings looked into.

class classifier {
public:
  classifier(const command_lists& lists, std::vector<finding>& out)
      : l_(lists), out_(out) {}

  void line(std::string_view text, std::size_t segment, int depth) {
    auto segs = split_simple_commands(text);
    for (std::size_t k = 0; k < segs.size(); ++k)
      simple(segs[k], depth == 0 ? k + 1 : segment, depth);
  }

private:
  void simple(const word_span& w, std::size_t segment, int depth) {
    auto u = unwrap_command(w, l_);
    switch (u.what) {
    case unwrapped_command::kind::nothing:
      return;
    case unwrapped_command::kind::lookup:
      return add({u.name, u.name, "", false, segment});  // Runs nothing.
    case unwrapped_command::kind::nested:
      if (depth < max_depth)
        return line(u.nested, segment, depth + 1);
      break;
    case unwrapped_command::kind::program:
      break;
    }
    program(u.name, w, u.args, segment);
  }

  void program(const std::string& name, const word_span& w, std::size_t args,
               std::size_t segment) {
    finding f{name, name, "", false, segment};
    std::size_t n = w.size();
    if (module_runner(name)) {
      for (std::size_t k = args; k < n; ++k) {
        const std::string& a = w[k];
        if (a == "-m" && k + 1 < n) {
          return module(name, w, k + 1, w[k + 1], segment);
        }
        if (a.size() > 2 && a.compare(0, 2, "-m") == 0)
          return module(name, w, k, a.substr(2), segment);
        if (!is_option(a) || a == "-c")
          break;  // A script or a `-c` string: python itself is light.
      }
      return add(f);
    }
    bool info = args < n && std::all_of(w.begin() + static_cast<long>(args), w.end(),
                                         [&](const std::string& a) {
                                           return l_.info_options.count(a) > 0;
                                         });
    if (info)
      return add(f);
    if (l_.recursive_searchers.count(name)) {
      if (recursive(w, args)) {
        f.label = name + " -r";
        f.category = "file";
        f.heavy = true;
      }
      return add(f);
    }
    if (auto rule = l_.subcommands.find(name); rule != l_.subcommands.end())
      return subcommand(rule->second, f, w, args);
    if (auto h = l_.heavy.find(name); h != l_.heavy.end()) {
      f.category = h->second;
      f.heavy = true;
    }
    add(f);
  }

  void module(const std::string& runner, const word_span& w, std::size_t at,
              const std::string& mod, std::size_t segment) {
    std::size_t before = out_.size();
    program(mod, w, at + 1, segment);
    if (out_.size() > before)
      out_[before].label = runner + " -m " + out_[before].label;
  }

  bool module_runner(std::string_view name) const {
    while (!name.empty() && (std::isdigit(static_cast<unsigned char>(name.back())) ||
                             name.back() == '.'))
      name.remove_suffix(1);
    return l_.module_runners.count(name) > 0;
  }

  // grep -r / -R / --recursive / -d recurse, also inside clusters like -rn.
  static bool recursive(const word_span& w, std::size_t args) {
    for (std::size_t k = args; k < w.size(); ++k) {
      const std::string& a = w[k];
      if (a == "--")
        return false;
      if (a == "--recursive" || a == "--dereference-recursive" ||
          a == "--directories=recurse")
        return true;
      if (a == "-d" || a == "--directories") {
        if (k + 1 < w.size() && w[k + 1] == "recurse")
          return true;
        ++k;
        continue;
      }
      if (!is_option(a) || a[1] == '-')
        continue;
      for (std::size_t c = 1; c < a.size(); ++c) {
        if (a[c] == 'r' || a[c] == 'R')
          return true;
        // These take a value: the rest of the word, or the next word.
        if (std::string_view("efmABCdD").find(a[c]) != std::string_view::npos) {
          if (c + 1 == a.size())
            ++k;
          break;
        }
      }
    }
    return false;
  }

  void subcommand(const subcommand_rule& r, finding f, const word_span& w,
                  std::size_t args) {
    f.category = r.category;
    bool found = false;
    for (std::size_t k = args; k < w.size(); ++k) {
      const std::string& a = w[k];
      if (r.light.count(a)) {
        found = true;
        f.label += " " + a;
        break;
      }
      if (r.heavy.count(a)) {
        found = true;
        f.label += " " + a;
        f.heavy = true;
        break;
      }
      if (is_option(a)) {
        if (r.value_options.count(a))
          ++k;
        continue;
      }
      if (r.groups.count(a)) {
        f.label += " " + a;
        continue;
      }
      found = true;
      f.label += " " + a;
      f.heavy = r.default_heavy;
      break;
    }
    if (!found)
      f.heavy = r.bare_heavy;
    add(f);
  }

  void add(finding f) { out_.push_back(std::move(f)); }

  const command_lists& l_;
  std::vector<finding>& out_;
};

} // namespace

command_profile classify_command(std::string_view command,
                                 const command_lists& lists) {
  std::vector<finding> found;
  classifier{lists, found}.line(command, 0, 0);

  command_profile p;
  std::size_t segments = 0;
  for (const auto& f : found) {
    p.programs.push_back(f.program);
    segments = std::max(segments, f.segment);
  }
  std::string heavy;
  for (const auto& f : found) {
    if (!f.heavy)
      continue;
    heavy += (heavy.empty() ? "" : "; ") + f.label + " (" + f.category + ")";
    if (std::find(p.categories.begin(), p.categories.end(), f.category)
        == p.categories.end())
      p.categories.push_back(f.category);
    if (segments > 1)
      heavy += " in segment " + std::to_string(f.segment);
  }
  if (!heavy.empty()) {
    p.weight = command_weight::heavy;
    p.reason = "heavy: " + heavy;
    return p;
  }
  std::vector<std::string> seen;
  for (const auto& f : found)
    if (std::find(seen.begin(), seen.end(), f.label) == seen.end())
      seen.push_back(f.label);
  p.reason = "light: ";
  for (std::size_t k = 0; k < seen.size(); ++k)
    p.reason += (k ? ", " : "") + seen[k];
  if (seen.empty())
    p.reason += "no command";
  return p;
}

} // namespace cluster
