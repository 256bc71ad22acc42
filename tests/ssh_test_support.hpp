#pragma once

// Helpers for the ssh_reactor suite: shared real sshd nodes, output capture,
// completion tracking, /proc checks for killed remote processes, and fake
// nodes (a port nobody listens on, one that never answers, one that hangs up).

#include "fixtures/sshd_nodes.hpp"
#include "transport/ssh_reactor.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ssh_test {

using namespace cluster::transport;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr auto patience = 60s; // Generous: the machine is shared and noisy.

/// Nodes 1-4 raise sshd's limits; node 5 keeps the defaults (MaxSessions 10).
/// Started once for the suite; node 4 is the one fault tests stop and restart.
inline sshd_nodes& nodes() {
  static sshd_nodes shared(5, 1);
  return shared;
}
constexpr int faulty_node = 4;
constexpr int default_limit_node = 5;

/// A path for a test's own files inside the nodes' directory.
inline std::string scratch(const std::string& name) {
  return nodes().dir() + "/" + name;
}

/// Whole milliseconds, for checks Boost can print.
inline long long ms_of(steady::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

/// Node i as the reactor sees it, with strict host-key checking.
inline ssh_endpoint endpoint(int i) {
  ssh_endpoint e;
  e.node = "node" + std::to_string(i);
  e.address = nodes().ip(i);
  e.user = nodes().user();
  e.identity_files = {nodes().identity_file()};
  e.known_hosts_file = nodes().known_hosts();
  e.policy = host_key_policy::strict;
  return e;
}

inline remote_spec spec(std::string command, std::string cwd = {},
                        std::chrono::milliseconds timeout = 0ms) {
  remote_spec s;
  s.command = std::move(command);
  s.cwd = std::move(cwd);
  s.timeout = timeout;
  return s;
}

/// Collects both streams; lets a test wait until some text has arrived.
struct capture : output_sink {
  std::mutex m;
  std::condition_variable cv;
  std::string out, err;

  void append(stream_kind which, std::string_view bytes) override {
    std::lock_guard<std::mutex> lock(m);
    (which == stream_kind::out ? out : err).append(bytes);
    cv.notify_all();
  }
  bool wait_for_out(const std::string& needle) {
    std::unique_lock<std::mutex> lock(m);
    return cv.wait_for(lock, patience, [&] { return out.find(needle) != std::string::npos; });
  }
};

/// Records completions, so a test can assert there was exactly one.
struct tracker {
  std::mutex m;
  std::condition_variable cv;
  int calls = 0;
  remote_outcome outcome;
  steady::time_point when;

  static ssh_reactor::completion on(const std::shared_ptr<tracker>& t) {
    return [t](const remote_outcome& o) {
      std::lock_guard<std::mutex> lock(t->m);
      ++t->calls;
      t->outcome = o;
      t->when = steady::now();
      t->cv.notify_all();
    };
  }
  bool wait(std::chrono::milliseconds limit = patience) {
    std::unique_lock<std::mutex> lock(m);
    return cv.wait_for(lock, limit, [&] { return calls > 0; });
  }
};

/// One started run's sink and completion.
struct started {
  std::shared_ptr<capture> sink = std::make_shared<capture>();
  std::shared_ptr<tracker> done = std::make_shared<tracker>();
  ssh_reactor::run_id id = 0;

  const remote_outcome& wait() {
    BOOST_REQUIRE_MESSAGE(done->wait(), "no completion within the patience");
    return done->outcome;
  }
};

inline started launch(ssh_reactor& r, const ssh_endpoint& where, remote_spec s) {
  started st;
  st.id = r.start(where, std::move(s), st.sink, tracker::on(st.done));
  return st;
}

/// Runs to completion; the started run stays available for its output.
inline remote_outcome run(ssh_reactor& r, const ssh_endpoint& where, remote_spec s,
                          started* keep = nullptr) {
  started st = launch(r, where, std::move(s));
  remote_outcome o = st.wait();
  if (keep != nullptr)
    *keep = st;
  return o;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

/// Runs a shell command here and returns its stdout (the test's own tools).
inline std::string sh(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  BOOST_REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
    out.append(buf, n);
  ::pclose(p);
  return out;
}

/// "SHA256:..." of a public key file, as ssh-keygen -l prints it.
inline std::string keygen_fingerprint(const std::string& pub_file) {
  std::istringstream words(sh("ssh-keygen -l -E sha256 -f '" + pub_file + "'"));
  std::string bits, fp;
  words >> bits >> fp;
  return fp;
}

/// A process the remote command recorded: pid and start time.
struct recorded {
  pid_t pid;
  std::string starttime;
};

/// Shell snippet appending "PID STARTTIME" of the last background job.
inline std::string record_bg(const std::string& file) {
  return " echo $! $(cut -d' ' -f22 /proc/$!/stat) >> '" + file + "';";
}

/// Gone, recycled, or a zombie (the nodes run on this machine, so /proc
/// shows them; their zombies belong to sshd or init, never to us).
inline bool is_dead(const recorded& r) {
  std::ifstream in("/proc/" + std::to_string(r.pid) + "/stat");
  std::string line;
  if (!std::getline(in, line))
    return true;
  std::istringstream fields(line.substr(line.rfind(')') + 1));
  std::vector<std::string> f;
  for (std::string x; fields >> x;)
    f.push_back(x);
  return f.size() < 20 || f[19] != r.starttime || f[0] == "Z" || f[0] == "X";
}

/// Asserts every recorded process is dead (allowing a moment for SIGKILL to
/// land); kills survivors so a failure leaves no `sleep 300` behind.
inline void require_all_dead(const std::string& file, std::size_t expected) {
  std::vector<recorded> procs;
  std::ifstream in(file);
  for (recorded r; in >> r.pid >> r.starttime;)
    procs.push_back(r);
  BOOST_REQUIRE_EQUAL(procs.size(), expected);
  for (auto& r : procs) {
    for (int i = 0; i < 100 && !is_dead(r); ++i)
      std::this_thread::sleep_for(20ms);
    BOOST_CHECK_MESSAGE(is_dead(r), "remote pid " << r.pid << " survived its group");
    if (!is_dead(r))
      ::kill(r.pid, SIGKILL);
  }
}

/// A fake node on 127.0.1.254 (outside the fixture's address range) and an
/// ephemeral port: `silent` accepts TCP (in the kernel's backlog) and never
/// says a word; `hang_up` accepts and closes at once, counting connections.
class fake_node {
public:
  enum class kind { silent, hang_up };

  explicit fake_node(kind k) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, address().c_str(), &a.sin_addr);
    BOOST_REQUIRE_EQUAL(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    BOOST_REQUIRE_EQUAL(::listen(fd_, 64), 0);
    if (k == kind::hang_up)
      acceptor_ = std::thread([this] { accept_and_close(); });
  }
  ~fake_node() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    if (acceptor_.joinable())
      acceptor_.join();
    ::close(fd_);
  }

  static std::string address() { return "127.0.1.254"; }
  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_; }

  /// A port on our address that refuses connections: bound, then released.
  static std::uint16_t closed_port() {
    fake_node probe(kind::silent);
    return probe.port();
  }

private:
  void accept_and_close() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0)
        continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c >= 0) {
        ++accepted_;
        ::close(c);
      }
    }
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
};

/// An endpoint for a fake node.
inline ssh_endpoint fake_endpoint(std::uint16_t port) {
  ssh_endpoint e = endpoint(1);
  e.node = "fake";
  e.address = fake_node::address();
  e.port = port;
  return e;
}

/// Pids of node i's per-connection sshd processes (the listener's sshd
/// children and their sshd children; never the commands they run).
inline std::vector<pid_t> connection_sshds(int i) {
  struct proc {
    pid_t pid, ppid;
    std::string comm;
  };
  std::vector<proc> all;
  std::istringstream stats(sh("cat /proc/[0-9]*/stat 2>/dev/null"));
  for (std::string l; std::getline(stats, l);) {
    auto open = l.find('('), close = l.rfind(')');
    if (open == std::string::npos || close == std::string::npos)
      continue;
    std::istringstream f(l.substr(close + 1));
    std::string state;
    pid_t ppid = 0;
    f >> state >> ppid;
    all.push_back({pid_t(std::atoi(l.c_str())), ppid, l.substr(open + 1, close - open - 1)});
  }
  std::vector<pid_t> found, frontier{nodes().listener_pid(i)};
  while (!frontier.empty()) {
    pid_t parent = frontier.back();
    frontier.pop_back();
    for (const auto& p : all)
      if (p.ppid == parent && p.comm == "sshd") {
        found.push_back(p.pid);
        frontier.push_back(p.pid);
      }
  }
  return found;
}

} // namespace ssh_test
