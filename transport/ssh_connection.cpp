#include "transport/ssh_connection.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>

namespace cluster::transport {

namespace {

using steady = std::chrono::steady_clock;

/// Reads per stream per advance(): enough to move megabytes quickly, few
/// enough that one chatty command cannot starve its neighbours.
constexpr int reads_per_turn = 4;
/// Rounds over all channels per pump() before poll() gets a look in.
constexpr int rounds_per_pump = 32;
/// Stands for "the keepalive" as the owner of a half-sent packet.
const char keepalive_tag = 0;

bool outbound_pending(LIBSSH2_SESSION* session) {
  return (libssh2_session_block_directions(session) & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0;
}

} // namespace

exec_channel::exec_channel(std::string command, std::uint64_t owner_tag)
    : owner(owner_tag), command_(std::move(command)) {}

void exec_channel::abandon() {
  if (!exec_started_)
    abandoned_ = true;
  on_output = nullptr;
}

exec_channel::status exec_channel::advance(LIBSSH2_SESSION* session, std::vector<char>& buf,
                                           bool& progressed) {
  auto lost = [&] {
    error_ = last_ssh_error(session);
    return status::link_lost;
  };
  for (;;) {
    switch (phase_) {
    case phase::unopened: {
      channel_ = libssh2_channel_open_session(session);
      if (channel_ == nullptr) {
        int rc = libssh2_session_last_errno(session);
        if (rc == LIBSSH2_ERROR_EAGAIN)
          return status::blocked;
        if (is_connection_error(rc))
          return lost();
        // Typically sshd's MaxSessions: the session itself is fine.
        error_ = last_ssh_error(session);
        phase_ = phase::done;
        return status::open_refused;
      }
      progressed = true;
      phase_ = abandoned_ ? phase::closing : phase::exec;
      break;
    }
    case phase::exec: {
      if (abandoned_) {
        phase_ = phase::closing;
        break;
      }
      exec_started_ = true;
      int rc = libssh2_channel_exec(channel_, command_.c_str());
      if (rc == LIBSSH2_ERROR_EAGAIN)
        return status::blocked;
      if (rc != 0 && is_connection_error(rc))
        return lost();
      if (rc != 0)
        error_ = "the node refused to run the command: " + last_ssh_error(session);
      progressed = true;
      phase_ = rc == 0 ? phase::stdin_eof : phase::closing;
      break;
    }
    case phase::stdin_eof: {
      // Like the local reactor's /dev/null: a command reading stdin ends.
      int rc = libssh2_channel_send_eof(channel_);
      if (rc == LIBSSH2_ERROR_EAGAIN)
        return status::blocked;
      if (rc != 0 && is_connection_error(rc))
        return lost();
      progressed = true;
      phase_ = phase::reading;
      break;
    }
    case phase::reading: {
      // Both streams, always: an unread stderr fills the shared window and
      // stalls stdout too.
      bool got = false;
      for (int stream : {0, SSH_EXTENDED_DATA_STDERR}) {
        for (int i = 0; i < reads_per_turn; ++i) {
          ssize_t n = libssh2_channel_read_ex(channel_, stream, buf.data(), buf.size());
          if (n > 0) {
            got = true;
            if (on_output)
              on_output(stream == 0 ? stream_kind::out : stream_kind::err,
                        {buf.data(), std::size_t(n)});
            continue;
          }
          if (n < 0 && n != LIBSSH2_ERROR_EAGAIN && is_connection_error(int(n)))
            return lost();
          if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) { // The channel broke; the session is fine.
            phase_ = phase::closing;
            progressed = true;
          }
          break;
        }
      }
      if (phase_ != phase::reading)
        break;
      if (got) {
        progressed = true;
        return status::blocked; // Let the other channels have a turn.
      }
      // EOF only counts once both streams are drained; libssh2_channel_eof
      // says 0 while any data for the channel is still queued.
      if (libssh2_channel_eof(channel_) != 1)
        return status::blocked;
      progressed = true;
      phase_ = phase::closing;
      break;
    }
    case phase::closing: {
      // Returns once the server's CLOSE arrived; the exit status and signal
      // come before it, and may even precede the last output.
      int rc = libssh2_channel_close(channel_);
      if (rc == LIBSSH2_ERROR_EAGAIN)
        return status::blocked;
      if (rc != 0 && is_connection_error(rc))
        return lost();
      exit_status_ = libssh2_channel_get_exit_status(channel_);
      char* name = nullptr;
      std::size_t name_len = 0;
      if (libssh2_channel_get_exit_signal(channel_, &name, &name_len, nullptr, nullptr, nullptr,
                                         nullptr) == 0 &&
          name != nullptr) {
        exit_signal_.assign(name, name_len);
        libssh2_free(session, name);
      }
      progressed = true;
      phase_ = phase::freeing;
      break;
    }
    case phase::freeing: {
      if (libssh2_channel_free(channel_) == LIBSSH2_ERROR_EAGAIN)
        return status::blocked;
      channel_ = nullptr;
      progressed = true;
      phase_ = phase::done;
      return status::ended;
    }
    case phase::done:
      return status::ended;
    }
  }
}

ssh_connection::ssh_connection(std::uint64_t conn_id, std::string key, ssh_endpoint endpoint)
    : id(conn_id), pool_key(std::move(key)), where(std::move(endpoint)),
      capacity(std::max<std::size_t>(1, where.channels_per_connection)) {}

ssh_connection::~ssh_connection() {
  abort_connect();
  if (connector_.joinable())
    connector_.join();
  close(false);
}

void ssh_connection::connect(std::function<void(opened_session)> done) {
  connector_ = std::thread([where = where, abort = abort_, clock = clock_.get(),
                            done = std::move(done)] {
    done(open_ssh_session(where, *abort, clock));
  });
}

void ssh_connection::abort_connect() { abort_->abort(); }

void ssh_connection::adopt(opened_session opened, steady::time_point now) {
  if (connector_.joinable())
    connector_.join(); // It has handed over its result and is returning.
  if (opened.session == nullptr) {
    mark_dead(opened.error);
    return;
  }
  session_ = opened.session;
  socket_ = opened.socket;
  libssh2_session_set_blocking(session_, 0);
  // tend() decides when a keepalive goes out; libssh2's own interval must
  // never hold one back.
  libssh2_keepalive_config(session_, 1, 1);
  clock_->touch();
  active_since_ = now;
}

void ssh_connection::mark_dead(std::string why) {
  if (why_dead_.empty())
    why_dead_ = why.empty() ? std::string("connection failed") : std::move(why);
}

short ssh_connection::poll_events() const {
  if (!ready())
    return 0;
  if (channels.empty()) // Only an ending can be noticed without reading.
    return idle_unread_ ? POLLRDHUP : POLLIN | POLLRDHUP;
  return POLLIN | (outbound_pending(session_) ? POLLOUT : 0);
}

bool ssh_connection::on_poll(short revents) {
  if (!ready() || revents == 0)
    return false;
  if (!channels.empty()) {
    // A half-sent keepalive blocks every channel until it is resumed from
    // tend(); on a broken socket poll would spin until then.
    if ((revents & (POLLERR | POLLHUP)) && out_owner_ == &keepalive_tag) {
      mark_dead("the connection broke while a keepalive was pending");
      return false;
    }
    return true;
  }
  // Idle: no libssh2 call would read, so look without consuming.
  if (revents & (POLLHUP | POLLERR | POLLRDHUP)) {
    mark_dead("the node closed the connection");
  } else if (revents & POLLIN) {
    char byte;
    ssize_t n = ::recv(socket_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0)
      mark_dead("the node closed the connection");
    else if (n < 0 && errno != EAGAIN && errno != EINTR)
      mark_dead(std::string("connection error: ") + std::strerror(errno));
    else if (n > 0)
      idle_unread_ = true; // Read by the next channel; until then only watch for a hangup.
  }
  return false;
}

bool ssh_connection::pump(std::vector<char>& buf, std::vector<event>& events) {
  if (!ready())
    return false;
  if (!channels.empty())
    idle_unread_ = false;
  bool progressed = true;
  for (int round = 0; progressed; ++round) {
    if (round == rounds_per_pump)
      return true;
    progressed = false;
    bool open_taken = false;
    for (std::size_t i = 0; i < channels.size() && ready();) {
      exec_channel* ch = channels[i].get();
      // libssh2 keeps one pending channel-open per session, and a packet it
      // could only half send must be finished by the same caller (anyone
      // else gets LIBSSH2_ERROR_BAD_USE and loses its request): skip the
      // channels that must wait their turn.
      if ((ch->wants_open() && open_taken) || (out_owner_ != nullptr && out_owner_ != ch)) {
        ++i;
        continue;
      }
      // All our opens are alike, so whichever channel asks next completes
      // a pending one; letting only the first ask saves futile EAGAINs.
      open_taken = open_taken || ch->wants_open();
      bool moved = false;
      auto st = ch->advance(session_, buf, moved);
      progressed = progressed || moved;
      out_owner_ = outbound_pending(session_) ? ch : nullptr;
      if (st == exec_channel::status::link_lost) {
        mark_dead(ch->error());
        break;
      }
      if (st == exec_channel::status::blocked) {
        ++i;
        continue;
      }
      if (out_owner_ == ch)
        out_owner_ = nullptr;
      events.push_back({st, std::move(channels[i])});
      channels.erase(channels.begin() + std::ptrdiff_t(i));
      progressed = true;
    }
  }
  return false;
}

steady::time_point ssh_connection::tend(steady::time_point now) {
  if (!ready() || channels.empty() || where.keepalive.count() <= 0) {
    active_ = false;
    return steady::time_point::max();
  }
  if (!active_) {
    active_ = true;
    active_since_ = now;
  }
  // libssh2 sends keepalives but never counts missing replies; sshd answers
  // each one, so a clock that stops means a hung sshd or a dead link.
  const auto limit = 3 * where.keepalive;
  const auto heard = std::max(clock_->last(), active_since_);
  if (now - heard > limit) {
    mark_dead("no data from the node for " +
              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - heard).count()) +
              " s although keepalives were sent every " + std::to_string(where.keepalive.count()) +
              " s (sshd hung, or the link is down)");
    return steady::time_point::max();
  }
  // libssh2 1.10 never consumes the replies (they pile up in the session's
  // packet list), so ask only when the link has been quiet for an interval,
  // and count: a worn-out connection is retired once its channels are done.
  const auto quiet_until = std::max(heard, last_keepalive_) + where.keepalive;
  if (now >= quiet_until && (out_owner_ == nullptr || out_owner_ == &keepalive_tag)) {
    int next = 0;
    int rc = libssh2_keepalive_send(session_, &next);
    if (rc != 0 && rc != LIBSSH2_ERROR_EAGAIN) {
      mark_dead("cannot send a keepalive: " + last_ssh_error(session_));
      return steady::time_point::max();
    }
    out_owner_ = outbound_pending(session_) ? &keepalive_tag : nullptr;
    last_keepalive_ = now;
    ++keepalives_sent_;
    return std::min(now + where.keepalive, heard + limit + std::chrono::milliseconds(1));
  }
  return std::min(quiet_until, heard + limit + std::chrono::milliseconds(1));
}

void ssh_connection::close(bool say_goodbye) {
  discard_session(session_, socket_, say_goodbye);
}

} // namespace cluster::transport
