#pragma once

// The I/O thread's bookkeeping behind ssh_reactor: runs, the connections of
// each endpoint, which run gets which channel, deadlines and remote kills.
// Single-threaded by design; ssh_reactor feeds it and polls for it.

#include "transport/remote_command.hpp"
#include "transport/ssh_connection.hpp"
#include "transport/ssh_reactor.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <poll.h>

namespace cluster::transport {

/// The outcome of a run that ended without the command's own status.
inline remote_outcome not_run(process_end end, ssh_failure failure,
                              std::string error) {
  remote_outcome o;
  o.end = end;
  o.failure = failure;
  o.error = std::move(error);
  return o;
}

/// Runs, connections and channels of one ssh_reactor (I/O thread only).
class ssh_pool {
public:
  using time_point = std::chrono::steady_clock::time_point;
  using run_id = ssh_reactor::run_id;

  /// What the pool needs from the reactor that owns it.
  struct host {
    virtual ~host() = default;
    /// Called on a connector thread with the attempt's result.
    virtual void connection_done(std::uint64_t connection, opened_session opened) = 0;
    /// Called when the number of established connections changes.
    virtual void connections_changed(std::size_t ready) = 0;
  };

  /// A pool reporting to `owner`, which must outlive it.
  explicit ssh_pool(host& owner);
  /// Call close_all() first; this only frees memory.
  ~ssh_pool();
  /// Owns connections and threads; not copyable.
  ssh_pool(const ssh_pool&) = delete;
  /// Owns connections and threads; not copyable.
  ssh_pool& operator=(const ssh_pool&) = delete;

  /// Queues a run that start() accepted at `at`.
  void start(run_id id, time_point at, ssh_endpoint where, remote_spec spec,
             std::shared_ptr<output_sink> sink, ssh_reactor::completion on_done);

  /// Stops a run: before it started, at once; after, by killing its group.
  void cancel(run_id id);

  /// Reports on `on_ready` once a connection to `where` is up (or failed).
  void warm_up(ssh_endpoint where, ssh_reactor::ready_callback on_ready);

  /// Takes a connector thread's result.
  void connected(std::uint64_t connection, opened_session opened);

  /// Timers, scheduling and channel work; returns when to be called again.
  time_point turn(time_point now);

  /// Appends the sockets to poll, with their connection ids.
  void poll_set(std::vector<pollfd>& fds, std::vector<std::uint64_t>& owners) const;

  /// Takes poll()'s verdict for one connection.
  void on_poll(std::uint64_t connection, short revents);

  /// Cancels everything: kills running groups at once (SIGKILL).
  void begin_shutdown(time_point now);

  /// True once every run has completed, or the shutdown grace is over.
  bool finished(time_point now) const;

  /// Completes what is left as cancelled and closes every connection.
  void close_all();

  /// Answers a command that arrived after close_all() (frees a late session).
  void refuse(ssh_reactor::completion on_done, ssh_reactor::ready_callback on_ready,
              opened_session opened);

  /// Completes a run refused because the reactor is gone.
  static void refuse_run(ssh_reactor::completion on_done);

  /// Answers a warm-up refused because the reactor is gone.
  static void refuse_warm_up(ssh_reactor::ready_callback on_ready);

private:
  using ms = std::chrono::milliseconds;
  /// Longer delays mean "never"; the cap keeps time_point arithmetic in range.
  static constexpr ms max_delay{1LL << 40};
  /// New connections set up at once per endpoint: well below sshd's
  /// MaxStartups (10), past which it drops unauthenticated connections.
  static constexpr std::size_t max_connecting = 4;
  /// After a failed extra connection, lean on the working ones for a while.
  static constexpr ms connect_cooldown{1'000};
  /// How long the destructor waits for killed groups to be confirmed dead.
  static constexpr ms shutdown_grace{3'000};
  /// Past the kill (or the stop, with no group id yet) by this much, a run is
  /// completed without confirmation that its group is gone.
  static constexpr ms kill_confirm_limit{10'000};
  static constexpr int max_open_refusals = 3;
  static constexpr int max_kill_attempts = 3;

  /// One start() until its completion.
  struct run_state {
    run_id id = 0;
    std::string key;
    ssh_endpoint where;
    remote_spec spec;
    std::shared_ptr<output_sink> sink;
    ssh_reactor::completion on_done;
    time_point started, deadline, kill_at, give_up_at;
    ssh_connection* conn = nullptr;  // Set while a channel is assigned.
    exec_channel* channel = nullptr;
    bool stop_requested = false;
    process_end reason = process_end::exited;
    int kills_sent = 0;  // 1: TERM, 2: KILL.
    int open_refusals = 0;
    bool requeued = false;
    start_marker_reader marker;
    std::string scratch;

    void deliver(stream_kind kind, std::string_view bytes);
  };
  struct kill_request {
    run_id target = 0;
    long pgid = 0;
    bool hard = false;
    int attempts = 0;
  };
  struct endpoint_pool {
    ssh_endpoint where;  // The latest endpoint seen for this key.
    std::deque<run_id> waiting;
    std::deque<kill_request> kills;
    std::vector<ssh_connection*> connections;
    time_point cooldown_until{};
  };

  endpoint_pool& pool_of(const std::string& key);
  void schedule(endpoint_pool& p, time_point now);
  ssh_connection* free_connection(endpoint_pool& p);
  void open_connection(endpoint_pool& p, const std::string& key);
  void assign_run(run_state& r, ssh_connection& c);
  void assign_kill(const kill_request& k, ssh_connection& c);
  void pump(ssh_connection& c, time_point now);
  void channel_ended(ssh_connection& c, ssh_connection::event& e, time_point now);
  void drop_connection(ssh_connection& c, time_point now);
  void forget_connection(ssh_connection& c);
  void on_output(run_id id, stream_kind kind, std::string_view bytes);
  void tick_run(run_state& r, time_point now, time_point& next);
  void stop(run_state& r, process_end why, time_point now);
  void send_kill(run_state& r, bool hard);
  void kill_undeliverable(const kill_request& k, const std::string& why, time_point now);
  void requeue_kill(kill_request k, const std::string& why, time_point now);
  void finish(run_state& r, const exec_channel& ch, time_point now);
  void complete(run_state& r, remote_outcome o, time_point now);
  void fail_waiting(endpoint_pool& p, ssh_failure why, const std::string& error, time_point now);
  void orphan(run_state& r);

  host& owner_;
  std::map<run_id, std::unique_ptr<run_state>> runs_;
  std::map<std::string, endpoint_pool> pools_;
  std::map<std::uint64_t, std::unique_ptr<ssh_connection>> connections_;
  std::map<exec_channel*, kill_request> kill_channels_;
  std::set<std::uint64_t> dirty_;   // Connections to pump on the next turn.
  std::set<std::string> unscheduled_;  // Pools with work to hand out.
  std::set<std::uint64_t> established_;  // Connections counted as ready.
  bool attention_ = false;  // Something needs another turn at once.
  std::uint64_t next_connection_ = 1;
  std::size_t ready_count_ = 0;
  bool shutting_down_ = false;
  time_point shutdown_deadline_{};
  std::vector<char> buf_ = std::vector<char>(64 * 1024);
};

} // namespace cluster::transport
