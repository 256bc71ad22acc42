#pragma once

// Opening one authenticated SSH session: TCP connect with a deadline and
// retries, handshake, host-key check, and BatchMode-style public-key auth.
// Everything here blocks, so it runs on a short-lived connector thread per
// connection attempt and never on the reactor's I/O thread.

#include "transport/ssh_reactor.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include <libssh2.h>

namespace cluster::transport {

/// Lets another thread cut a connection attempt short (reactor shutdown).
class connect_abort {
public:
  /// Wakes any backoff sleep and shuts the attempt's socket down.
  void abort();

  /// True once abort() was called.
  bool aborted() const;

  /// Sleeps up to `d`; false if aborted meanwhile.
  bool sleep_for(std::chrono::milliseconds d);

  /// Registers the attempt's socket for abort(); false if already aborted.
  bool watch(int fd);

  /// Forgets the socket (before it is closed or handed over).
  void unwatch();

private:
  mutable std::mutex mtx_;
  std::condition_variable wake_;
  bool aborted_ = false;
  int fd_ = -1;
};

/// When the session last received a byte: a silent peer shows as a clock
/// that stops while keepalives go unanswered.
class receive_clock {
public:
  /// Records that bytes arrived now (called from libssh2's recv callback).
  void touch();

  /// The last arrival; the epoch of steady_clock if none yet.
  std::chrono::steady_clock::time_point last() const;

private:
  std::atomic<std::int64_t> last_ns_{0};
};

/// An authenticated session (blocking mode, TCP_NODELAY set), or why not.
struct opened_session {
  LIBSSH2_SESSION* session = nullptr;      ///< Owned by the receiver; null on failure.
  int socket = -1;                          ///< Its connected socket; -1 on failure.
  ssh_failure failure = ssh_failure::none;  ///< Why there is no session.
  std::string error;  ///< Names the node and what went wrong.
};

/// Connects, verifies the host key and authenticates as `where` says. Blocks
/// for at most about (retries+1) x (connect_timeout + ssh_timeout) plus the
/// backoff. `clock`, if given, must outlive the session.
opened_session open_ssh_session(const ssh_endpoint& where, connect_abort& abort,
                                receive_clock* clock);

/// Ends a session without ever blocking: optional goodbye, socket shutdown,
/// free, close. Leaves both arguments reset.
void discard_session(LIBSSH2_SESSION*& session, int& socket, bool say_goodbye);

/// "node (address:port)", the way every message names a node.
std::string describe_node(const ssh_endpoint& where);

/// libssh2's last error message for `session`, with its code.
std::string last_ssh_error(LIBSSH2_SESSION* session);

/// True for libssh2 errors that mean the connection itself is unusable.
bool is_connection_error(int rc);

} // namespace cluster::transport
