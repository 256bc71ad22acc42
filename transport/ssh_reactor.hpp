#pragma once

// Runs commands on remote nodes over persistent libssh2 connections. One I/O
// thread drives every non-blocking session; several channels share one
// connection; a connection is opened ahead of need and reused.

#include "transport/output_sink.hpp"
#include "transport/process_reactor.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cluster::transport {

/// What to do with a host key that known_hosts does not list.
enum class host_key_policy {
  accept_new,  ///< Add it (like OpenSSH's StrictHostKeyChecking=accept-new).
  strict,      ///< Refuse the connection.
};

/// Where and how to reach one node. A changed host key is always refused.
struct ssh_endpoint {
  std::string node;           ///< Node id, for messages.
  std::string host_key_name;  ///< Name looked up and recorded in known_hosts.
  std::string address;        ///< IP literal to connect to.
  std::uint16_t port = 22;
  std::string user;
  std::vector<std::string> identity_files;  ///< Tried after ssh-agent.
  std::string known_hosts_file;             ///< Read, and appended to (accept-new).
  host_key_policy policy = host_key_policy::accept_new;
  std::chrono::milliseconds connect_timeout{2'000};  ///< TCP connect, per attempt.
  std::chrono::milliseconds ssh_timeout{5'000};      ///< Handshake + auth.
  std::uint32_t retries = 2;  ///< Further connect attempts, with backoff.
  std::uint32_t channels_per_connection = 10;  ///< sshd's MaxSessions default.
  std::chrono::seconds keepalive{15};

  /// Connections are shared by endpoints with equal keys.
  std::string key() const;
};

/// Why a remote run failed before the command could end on its own.
enum class ssh_failure {
  none,
  connection,  ///< Unreachable, refused, timed out, or the link dropped.
  auth,        ///< Every key was refused.
  host_key,    ///< Unknown host (strict policy) or a changed key.
};

/// One command for a remote node.
struct remote_spec {
  std::string command;   ///< Run by bash on the node, byte for byte.
  std::string cwd;       ///< Remote working directory; empty: the login directory.
  std::chrono::milliseconds timeout{0};        ///< 0: none.
  std::chrono::milliseconds kill_grace{1'000};  ///< TERM -> KILL of the group.
};

/// How a remote run ended.
struct remote_outcome {
  process_end end = process_end::exited;  ///< spawn_failed: see `failure`/`error`.
  ssh_failure failure = ssh_failure::none;
  int exit_code = -1;  ///< Remote status; 128+n for signal n; -1 if none.
  int signal = 0;
  std::string error;   ///< Human-readable reason when it did not run or failed.
  /// True when the command reached the node before a failure: running it
  /// again could run it twice.
  bool started = false;
  std::chrono::milliseconds duration{0};
};

/// Owns the SSH I/O thread and every connection. Thread-safe.
class ssh_reactor {
public:
  /// Identifies a started run for cancel().
  using run_id = std::uint64_t;

  /// Called exactly once per start(), on the I/O thread, after all output.
  using completion = std::function<void(const remote_outcome&)>;

  /// Reports whether a warm-up connection came up (`none`) or why not.
  using ready_callback = std::function<void(ssh_failure, const std::string&)>;

  ssh_reactor();

  /// Cancels every run (killing its remote group when still possible) and
  /// closes every connection.
  ~ssh_reactor();

  ssh_reactor(const ssh_reactor&) = delete;
  ssh_reactor& operator=(const ssh_reactor&) = delete;

  /// Runs `spec` on `where`: on a warm connection with a free channel, or on
  /// a new connection.
  run_id start(const ssh_endpoint& where, remote_spec spec,
               std::shared_ptr<output_sink> sink, completion on_done);

  /// Kills the run's remote process group (TERM, KILL after the grace).
  void cancel(run_id id);

  /// Opens a connection to `where` unless one is up.
  void warm_up(const ssh_endpoint& where, ready_callback on_ready);

  /// Number of open connections (for tests and status).
  std::size_t connections() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace cluster::transport
