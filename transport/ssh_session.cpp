#include "transport/ssh_session.hpp"

#include "transport/ssh_auth.hpp"
#include "transport/ssh_known_hosts.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cluster::transport {

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds first_backoff{200};
constexpr milliseconds max_backoff{2'000};

void init_libssh2_once() {
  // libssh2_init is not thread-safe and every session needs it first.
  static std::once_flag once;
  std::call_once(once, [] { libssh2_init(0); });
}

/// libssh2's own recv, plus the receive clock the reactor reads to spot a
/// peer that has gone silent.
LIBSSH2_RECV_FUNC(counting_recv) {
  ssize_t n = ::recv(socket, buffer, length, flags);
  if (n > 0) {
    if (auto* clock = static_cast<receive_clock*>(*abstract))
      clock->touch();
    return n;
  }
  if (n == 0)
    return 0;
  return errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

struct attempt_result {
  opened_session opened;
  bool retry = false;  // A failure a new attempt may not see.
};

attempt_result failed(ssh_failure why, std::string error, bool retry) {
  attempt_result r;
  r.opened.failure = why;
  r.opened.error = std::move(error);
  r.retry = retry;
  return r;
}

/// A connected, non-blocking TCP socket with TCP_NODELAY, or why not.
attempt_result tcp_connect(const ssh_endpoint& where, connect_abort& abort) {
  const std::string target = describe_node(where);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  int gai = ::getaddrinfo(where.address.c_str(), std::to_string(where.port).c_str(), &hints, &found);
  if (gai != 0)
    return failed(ssh_failure::connection, "cannot resolve " + target + ": " + ::gai_strerror(gai),
                  false);
  const auto deadline = steady::now() + where.connect_timeout;
  std::string why = "no address";
  attempt_result result = failed(ssh_failure::connection, "", true);
  for (addrinfo* ai = found; ai != nullptr && result.opened.socket < 0; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      why = std::strerror(errno);
      continue;
    }
    if (!abort.watch(fd)) {
      ::close(fd);
      why = "abandoned (shutting down)";
      break;
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    int err = rc == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int ready;
      do {
        auto left = std::chrono::ceil<milliseconds>(deadline - steady::now()).count();
        ready = ::poll(&p, 1, int(std::max<long long>(left, 0)));
      } while (ready < 0 && errno == EINTR);
      socklen_t len = sizeof err;
      if (ready == 0)
        err = ETIMEDOUT;
      else if (ready < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    }
    if (abort.aborted())
      err = ECANCELED;
    if (err == 0) {
      // Without it every exchange waits out a delayed ACK: 2 ms becomes 44.
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      result.opened.socket = fd;
      break;
    }
    why = err == ETIMEDOUT ? "no answer within " + std::to_string(where.connect_timeout.count()) +
                                 " ms"
                           : std::strerror(err);
    abort.unwatch();
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (result.opened.socket < 0)
    result.opened.error = "cannot connect to " + target + ": " + why;
  return result;
}

/// Handshake, host key and auth on a connected socket, within ssh_timeout.
attempt_result establish(int fd, const ssh_endpoint& where, connect_abort& abort,
                         receive_clock* clock) {
  const std::string target = describe_node(where);
  const auto deadline = steady::now() + where.ssh_timeout;
  attempt_result r;
  LIBSSH2_SESSION* session = libssh2_session_init_ex(nullptr, nullptr, nullptr, clock);
  if (session == nullptr)
    return failed(ssh_failure::connection, "cannot create an SSH session for " + target, false);
  libssh2_session_callback_set(session, LIBSSH2_CALLBACK_RECV,
                               reinterpret_cast<void*>(&counting_recv));
  libssh2_session_set_blocking(session, 1);
  libssh2_session_set_timeout(session, long(std::max<long long>(where.ssh_timeout.count(), 1)));
  {
    known_hosts_check hosts(session, where);
    // Before the handshake: libssh2 would otherwise prefer ECDSA and find a
    // host recorded with its ed25519 key "not found".
    libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, hosts.method_preference().c_str());
    int rc = libssh2_session_handshake(session, fd);
    if (rc != 0) {
      std::string why = last_ssh_error(session);
      if (abort.aborted())
        why = "abandoned (shutting down)";
      else if (rc == LIBSSH2_ERROR_TIMEOUT)
        why = "no SSH handshake within " + std::to_string(where.ssh_timeout.count()) +
              " ms (the node accepts TCP connections but does not answer)";
      else if (rc == LIBSSH2_ERROR_KEX_FAILURE)
        why += "; no common key-exchange or host-key algorithm (libssh2 1.10 knows ed25519, "
               "ECDSA and ssh-rsa host keys, not rsa-sha2-*; an RSA-only server needs "
               "'HostKeyAlgorithms +ssh-rsa')";
      r = failed(ssh_failure::connection, "SSH handshake with " + target + " failed: " + why,
                 rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_RECV ||
                     rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_BANNER_RECV);
    } else if (std::string refused = hosts.verify(); !refused.empty()) {
      r = failed(ssh_failure::host_key, std::move(refused), false);
    }
  }
  if (r.opened.failure == ssh_failure::none) {
    auto verdict = authenticate(session, where, deadline);
    if (verdict.failure != ssh_failure::none)
      r = failed(verdict.failure, std::move(verdict.error), false);
  }
  if (r.opened.failure != ssh_failure::none) {
    int no_fd = -1; // The caller closes fd.
    discard_session(session, no_fd, false);
    return r;
  }
  libssh2_session_set_timeout(session, 0);
  r.opened.session = session;
  r.opened.socket = fd;
  return r;
}

} // namespace

void connect_abort::abort() {
  std::lock_guard<std::mutex> lock(mtx_);
  aborted_ = true;
  if (fd_ >= 0)
    ::shutdown(fd_, SHUT_RDWR); // Blocking libssh2 calls on it fail at once.
  wake_.notify_all();
}

bool connect_abort::aborted() const {
  std::lock_guard<std::mutex> lock(mtx_);
  return aborted_;
}

bool connect_abort::sleep_for(milliseconds d) {
  std::unique_lock<std::mutex> lock(mtx_);
  return !wake_.wait_for(lock, d, [&] { return aborted_; });
}

bool connect_abort::watch(int fd) {
  std::lock_guard<std::mutex> lock(mtx_);
  fd_ = aborted_ ? -1 : fd;
  return !aborted_;
}

void connect_abort::unwatch() {
  std::lock_guard<std::mutex> lock(mtx_);
  fd_ = -1;
}

void receive_clock::touch() {
  last_ns_.store(steady::now().time_since_epoch().count(), std::memory_order_relaxed);
}

steady::time_point receive_clock::last() const {
  return steady::time_point(steady::duration(last_ns_.load(std::memory_order_relaxed)));
}

opened_session open_ssh_session(const ssh_endpoint& where, connect_abort& abort,
                                receive_clock* clock) {
  init_libssh2_once();
  attempt_result r;
  milliseconds backoff = first_backoff;
  std::uint32_t attempt = 0;
  for (;; ++attempt) {
    r = tcp_connect(where, abort);
    if (r.opened.socket >= 0) {
      int fd = r.opened.socket;
      r = establish(fd, where, abort, clock);
      abort.unwatch();
      if (r.opened.session == nullptr)
        ::close(fd);
    }
    // Only the network gets another chance: a refused key or a changed host
    // key will be refused again, and a silent node stays silent.
    if (r.opened.session != nullptr || !r.retry || attempt >= where.retries ||
        !abort.sleep_for(backoff))
      break;
    backoff = std::min(backoff * 2, max_backoff);
  }
  if (r.opened.session == nullptr && attempt > 0)
    r.opened.error += " (after " + std::to_string(attempt + 1) + " attempts)";
  return r.opened;
}

void discard_session(LIBSSH2_SESSION*& session, int& socket, bool say_goodbye) {
  if (session != nullptr) {
    libssh2_session_set_blocking(session, 0);
    if (say_goodbye)
      libssh2_session_disconnect(session, "closing"); // Best effort: EAGAIN is fine.
    // With the socket shut down every send and recv fails at once, so
    // freeing (which closes channels) never waits on the peer.
    if (socket >= 0)
      ::shutdown(socket, SHUT_RDWR);
    libssh2_session_free(session);
    session = nullptr;
  }
  if (socket >= 0)
    ::close(socket);
  socket = -1;
}

std::string describe_node(const ssh_endpoint& where) {
  bool v6 = where.address.find(':') != std::string::npos;
  std::string addr = (v6 ? "[" + where.address + "]" : where.address) + ":" +
                     std::to_string(where.port);
  return where.node.empty() ? addr : where.node + " (" + addr + ")";
}

std::string last_ssh_error(LIBSSH2_SESSION* session) {
  char* msg = nullptr;
  int len = 0;
  int rc = session ? libssh2_session_last_error(session, &msg, &len, 0) : 0;
  return (msg && len > 0 ? std::string(msg, std::size_t(len)) : std::string("unknown error")) +
         " (libssh2 " + std::to_string(rc) + ")";
}

bool is_connection_error(int rc) {
  switch (rc) {
  case LIBSSH2_ERROR_SOCKET_NONE:
  case LIBSSH2_ERROR_BANNER_RECV:
  case LIBSSH2_ERROR_BANNER_SEND:
  case LIBSSH2_ERROR_INVALID_MAC:
  case LIBSSH2_ERROR_KEX_FAILURE:
  case LIBSSH2_ERROR_SOCKET_SEND:
  case LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE:
  case LIBSSH2_ERROR_TIMEOUT:
  case LIBSSH2_ERROR_DECRYPT:
  case LIBSSH2_ERROR_SOCKET_DISCONNECT:
  case LIBSSH2_ERROR_PROTO:
  case LIBSSH2_ERROR_SOCKET_TIMEOUT:
  case LIBSSH2_ERROR_SOCKET_RECV:
  case LIBSSH2_ERROR_ENCRYPT:
  case LIBSSH2_ERROR_BAD_SOCKET:
    return true;
  default:
    return false;
  }
}

} // namespace cluster::transport
