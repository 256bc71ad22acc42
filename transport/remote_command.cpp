#include "transport/remote_command.hpp"

#include "transport/shell_quote.hpp"

#include <algorithm>
#include <csignal>
#include <utility>

namespace cluster::transport {

namespace {

constexpr std::string_view marker_prefix = "\x1e" "cluster-exec:";
constexpr char marker_end = '\x1f';
/// A login script may print a banner first, but a stream that shows no
/// marker after this much is not going to: it is all output.
constexpr std::size_t seek_limit = 64 * 1024;
/// cd's message is one line; anything longer is not our marker.
constexpr std::size_t status_limit = 4096;

/// Length of the longest suffix of `s` that is a proper prefix of the marker.
std::size_t partial_prefix(std::string_view s) {
  for (std::size_t n = std::min(s.size(), marker_prefix.size() - 1); n > 0; --n)
    if (s.substr(s.size() - n) == marker_prefix.substr(0, n))
      return n;
  return 0;
}

} // namespace

std::string remote_exec_string(std::string_view command, std::string_view cwd) {
  // printf's format is a constant and $$ its argument, so nothing in cwd or
  // command ever reaches a format string. `CDPATH=` stops a relative cwd from
  // being resolved elsewhere (and cd from printing the directory). cd's
  // message goes into the marker, where the reactor can read it.
  std::string script;
  if (cwd.empty()) {
    script = "printf '\\036cluster-exec:%d:ok\\037' \"$$\"; ";
  } else {
    script = "printf '\\036cluster-exec:%d:' \"$$\"; if CDPATH= cd -- ";
    script += shell_quote(cwd);
    script += " 2>&1; then printf 'ok\\037'; else printf '\\037'; exit " +
              std::to_string(cwd_failed_status) + "; fi; ";
  }
  script += "exec /bin/bash -c ";
  script += shell_quote(command);
  // The login shell only sees one single-quoted word, which bash, dash and
  // zsh all read the same way; /bin/sh then parses the script itself.
  return "exec /bin/sh -c " + shell_quote(script);
}

std::string group_kill_command(long pgid, bool hard) {
  const std::string group = "-" + std::to_string(pgid);
  if (hard)
    return "kill -KILL -- " + group;
  return "kill -TERM -- " + group + "; kill -CONT -- " + group;
}

int signal_number(std::string_view ssh_name) {
  // RFC 4254 names the signals without "SIG"; numbers are this host's.
  static const std::pair<std::string_view, int> table[] = {
      {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"FPE", SIGFPE},   {"HUP", SIGHUP},
      {"ILL", SIGILL},   {"INT", SIGINT},   {"KILL", SIGKILL}, {"PIPE", SIGPIPE},
      {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV}, {"TERM", SIGTERM}, {"USR1", SIGUSR1},
      {"USR2", SIGUSR2}, {"BUS", SIGBUS},   {"TRAP", SIGTRAP}, {"SYS", SIGSYS},
      {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
  };
  if (ssh_name.substr(0, 3) == "SIG")
    ssh_name.remove_prefix(3);
  for (const auto& [name, number] : table)
    if (name == ssh_name)
      return number;
  return 0;
}

void start_marker_reader::feed(std::string_view chunk, std::string& out) {
  while (!chunk.empty() && state_ != state::done) {
    if (state_ == state::seeking) {
      held_.append(chunk);
      chunk = {};
      auto at = held_.find(marker_prefix);
      if (at == std::string::npos) {
        std::size_t keep = partial_prefix(held_);
        scanned_ += held_.size() - keep;
        out.append(held_, 0, held_.size() - keep);
        held_.erase(0, held_.size() - keep);
        if (scanned_ > seek_limit)
          give_up(out);
        return;
      }
      out.append(held_, 0, at);
      std::string rest = held_.substr(at + marker_prefix.size());
      held_ = marker_prefix;
      state_ = state::pgid;
      // Re-feed what followed the prefix; it is a copy, so held_ may change.
      feed(rest, out);
      return;
    }
    char c = chunk.front();
    chunk.remove_prefix(1);
    held_ += c;
    if (state_ == state::pgid) {
      if (c == ':' && pgid_ > 0) {
        state_ = state::status;
      } else if (c >= '0' && c <= '9' && pgid_ < 1'000'000'000L) {
        pgid_ = pgid_ * 10 + (c - '0');
      } else {
        pgid_ = 0;
        give_up(out);
      }
    } else if (c == marker_end) {
      state_ = state::done;
      held_.clear();
    } else if (status_.size() < status_limit) {
      status_ += c;
    } else {
      pgid_ = 0;
      give_up(out);
    }
  }
  out.append(chunk);
}

void start_marker_reader::finish(std::string& out) {
  if (state_ != state::done)
    give_up(out);
}

std::string start_marker_reader::cwd_error() const {
  std::string s = status_;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.pop_back();
  return s.empty() ? std::string("cd failed") : s;
}

void start_marker_reader::give_up(std::string& out) {
  // Not our marker after all (or never coming): every byte held back is
  // output, in order, and everything after it passes straight through.
  out += held_;
  held_.clear();
  status_.clear();
  state_ = state::done;
  gave_up_ = true;
}

} // namespace cluster::transport
