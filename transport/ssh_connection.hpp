#pragma once

// One established SSH connection as the reactor's I/O thread drives it: a
// non-blocking session, its exec channels' state machines, keepalives and a
// check for a peer that has gone silent. Nothing here blocks or knows about
// runs; the reactor decides what the channels are for.

#include "transport/output_sink.hpp"
#include "transport/ssh_session.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <libssh2.h>

namespace cluster::transport {

/// One `exec` channel: open, exec, close stdin, read stdout and stderr to EOF,
/// close, then the exit status; each step resumed after EAGAIN.
class exec_channel {
public:
  /// What advance() reached.
  enum class status { blocked, ended, open_refused, link_lost };

  /// A channel that will run `command`; `owner` is the reactor's tag.
  exec_channel(std::string command, std::uint64_t owner);

  /// Receives output as it is read (not called after abandon()).
  std::function<void(stream_kind, std::string_view)> on_output;

  /// The reactor's tag (a run id, or 0 once nobody waits for the result).
  std::uint64_t owner;

  /// Moves on as far as the session allows; sets `progressed` if it did.
  status advance(LIBSSH2_SESSION* session, std::vector<char>& buf, bool& progressed);

  /// True until the channel is open (only one open may be pending per session).
  bool wants_open() const { return phase_ == phase::unopened; }

  /// True once the exec request may have reached the server.
  bool exec_started() const { return exec_started_; }

  /// Skips the exec if it has not started; the channel just closes.
  void abandon();

  /// Exit status (meaningful when no exit signal arrived).
  int exit_status() const { return exit_status_; }

  /// Signal name without "SIG" if the command died of one, else empty.
  const std::string& exit_signal() const { return exit_signal_; }

  /// Why exec or open failed (empty when they worked).
  const std::string& error() const { return error_; }

private:
  enum class phase { unopened, exec, stdin_eof, reading, closing, freeing, done };

  std::string command_;
  phase phase_ = phase::unopened;
  LIBSSH2_CHANNEL* channel_ = nullptr;
  bool exec_started_ = false;
  bool abandoned_ = false;
  int exit_status_ = -1;
  std::string exit_signal_;
  std::string error_;
};

/// An SSH connection owned by the I/O thread, from connect to close.
class ssh_connection {
public:
  /// Something a channel reached during pump(), handed back with the channel.
  struct event {
    exec_channel::status what;               ///< ended or open_refused.
    std::unique_ptr<exec_channel> channel;   ///< Already out of `channels`.
  };

  /// A connection being opened on a connector thread for `where`.
  ssh_connection(std::uint64_t id, std::string pool_key, ssh_endpoint where);

  /// Closes the session if still open (no goodbye) and joins the connector.
  ~ssh_connection();

  /// Owns a session and a thread; not copyable.
  ssh_connection(const ssh_connection&) = delete;
  /// Owns a session and a thread; not copyable.
  ssh_connection& operator=(const ssh_connection&) = delete;

  const std::uint64_t id;       ///< Unique per reactor.
  const std::string pool_key;   ///< ssh_endpoint::key() of `where`.
  const ssh_endpoint where;     ///< The endpoint it was opened for.
  std::size_t capacity;         ///< Channels it may hold (lowered when sshd refuses).
  std::vector<std::unique_ptr<exec_channel>> channels;  ///< All, closing ones included.
  std::vector<std::function<void(ssh_failure, const std::string&)>> warm_waiters;  ///< warm_up callers.
  /// A channel opened and closed first: sshd finishes its post-auth setup
  /// (about 45 ms here) before it answers, so the connection counts as warm
  /// only once this probe has ended.
  const exec_channel* primer = nullptr;

  /// Starts the connector thread; `done` runs on it with the result.
  void connect(std::function<void(opened_session)> done);

  /// Stops a pending connect early (shutdown).
  void abort_connect();

  /// Joins the finished connector and takes over its session (non-blocking).
  void adopt(opened_session opened, std::chrono::steady_clock::time_point now);

  /// True once a session is up and not yet dead.
  bool ready() const { return session_ != nullptr && why_dead_.empty(); }

  /// True while the connector thread is still working.
  bool connecting() const { return session_ == nullptr && why_dead_.empty(); }

  /// Why the connection is unusable; empty while it is fine.
  const std::string& why_dead() const { return why_dead_; }

  /// Marks it unusable (the reactor then fails or requeues its channels).
  void mark_dead(std::string why);

  /// The socket, for poll(); -1 unless ready.
  int socket() const { return ready() ? socket_ : -1; }

  /// poll() events to wait for.
  short poll_events() const;

  /// Takes poll()'s verdict; true when the channels should be pumped.
  bool on_poll(short revents);

  /// Drives every channel until none progresses; channel endings go to
  /// `events`. True when it stopped early with work left (poll must not wait).
  bool pump(std::vector<char>& buf, std::vector<event>& events);

  /// Keepalives and the silence check; returns when to call again.
  std::chrono::steady_clock::time_point tend(std::chrono::steady_clock::time_point now);

  /// True once so many keepalives went out that the connection should be
  /// closed when idle (libssh2 keeps every reply in memory).
  bool worn_out() const { return keepalives_sent_ >= keepalive_budget; }

  /// Ends the session (optionally with a goodbye) and closes the socket.
  void close(bool say_goodbye);

private:
  LIBSSH2_SESSION* session_ = nullptr;
  int socket_ = -1;
  std::unique_ptr<receive_clock> clock_ = std::make_unique<receive_clock>();
  std::shared_ptr<connect_abort> abort_ = std::make_shared<connect_abort>();
  std::thread connector_;
  std::string why_dead_;
  bool idle_unread_ = false;  // Idle, with bytes only a channel call would read.
  bool active_ = false;       // Has channels, so keepalives run.
  std::chrono::steady_clock::time_point active_since_;
  const void* out_owner_ = nullptr;  // Whose packet is half-sent (see pump).
  std::chrono::steady_clock::time_point last_keepalive_;
  std::size_t keepalives_sent_ = 0;
  static constexpr std::size_t keepalive_budget = 1000;
};

} // namespace cluster::transport
