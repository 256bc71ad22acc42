#include "actors/fork_bomb.hpp"

#include "actors/command_unwrap.hpp"

#include <algorithm>

namespace cluster {

namespace {

constexpr std::size_t max_body = 64;  // Simple commands of a body looked at.

// One simple command of a function body: what it runs and what follows it.
struct body_call {
  std::string program;
  std::string terminator;
};

std::string program_of(const shell_words& w, std::size_t from,
                       const command_lists& words) {
  auto u = unwrap_command(shell_words(w.begin() + static_cast<long>(from), w.end()),
                          words);
  return u.what == unwrapped_command::kind::program ? u.name : std::string{};
}

// The `{` and `}` leading a command open and close brace groups.
int brace_change(const shell_words& w, std::size_t from) {
  int change = 0;
  for (std::size_t k = from; k < w.size(); ++k) {
    if (w[k] == "{")
      ++change;
    else if (w[k] == "}")
      --change;
    else
      break;
  }
  return change;
}

} // namespace

std::optional<fork_bomb_match> find_fork_bomb(const std::vector<simple_command>& cmds,
                                              const command_lists& words) {
  // Read once, and only for a line that defines a function at all.
  std::vector<std::string> programs;
  auto program = [&](std::size_t j) -> const std::string& {
    if (programs.empty())
      for (auto& c : cmds)
        programs.push_back(program_of(c.words, 0, words));
    return programs[j];
  };
  for (std::size_t i = 0; i < cmds.size(); ++i) {
    auto& def = cmds[i];
    std::string name;
    bool body_inline = false;  // `function f { ...`: the body starts in this command.
    if (def.defines_function && !def.words.empty()) {
      name = def.words.back();
    } else if (def.words.size() >= 2 && def.words[0] == "function") {
      name = def.words[1];
      body_inline = def.words.size() > 2;
    } else {
      continue;
    }
    // The body: a brace group up to its closing `}`, else (a subshell
    // body) the rest of the line; a bomb's body is short, so a long one is
    // cut, which keeps a line of many definitions linear.
    std::vector<body_call> body;
    int depth = 0;
    bool braced = false;
    std::size_t last = i;
    auto take = [&](const simple_command& c, std::size_t from,
                    const std::string& runs) {
      int change = brace_change(c.words, from);
      if (body.empty() && change > 0)
        braced = true;
      depth += change;
      body.push_back({runs, c.terminator});
      return !(braced && depth <= 0) && body.size() < max_body;
    };
    bool more = !body_inline || take(def, 2, program_of(def.words, 2, words));
    for (std::size_t j = i + 1; more && j < cmds.size(); ++j) {
      more = take(cmds[j], 0, program(j));
      last = j;
    }
    auto calls = std::count_if(body.begin(), body.end(),
                               [&](auto& b) { return b.program == name; });
    bool self_pipe = false;
    bool background = false;
    for (std::size_t m = 0; m < body.size(); ++m) {
      if (body[m].program != name)
        continue;
      auto& t = body[m].terminator;
      self_pipe = self_pipe
                  || ((t == "|" || t == "|&") && m + 1 < body.size()
                      && body[m + 1].program == name);
      background = background || t == "&";
    }
    if (self_pipe || (background && calls >= 2))
      return fork_bomb_match{name, def.begin, cmds[last].end};
  }
  return std::nullopt;
}

} // namespace cluster
