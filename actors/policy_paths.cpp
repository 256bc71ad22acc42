#include "actors/policy_paths.hpp"

#include <algorithm>

#include <fnmatch.h>

namespace cluster {

namespace {

bool is_glob(std::string_view part) {
  return part.find_first_of("*?[") != std::string_view::npos;
}

bool all_stars(std::string_view part) {
  return !part.empty() && part.find_first_not_of('*') == std::string_view::npos;
}

// A component that is, or as a glob could be, one of `dirs`.
bool names_system_dir(const std::string& part, const name_set& dirs) {
  if (dirs.count(part) != 0)
    return true;
  if (!is_glob(part))
    return false;
  return std::any_of(dirs.begin(), dirs.end(), [&](const std::string& d) {
    return ::fnmatch(part.c_str(), d.c_str(), 0) == 0;
  });
}

// Where the anchor of `w` ends: `~`, `~user`, `$HOME`, `${HOME}`; npos
// when `w` does not start at the home directory.
std::size_t home_prefix(std::string_view w) {
  std::size_t end = std::string_view::npos;
  if (w.substr(0, 7) == "${HOME}")
    end = 7;
  else if (w.substr(0, 5) == "$HOME")
    end = 5;
  else if (!w.empty() && w[0] == '~')
    end = std::min(w.find('/'), w.size());
  if (end == std::string_view::npos || (end < w.size() && w[end] != '/'))
    return std::string_view::npos;
  // `~+` and `~-` are $PWD and $OLDPWD; `~$x` is anyone's guess.
  auto user = w[0] == '~' ? w.substr(1, end - 1) : std::string_view{};
  if (user == "+" || user == "-" || user.find('$') != std::string_view::npos)
    return std::string_view::npos;
  return end;
}

} // namespace

path_ref resolve_path(std::string_view w, const path_ref& cwd) {
  path_ref p;
  std::string_view rest;
  if (w.empty())
    return p;
  if (w[0] == '/') {
    p.from = path_ref::anchor::root;
    rest = w;
  } else if (auto end = home_prefix(w); end != std::string_view::npos) {
    p.from = path_ref::anchor::home;
    rest = w.substr(end);
  } else if (w[0] == '~' || w[0] == '$' || cwd.from == path_ref::anchor::unknown) {
    return p;
  } else {
    p = cwd;
    rest = w;
  }
  while (!rest.empty()) {
    auto slash = rest.find('/');
    auto part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{}
                                           : rest.substr(slash + 1);
    if (part.empty() || part == ".")
      continue;
    if (part != "..") {
      p.parts.emplace_back(part);
    } else if (!p.parts.empty()) {
      p.parts.pop_back();
    } else if (p.from == path_ref::anchor::home) {
      return {};  // Above the home directory: where that is, is not known.
    }
  }
  return p;
}

std::string display_path(const path_ref& p) {
  if (p.from == path_ref::anchor::unknown)
    return "?";
  std::string out = p.from == path_ref::anchor::home ? "~" : "";
  for (auto& part : p.parts)
    out += "/" + part;
  return out.empty() ? "/" : out;
}

bool is_system_path(const path_ref& p, const name_set& system_dirs) {
  if (p.from != path_ref::anchor::root)
    return false;
  switch (p.parts.size()) {
  case 0:
    return true;
  case 1:
    return names_system_dir(p.parts[0], system_dirs);
  case 2:
    return names_system_dir(p.parts[0], system_dirs) && all_stars(p.parts[1]);
  default:
    return false;
  }
}

bool is_home_path(const path_ref& p) {
  return p.from == path_ref::anchor::home
         && (p.parts.empty() || (p.parts.size() == 1 && all_stars(p.parts[0])));
}

bool is_block_device(const path_ref& p, const std::vector<std::string>& patterns) {
  if (p.from != path_ref::anchor::root)
    return false;
  auto path = display_path(p);
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& pat) {
    return ::fnmatch(pat.c_str(), path.c_str(), 0) == 0;
  });
}

std::vector<std::string> expand_braces(const std::string& word,
                                       std::size_t limit) {
  std::vector<std::string> out;
  std::vector<std::string> todo{word};
  // Each step either finishes a word or replaces it by its alternatives,
  // so bounding the steps bounds the work on hostile input.
  for (std::size_t steps = 0; !todo.empty() && out.size() < limit
                              && steps < 4 * limit;
       ++steps) {
    auto w = std::move(todo.back());
    todo.pop_back();
    std::size_t open = w.find('{');
    std::size_t close = std::string::npos;
    std::vector<std::size_t> commas;
    for (; open != std::string::npos; open = w.find('{', open + 1)) {
      int depth = 0;
      commas.clear();
      for (std::size_t k = open; k < w.size(); ++k) {
        if (w[k] == '{') {
          ++depth;
        } else if (w[k] == '}' && --depth == 0) {
          close = k;
          break;
        } else if (w[k] == ',' && depth == 1) {
          commas.push_back(k);
        }
      }
      if (close != std::string::npos && !commas.empty())
        break;
      close = std::string::npos;
    }
    if (close == std::string::npos) {
      out.push_back(std::move(w));
      continue;
    }
    auto head = w.substr(0, open);
    auto tail = w.substr(close + 1);
    commas.push_back(close);
    std::size_t from = open + 1;
    for (auto c : commas) {
      todo.push_back(head + w.substr(from, c - from) + tail);
      from = c + 1;
    }
  }
  if (out.empty())
    out.push_back(word);
  return out;
}

} // namespace cluster
