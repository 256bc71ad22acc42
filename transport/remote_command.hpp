#pragma once

// The text sent as an SSH `exec` request, and reading back what it reports.
//
// Wire format. sshd runs the exec string with the user's login shell
// (`$SHELL -c STRING`), so STRING is shell code for a shell we do not know.
// It is kept to what bash, sh (dash) and zsh parse alike:
//
//   exec /bin/sh -c '<script>'
//
// where <script>, quoted with shell_quote, is
//
//   printf '\036cluster-exec:%d:' "$$"; if CDPATH= cd -- '<cwd>' 2>&1;
//   then printf 'ok\037'; else printf '\037'; exit 126; fi;
//   exec /bin/bash -c '<command>'
//
// (one line; without a cwd: `printf '\036cluster-exec:%d:ok\037' "$$"; exec
// /bin/bash -c '<command>'`). Every `exec` keeps the PID that sshd made a
// session and group leader, so the `$$` printed is the process-group id a
// later `kill -- -PGID` from a second channel reaches. The first bytes on
// stdout are therefore the start marker
//
//   0x1E "cluster-exec:" <pgid digits> ":" <status> 0x1F
//
// with <status> "ok", or whatever `cd` printed when it failed (the script then
// exits 126 without running the command). Bytes before the marker (a chatty
// login script) are passed through as output; the marker itself never is.

#include <string>
#include <string_view>

namespace cluster::transport {

/// Exit status of the wrapper when the working directory cannot be entered.
constexpr int cwd_failed_status = 126;

/// The exec request for `command` (bash code, sent byte for byte) in `cwd`
/// (empty: the login directory). Neither may contain NUL.
std::string remote_exec_string(std::string_view command, std::string_view cwd);

/// The command for a second channel that signals process group `pgid`:
/// TERM (followed by CONT, so a stopped member gets it) or, if `hard`, KILL.
std::string group_kill_command(long pgid, bool hard);

/// Signal number for an SSH exit-signal name ("KILL", "TERM"), 0 if unknown.
int signal_number(std::string_view ssh_name);

/// Separates the start marker from the first bytes of the remote stdout; the
/// marker may arrive split across any number of reads.
class start_marker_reader {
public:
  /// Consumes one stdout chunk; appends to `out` the bytes that are output.
  void feed(std::string_view chunk, std::string& out);

  /// End of stdout: appends anything still held back to `out`.
  void finish(std::string& out);

  /// True once the process-group id has been read.
  bool has_pgid() const { return pgid_ > 0; }

  /// The remote process-group id; 0 until has_pgid().
  long pgid() const { return pgid_; }

  /// True once the whole marker, status included, has been read.
  bool complete() const { return state_ == state::done && !gave_up_; }

  /// True when the stream turned out to hold no (well-formed) marker.
  bool gave_up() const { return gave_up_; }

  /// True when the working directory was entered (complete() only).
  bool cwd_ok() const { return status_ == "ok"; }

  /// What `cd` said when it failed (complete() and !cwd_ok() only).
  std::string cwd_error() const;

private:
  enum class state { seeking, pgid, status, done };
  void give_up(std::string& out);

  state state_ = state::seeking;
  std::string held_;    // Bytes that may still turn out to be marker.
  std::size_t scanned_ = 0;  // Output bytes looked through while seeking.
  long pgid_ = 0;
  std::string status_;
  bool gave_up_ = false;
};

} // namespace cluster::transport
