#include "config/ssh_config.hpp"

#include "config/settings.hpp"
#include "config/text_file.hpp"

#include <glob.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace cluster {

namespace {

/// OpenSSH's READCONF_MAX_DEPTH: deeper nesting is almost surely a loop.
constexpr int max_include_depth = 16;

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

char lower_char(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

[[noreturn]] void malformed(const std::string& file, std::size_t line,
                            const std::string& problem) {
  throw config_error(file + " line " + std::to_string(line) + ": " + problem);
}

/// One config line split like OpenSSH's argv_split: blanks separate,
/// quotes group, a backslash escapes a quote, a backslash or (unquoted) a
/// blank, and an unquoted '#' at the start of a word ends the line.
std::vector<std::string> split_words(std::string_view s, const std::string& file,
                                     std::size_t line) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_blank(s[i]))
      ++i;
    if (i >= s.size() || s[i] == '#')
      break;
    std::string word;
    char quote = 0;
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (quote == 0 && is_blank(c))
        break;
      if (c == '\\' && i + 1 < s.size()) {
        char next = s[i + 1];
        if (next == '\'' || next == '"' || next == '\\'
            || (quote == 0 && next == ' ')) {
          word += next;
          ++i;
          continue;
        }
      }
      if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else if (quote != 0 && c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    }
    if (quote != 0)
      malformed(file, line, "unterminated quote");
    words.push_back(std::move(word));
  }
  return words;
}

/// The single argument of a keyword that takes exactly one.
const std::string& single_argument(const std::vector<std::string>& args,
                                   const std::string& keyword,
                                   const std::string& file, std::size_t line) {
  if (args.empty() || args.front().empty())
    malformed(file, line, keyword + " needs a value");
  if (args.size() > 1)
    malformed(file, line, "unexpected " + args[1] + " after the value of "
                            + keyword);
  return args.front();
}

std::uint16_t parse_port(const std::string& value, const std::string& file,
                         std::size_t line) {
  bool digits = !value.empty() && value.size() <= 5
                && std::all_of(value.begin(), value.end(),
                               [](char c) { return c >= '0' && c <= '9'; });
  unsigned long port = digits ? std::stoul(value) : 0;
  if (port < 1 || port > 65535)
    malformed(file, line, "Port " + value + " is not a port (expected 1 to 65535)");
  return static_cast<std::uint16_t>(port);
}

/// Expands %-tokens in `text`; `allowed` lists the letters this keyword takes.
std::string expand_tokens(const std::string& text, std::string_view allowed,
                          const std::vector<std::pair<char, std::string>>& values,
                          const std::string& file, std::size_t line) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 1 >= text.size())
      malformed(file, line, "'%' at the end of " + text);
    char t = text[++i];
    if (t == '%') {
      out += '%';
      continue;
    }
    auto v = std::find_if(values.begin(), values.end(),
                          [t](auto& p) { return p.first == t; });
    if (allowed.find(t) == std::string_view::npos || v == values.end()) {
      std::string supported = "%%";
      for (char a : allowed)
        supported += std::string(" %") + a;
      malformed(file, line, std::string("token %") + t + " in " + text
                              + " is not supported here (supported: "
                              + supported + ")");
    }
    out += v->second;
  }
  return out;
}

std::string home_of_current_user() {
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0')
    return h;
  if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_dir)
    return pw->pw_dir;
  return {};
}

} // namespace

bool ssh_pattern_match(std::string_view pattern, std::string_view host) {
  // Greedy match with one backtrack point, the last '*' seen.
  std::size_t p = 0;
  std::size_t h = 0;
  std::size_t star = std::string_view::npos;
  std::size_t resume = 0;
  while (h < host.size()) {
    if (p < pattern.size()
        && (pattern[p] == '?' || lower_char(pattern[p]) == lower_char(host[h]))) {
      ++p;
      ++h;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = h;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      h = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

std::string expand_tilde(const std::string& path, const std::string& home) {
  if (home.empty() || path.empty() || path[0] != '~')
    return path;
  if (path.size() == 1)
    return home;
  if (path[1] == '/')
    return home + path.substr(1);
  return path;  // ~otheruser/...: not ours to guess
}

ssh_config_context current_ssh_config_context() {
  ssh_config_context ctx;
  ctx.home = home_of_current_user();
  ctx.local_user = current_user_name();
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) == 0)
    ctx.local_host = name;
  ctx.uid = static_cast<std::uint32_t>(::getuid());
  return ctx;
}

ssh_client_config ssh_client_config::read(const std::string& path,
                                          const ssh_config_context& ctx,
                                          bool required) {
  auto file = read_text_file(path);
  if (!file.ok) {
    if (required)
      throw config_error(path + ": cannot read the ssh config file: "
                         + file.error);
    return parse({}, path, ctx);
  }
  return parse(file.contents, path, ctx);
}

ssh_client_config ssh_client_config::parse(std::string_view text,
                                           const std::string& path,
                                           const ssh_config_context& ctx) {
  ssh_client_config cfg;
  cfg.ctx_ = ctx;
  cfg.parse_file(text, path, {}, 0);
  return cfg;
}

void ssh_client_config::parse_file(std::string_view text,
                                   const std::string& path,
                                   const std::vector<std::size_t>& outer,
                                   int depth) {
  // Lines before the first Host apply to every host, as in OpenSSH.
  conditions_.push_back({{}, true, false});
  std::size_t current = conditions_.size() - 1;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos)
      end = text.size();
    auto line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    std::size_t i = 0;
    while (i < line.size() && is_blank(line[i]))
      ++i;
    if (i >= line.size() || line[i] == '#')
      continue;
    std::size_t k = i;
    while (k < line.size() && !is_blank(line[k]) && line[k] != '=')
      ++k;
    if (k == i)
      malformed(path, line_no, "a line must start with a keyword");
    std::string spelled(line.substr(i, k - i));
    auto keyword = lowercase(spelled);
    while (k < line.size() && is_blank(line[k]))
      ++k;
    if (k < line.size() && line[k] == '=')
      ++k;
    auto args = split_words(line.substr(k), path, line_no);
    if (keyword == "host") {
      if (args.empty())
        malformed(path, line_no, "Host needs at least one pattern");
      host_condition cond;
      for (auto& a : args)
        cond.patterns.push_back(lowercase(a));
      conditions_.push_back(std::move(cond));
      current = conditions_.size() - 1;
    } else if (keyword == "match") {
      // Match criteria (exec, user, localuser, canonical...) are not
      // evaluated: the block is read for syntax and never applies, which
      // is safer than guessing. `Match all` alone is plain `Host *`.
      if (args.empty())
        malformed(path, line_no, "Match needs criteria");
      bool all = args.size() == 1 && lowercase(args[0]) == "all";
      conditions_.push_back({{}, all, !all});
      current = conditions_.size() - 1;
    } else if (keyword == "include") {
      if (args.empty())
        malformed(path, line_no, "Include needs a file");
      auto guards = outer;
      guards.push_back(current);
      include(args, guards, path, line_no, depth);
    } else if (keyword == "hostname" || keyword == "user"
               || keyword == "port" || keyword == "identityfile") {
      auto value = single_argument(args, spelled, path, line_no);
      if (keyword == "port")
        parse_port(value, path, line_no);
      auto guards = outer;
      guards.push_back(current);
      directives_.push_back({std::move(guards), keyword, value, path, line_no});
    }
    // Every other keyword is OpenSSH's business, not ours.
  }
}

void ssh_client_config::include(const std::vector<std::string>& patterns,
                                const std::vector<std::size_t>& guards,
                                const std::string& file, std::size_t line,
                                int depth) {
  if (depth + 1 > max_include_depth)
    malformed(file, line, "Include nested more than "
                            + std::to_string(max_include_depth) + " deep");
  for (auto& pattern : patterns) {
    auto path = expand_tilde(pattern, ctx_.home);
    if (!path.empty() && path[0] != '/')
      path = ctx_.home + "/.ssh/" + path;
    glob_t g{};
    // No match is not an error: OpenSSH skips such Includes silently.
    if (::glob(path.c_str(), 0, nullptr, &g) == 0) {
      std::vector<std::string> files(g.gl_pathv, g.gl_pathv + g.gl_pathc);
      ::globfree(&g);
      for (auto& f : files) {
        auto text = read_text_file(f);
        if (text.ok)
          parse_file(text.contents, f, guards, depth + 1);
      }
    } else {
      ::globfree(&g);
    }
  }
}

bool ssh_client_config::applies(const directive& d,
                                std::string_view host) const {
  for (auto idx : d.guards) {
    auto& cond = conditions_[idx];
    if (cond.never)
      return false;
    if (cond.always)
      continue;
    bool positive = false;
    for (auto& p : cond.patterns) {
      if (!p.empty() && p[0] == '!') {
        if (ssh_pattern_match(std::string_view(p).substr(1), host))
          return false;
      } else if (ssh_pattern_match(p, host)) {
        positive = true;
      }
    }
    if (!positive)
      return false;
  }
  return true;
}

ssh_host_settings ssh_client_config::lookup(const ssh_host_query& q) const {
  ssh_host_settings out;
  const directive* hostname = nullptr;
  std::vector<const directive*> identities;
  for (auto& d : directives_) {
    if (!applies(d, q.host))
      continue;
    if (d.keyword == "hostname" && hostname == nullptr)
      hostname = &d;
    else if (d.keyword == "user" && !out.user)
      out.user = d.value;
    else if (d.keyword == "port" && !out.port)
      out.port = parse_port(d.value, d.file, d.line);
    else if (d.keyword == "identityfile")
      identities.push_back(&d);
  }
  if (hostname != nullptr)
    out.hostname = expand_tokens(hostname->value, "h", {{'h', q.host}},
                                 hostname->file, hostname->line);
  std::string local_short = ctx_.local_host.substr(0, ctx_.local_host.find('.'));
  std::vector<std::pair<char, std::string>> tokens{
    {'d', ctx_.home},
    {'h', out.hostname.value_or(q.host)},
    {'i', std::to_string(ctx_.uid)},
    {'L', local_short},
    {'l', ctx_.local_host},
    {'n', q.host},
    {'p', std::to_string(q.port.value_or(out.port.value_or(22)))},
    {'r', q.user.value_or(out.user.value_or(q.default_user))},
    {'u', ctx_.local_user}};
  for (auto* d : identities) {
    auto path = expand_tokens(expand_tilde(d->value, ctx_.home), "dhiLlnpru",
                              tokens, d->file, d->line);
    if (std::find(out.identity_files.begin(), out.identity_files.end(), path)
        == out.identity_files.end())
      out.identity_files.push_back(std::move(path));
  }
  return out;
}

} // namespace cluster
