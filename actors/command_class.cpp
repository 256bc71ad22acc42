#include "actors/command_class.hpp"

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

bool is_assignment(std::string_view w) {
  std::size_t eq = w.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return false;
  std::string_view name = w.substr(0, eq);
  if (name.back() == '+')
    name.remove_suffix(1);
  if (auto br = name.find('['); br != std::string_view::npos && name.back() == ']')
    name = name.substr(0, br);
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string base_name(const std::string& w) {
  std::size_t slash = w.find_last_of('/');
  if (slash == std::string::npos || slash + 1 == w.size())
    return w;
  return w.substr(slash + 1);
}

bool is_option(std::string_view w) { return w.size() > 1 && w[0] == '-'; }

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
    std::size_t i = 0;
    while (i < w.size()) {
      if (l_.keywords.count(w[i]) || is_assignment(w[i])) {
        ++i;
        continue;
      }
      std::string name = base_name(w[i]);
      auto prefix = l_.prefixes.find(name);
      if (prefix == l_.prefixes.end()) {
        program(name, w, i + 1, segment, depth);
        return;
      }
      if (!skip_prefix(prefix->second, w, i)) {
        add({name, name, "", false, segment});  // A lookup: runs nothing.
        return;
      }
    }
  }

  // Moves `i` past a wrapper and its own words; false when the wrapper
  // only looks a name up.
  bool skip_prefix(const prefix_rule& p, const word_span& w, std::size_t& i) {
    ++i;
    std::size_t positionals = 0;
    while (i < w.size()) {
      const std::string& a = w[i];
      if (a == "--") {
        ++i;
        break;
      }
      if (is_option(a)) {
        if (p.lookup_options.count(a))
          return false;
        i += p.value_options.count(a) ? 2 : 1;
      } else if (positionals < p.positionals) {
        ++positionals;
        ++i;
      } else if (p.assignments && is_assignment(a)) {
        ++i;
      } else {
        break;
      }
    }
    return true;
  }

  void program(const std::string& name, const word_span& w, std::size_t args,
               std::size_t segment, int depth) {
    finding f{name, name, "", false, segment};
    std::size_t n = w.size();
    if (l_.shells.count(name) && shell_string(w, args, segment, depth))
      return;
    if (name == "eval" && depth < max_depth) {
      std::string joined;
      for (std::size_t k = args; k < n; ++k)
        joined += w[k] + " ";
      line(joined, segment, depth + 1);
      return;
    }
    if (module_runner(name)) {
      for (std::size_t k = args; k < n; ++k) {
        const std::string& a = w[k];
        if (a == "-m" && k + 1 < n) {
          return module(name, w, k + 1, w[k + 1], segment, depth);
        }
        if (a.size() > 2 && a.compare(0, 2, "-m") == 0)
          return module(name, w, k, a.substr(2), segment, depth);
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
              const std::string& mod, std::size_t segment, int depth) {
    std::size_t before = out_.size();
    program(mod, w, at + 1, segment, depth);
    if (out_.size() > before)
      out_[before].label = runner + " -m " + out_[before].label;
  }

  bool module_runner(std::string_view name) const {
    while (!name.empty() && (std::isdigit(static_cast<unsigned char>(name.back())) ||
                             name.back() == '.'))
      name.remove_suffix(1);
    return l_.module_runners.count(name) > 0;
  }

  // `bash -c 'cd x && make'`: the string is the command. False for a script.
  bool shell_string(const word_span& w, std::size_t args, std::size_t segment,
                    int depth) {
    bool has_c = false;
    for (std::size_t k = args; k < w.size(); ++k) {
      const std::string& a = w[k];
      if (a == "-o" || a == "+o" || a == "-O" || a == "+O") {
        ++k;
      } else if (a.size() > 1 && (a[0] == '-' || a[0] == '+') && a != "--") {
        has_c = has_c || (a[1] != '-' && a.find('c') != std::string::npos);
      } else if (a != "--") {
        if (!has_c || depth >= max_depth)
          return false;
        line(a, segment, depth + 1);
        return true;
      }
    }
    return false;
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
