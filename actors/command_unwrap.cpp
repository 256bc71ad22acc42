#include "actors/command_unwrap.hpp"

#include <algorithm>
#include <cctype>

namespace cluster {

namespace {

// Moves `i` past a wrapper and its own words; false when the wrapper
// only looks a name up.
bool skip_prefix(const prefix_rule& p, const shell_words& w, std::size_t& i) {
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

// `bash -c 'cd x && make'`: the string after the options when `-c` is
// among them; nothing for a script (`bash build.sh`).
const std::string* shell_string(const shell_words& w, std::size_t args) {
  bool has_c = false;
  for (std::size_t k = args; k < w.size(); ++k) {
    const std::string& a = w[k];
    if (a == "-o" || a == "+o" || a == "-O" || a == "+O") {
      ++k;
    } else if (a.size() > 1 && (a[0] == '-' || a[0] == '+') && a != "--") {
      has_c = has_c || (a[1] != '-' && a.find('c') != std::string::npos);
    } else if (a != "--") {
      return has_c ? &a : nullptr;
    }
  }
  return nullptr;
}

} // namespace

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

unwrapped_command unwrap_command(const shell_words& w,
                                 const command_lists& lists) {
  unwrapped_command u;
  std::size_t i = 0;
  while (i < w.size()) {
    if (lists.keywords.count(w[i]) || is_assignment(w[i])) {
      ++i;
      continue;
    }
    std::string name = base_name(w[i]);
    auto prefix = lists.prefixes.find(name);
    if (prefix != lists.prefixes.end()) {
      if (skip_prefix(prefix->second, w, i))
        continue;
      u.what = unwrapped_command::kind::lookup;
      u.name = std::move(name);
      return u;
    }
    u.what = unwrapped_command::kind::program;
    u.args = i + 1;
    if (lists.shells.count(name)) {
      if (auto* line = shell_string(w, u.args)) {
        u.what = unwrapped_command::kind::nested;
        u.nested = *line;
      }
    } else if (name == "eval") {
      // eval joins its arguments with blanks and runs the result.
      u.what = unwrapped_command::kind::nested;
      for (std::size_t k = u.args; k < w.size(); ++k)
        u.nested += w[k] + " ";
    }
    u.name = std::move(name);
    return u;
  }
  return u;
}

} // namespace cluster
