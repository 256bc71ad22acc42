#include "actors/command_policy.hpp"

#include "actors/command_unwrap.hpp"
#include "actors/fork_bomb.hpp"
#include "actors/policy_paths.hpp"
#include "actors/shell_words.hpp"

#include <algorithm>
#include <optional>

#include <fnmatch.h>

namespace cluster {

namespace {

// More than the classifier's 4: each level is strictly shorter than the
// last, and a guard should not give up where routing may.
constexpr int max_depth = 8;

constexpr std::string_view delete_root = "recursive-delete-root";
constexpr std::string_view delete_home = "recursive-delete-home";
constexpr std::string_view format_device = "format-block-device";
constexpr std::string_view write_device = "write-block-device";
constexpr std::string_view fork_bomb_rule = "fork-bomb";
constexpr std::string_view chmod_root = "recursive-chmod-root";

std::string_view trimmed(std::string_view s) {
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return {};
  auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// `--rec` for `--recursive`: getopt takes any unambiguous abbreviation.
bool long_flag(std::string_view arg, std::string_view name, std::size_t min) {
  if (arg.size() < 2 + min || arg.substr(0, 2) != "--")
    return false;
  auto given = arg.substr(2);
  return given.size() <= name.size() && name.substr(0, given.size()) == given;
}

// A program's operands, and whether its options ask for recursion; GNU
// tools take options anywhere before `--`.
struct arguments {
  bool recursive = false;
  std::vector<std::string> operands;
};

arguments read_arguments(const shell_words& w, std::size_t from,
                         const recursive_program* r = nullptr) {
  arguments out;
  bool options = true;
  for (std::size_t k = from; k < w.size(); ++k) {
    const std::string& a = w[k];
    if (options && a == "--") {
      options = false;
    } else if (options && is_option(a)) {
      if (r == nullptr)
        continue;
      if (a[1] == '-')
        out.recursive = out.recursive || long_flag(a, "recursive", r->long_prefix);
      else
        out.recursive = out.recursive
                        || a.find_first_of(r->short_flags, 1) != std::string::npos;
    } else {
      out.operands.push_back(a);
    }
  }
  return out;
}

// The text of [begin, end) in `text`, as written.
std::string_view span(std::string_view text, std::size_t begin, std::size_t end) {
  return begin < end ? text.substr(begin, end - begin) : std::string_view{};
}

bool writes_file(const shell_redirect& r) {
  static const name_set ops = {">", ">>", ">|", "&>", "&>>", "<>"};
  if (ops.count(r.op) != 0)
    return true;
  // `>&2` duplicates a descriptor; `>&file` writes stdout and stderr there.
  return r.op == ">&" && r.target != "-"
         && r.target.find_first_not_of("0123456789") != std::string::npos;
}

// An allow entry that is one simple command: its program and first words.
struct allow_entry {
  std::string name;
  shell_words args;
};

class checker {
public:
  checker(const command_policy& policy, const policy_lists& lists,
          const command_lists& words, path_ref cwd)
      : policy_(policy), lists_(lists), words_(words), cwd_(std::move(cwd)) {
    for (auto& text : policy.allow) {
      auto cmds = split_commands(text);
      if (cmds.size() != 1)
        continue;
      auto u = unwrap_command(cmds[0].words, words);
      if (u.what != unwrapped_command::kind::program
          && u.what != unwrapped_command::kind::nested)
        continue;
      auto& w = cmds[0].words;
      allow_.push_back({u.name, shell_words(w.begin() + static_cast<long>(u.args),
                                            w.end())});
    }
  }

  policy_verdict verdict;

  // Each simple command of `text`, in order; true once one is refused.
  bool line(std::string_view text, int depth) {
    auto cmds = split_commands(text);
    if (enabled(fork_bomb_rule) && fork_bomb(cmds, text))
      return true;
    for (auto& c : cmds)
      if (simple(c, text, depth))
        return true;
    return false;
  }

private:
  bool enabled(std::string_view rule) const { return policy_.enabled(rule); }

  bool refuse(std::string_view rule, std::string_view segment,
              std::string detail) {
    verdict = {false, std::string(rule), std::string(segment), std::move(detail)};
    return true;
  }

  bool allowed(const shell_words& w, const unwrapped_command& u) const {
    return std::any_of(allow_.begin(), allow_.end(), [&](const allow_entry& a) {
      return a.name == u.name && w.size() - u.args >= a.args.size()
             && std::equal(a.args.begin(), a.args.end(),
                           w.begin() + static_cast<long>(u.args));
    });
  }

  // The first block device `word` names (in any of its brace expansions).
  std::optional<std::string> device_in(const std::string& word) const {
    for (auto& w : expand_braces(word)) {
      auto p = resolve_path(w, cwd_);
      if (is_block_device(p, lists_.block_devices))
        return display_path(p);
    }
    return std::nullopt;
  }

  bool simple(const simple_command& c, std::string_view text, int depth) {
    auto seg = span(text, c.begin, c.end);
    auto u = unwrap_command(c.words, words_);
    if (u.what == unwrapped_command::kind::nothing
        || u.what == unwrapped_command::kind::lookup) {
      return redirections(c, seg);
    }
    if (allowed(c.words, u))
      return false;
    auto& deny = policy_.deny_programs;
    if (std::find(deny.begin(), deny.end(), u.name) != deny.end())
      return refuse(denied_program_rule, seg,
                    "runs " + u.name + ", which the policy's deny_programs refuses");
    if (redirections(c, seg))
      return true;
    if (u.what == unwrapped_command::kind::nested)
      return depth < max_depth && line(u.nested, depth + 1);
    if (stdin_script(c, u, depth))
      return true;
    return program(c.words, u, seg);
  }

  bool redirections(const simple_command& c, std::string_view seg) {
    if (!enabled(write_device))
      return false;
    for (auto& r : c.redirects)
      if (writes_file(r))
        if (auto dev = device_in(r.target))
          return refuse(write_device, seg, "redirects output onto the disk " + *dev);
    return false;
  }

  // `bash <<EOF ... EOF` and `sh <<< 'cmd'`: a shell with neither `-c` nor
  // a script runs what its standard input holds.
  bool stdin_script(const simple_command& c, const unwrapped_command& u,
                    int depth) {
    if (words_.shells.count(u.name) == 0 || depth >= max_depth)
      return false;
    for (std::size_t k = u.args; k < c.words.size(); ++k) {
      auto& a = c.words[k];
      if (a == "-o" || a == "+o" || a == "-O" || a == "+O")
        ++k;
      else if (!is_option(a) && a != "--" && a[0] != '+')
        return false;
    }
    for (auto& r : c.redirects) {
      if ((r.op == "<<" || r.op == "<<-") && line(r.body, depth + 1))
        return true;
      if (r.op == "<<<" && line(r.target, depth + 1))
        return true;
    }
    return false;
  }

  bool program(const shell_words& w, const unwrapped_command& u,
               std::string_view seg) {
    const std::string& name = u.name;
    if (lists_.directory_changers.count(name)) {
      change_directory(name, read_arguments(w, u.args).operands);
      return false;
    }
    if (auto d = lists_.deleters.find(name); d != lists_.deleters.end())
      return deletes(read_arguments(w, u.args, &d->second), seg);
    if (auto m = lists_.mode_changers.find(name); m != lists_.mode_changers.end())
      return changes_modes(read_arguments(w, u.args, &m->second), seg);
    if (enabled(format_device) && formatter(name))
      return formats(w, u, seg);
    if (!enabled(write_device))
      return false;
    if (auto o = lists_.output_operands.find(name); o != lists_.output_operands.end()) {
      for (std::size_t k = u.args; k < w.size(); ++k)
        if (w[k].compare(0, o->second.size(), o->second) == 0)
          if (auto dev = device_in(w[k].substr(o->second.size())))
            return refuse(write_device, seg, "writes onto the disk " + *dev);
      return false;
    }
    std::vector<std::string> targets;
    if (lists_.file_writers.count(name))
      targets = read_arguments(w, u.args).operands;
    else if (lists_.copiers.count(name))
      targets = copy_targets(w, u.args);
    for (auto& t : targets)
      if (auto dev = device_in(t))
        return refuse(write_device, seg, "writes onto the disk " + *dev);
    return false;
  }

  bool deletes(const arguments& a, std::string_view seg) {
    if (!a.recursive)
      return false;
    for (auto& operand : a.operands)
      for (auto& w : expand_braces(operand)) {
        auto p = resolve_path(w, cwd_);
        if (enabled(delete_root) && is_system_path(p, lists_.system_dirs))
          return refuse(delete_root, seg,
                        "removes " + display_path(p) + " recursively");
        if (enabled(delete_home) && is_home_path(p))
          return refuse(delete_home, seg,
                        "removes " + display_path(p)
                          + " (the home directory) recursively");
      }
    return false;
  }

  bool changes_modes(const arguments& a, std::string_view seg) {
    if (!a.recursive || !enabled(chmod_root))
      return false;
    for (auto& operand : a.operands)
      for (auto& w : expand_braces(operand)) {
        auto p = resolve_path(w, cwd_);
        if (is_system_path(p, lists_.system_dirs))
          return refuse(chmod_root, seg,
                        "changes " + display_path(p) + " recursively");
      }
    return false;
  }

  bool formatter(const std::string& name) const {
    return std::any_of(lists_.formatters.begin(), lists_.formatters.end(),
                       [&](const std::string& pattern) {
                         return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
                       });
  }

  // Every argument counts, an option's `=value` too: mkfs takes the
  // device last, shred anywhere, and a label is never a disk path.
  bool formats(const shell_words& w, const unwrapped_command& u,
               std::string_view seg) {
    for (std::size_t k = u.args; k < w.size(); ++k) {
      std::string word = w[k];
      if (is_option(word)) {
        auto eq = word.find('=');
        if (eq == std::string::npos)
          continue;
        word = word.substr(eq + 1);
      }
      if (auto dev = device_in(word))
        return refuse(format_device, seg, u.name + " overwrites the disk " + *dev);
    }
    return false;
  }

  // cp's destination: `-t DIR`, `--target-directory=DIR`, else the last operand.
  static std::vector<std::string> copy_targets(const shell_words& w,
                                               std::size_t from) {
    for (std::size_t k = from; k < w.size(); ++k) {
      if (w[k] == "--")
        break;
      if (w[k] == "-t" && k + 1 < w.size())
        return {w[k + 1]};
      if (w[k].compare(0, 19, "--target-directory=") == 0)
        return {w[k].substr(19)};
    }
    auto operands = read_arguments(w, from).operands;
    if (operands.size() < 2)
      return {};
    return {operands.back()};
  }

  // Later relative paths are read against the directory a `cd` names, as
  // far as its word tells (`cd / && rm -rf *`).
  void change_directory(const std::string& name,
                        const std::vector<std::string>& operands) {
    if (operands.empty())
      cwd_ = name == "cd" ? path_ref{path_ref::anchor::home, {}} : path_ref{};
    else
      cwd_ = resolve_path(operands.front(), cwd_);
  }

  bool fork_bomb(const std::vector<simple_command>& cmds, std::string_view text) {
    auto bomb = find_fork_bomb(cmds, words_);
    if (!bomb)
      return false;
    return refuse(fork_bomb_rule, span(text, bomb->begin, bomb->end),
                  "defines " + bomb->name
                    + ", a function that runs itself in a pipe or in the "
                      "background until the machine runs out of processes");
  }

  const command_policy& policy_;
  const policy_lists& lists_;
  const command_lists& words_;
  path_ref cwd_;
  std::vector<allow_entry> allow_;
};

} // namespace

std::string policy_verdict::message() const {
  if (allowed)
    return {};
  constexpr std::size_t longest = 200;
  auto shown = segment.size() > longest ? segment.substr(0, longest) + "..."
                                        : segment;
  return "refused by the command policy, rule " + rule + ": \"" + shown
         + "\" " + detail + " (a guard against accidents: an operator can "
           "allow the command, or disable the rule, in the node file's "
           "\"policy\")";
}

policy_verdict check_command(std::string_view command,
                             const command_policy& policy, std::string_view cwd,
                             const policy_lists& lists,
                             const command_lists& words) {
  for (auto& exact : policy.allow)
    if (trimmed(exact) == trimmed(command) && !trimmed(exact).empty())
      return {};
  checker c{policy, lists, words, resolve_path(cwd, {})};
  c.line(command, 0);
  return c.verdict;
}

} // namespace cluster
