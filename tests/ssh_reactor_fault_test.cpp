// The SSH transport when something is wrong or unusual: unknown, changed and
// revoked host keys, accept-new (also off port 22), refused client keys and
// ssh-agent, and nodes that refuse, hang up, never answer, restart or hang.

#include "ssh_test_support.hpp"

#include <algorithm>
#include <cerrno>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char** environ;

using namespace ssh_test;

namespace {

int line_count(const std::string& text) {
  return int(std::count(text.begin(), text.end(), '\n'));
}

/// Starts a daemon of ours in the foreground; the owner kills it by pid.
pid_t spawn_daemon(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t quiet; // Our stdout is the test log.
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, args[0], &quiet, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&quiet);
  BOOST_REQUIRE_EQUAL(rc, 0);
  return pid;
}

void stop_daemon(pid_t pid) {
  ::kill(pid, SIGTERM);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

/// Waits until `ok` holds (a daemon is ready), failing after the patience.
template <class F>
void await(F ok, const char* what) {
  auto until = steady::now() + patience;
  while (!ok() && steady::now() < until)
    std::this_thread::sleep_for(20ms);
  BOOST_REQUIRE_MESSAGE(ok(), what);
}

/// True when something accepts TCP connections on address:port.
bool accepts(const std::string& address, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &a.sin_addr);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

/// Node 1's sshd again (same host key, same client key), listening on a
/// port other than 22 on the fake-node address: known_hosts must then say
/// [address]:port.
class off_port_sshd {
public:
  off_port_sshd() : port_(fake_node::closed_port()) {
    std::istringstream lines(slurp(nodes().dir() + "/node1/sshd_config"));
    std::string config;
    for (std::string l; std::getline(lines, l);) {
      if (l.rfind("ListenAddress", 0) == 0)
        l = "ListenAddress " + fake_node::address() + ":" + std::to_string(port_);
      else if (l.rfind("PidFile", 0) == 0)
        l = "PidFile none";
      config += l + "\n";
    }
    write_file(scratch("off_port_sshd_config"), config);
    pid_ = spawn_daemon({"/usr/sbin/sshd", "-D", "-f", scratch("off_port_sshd_config"), "-E",
                         scratch("off_port_sshd.log")});
    await([&] { return accepts(fake_node::address(), port_); }, "the off-port sshd did not start");
  }
  ~off_port_sshd() { stop_daemon(pid_); }
  std::uint16_t port() const { return port_; }

private:
  std::uint16_t port_;
  pid_t pid_ = -1;
};

/// A private ssh-agent holding `keys`, published in SSH_AUTH_SOCK while it
/// lives (set before any reactor thread exists, removed after).
class test_agent {
public:
  explicit test_agent(const std::vector<std::string>& keys) : socket_(scratch("agent.sock")) {
    ::unlink(socket_.c_str());
    pid_ = spawn_daemon({"/usr/bin/ssh-agent", "-D", "-a", socket_});
    await([&] { return ::access(socket_.c_str(), F_OK) == 0; }, "ssh-agent did not start");
    for (const auto& k : keys)
      sh("SSH_AUTH_SOCK='" + socket_ + "' ssh-add '" + k + "' 2>/dev/null");
    ::setenv("SSH_AUTH_SOCK", socket_.c_str(), 1);
  }
  ~test_agent() {
    ::unsetenv("SSH_AUTH_SOCK");
    stop_daemon(pid_);
  }

private:
  std::string socket_;
  pid_t pid_ = -1;
};

/// A new unencrypted key pair no node accepts.
std::string stranger_key(const std::string& name, const std::string& type = "ed25519") {
  const std::string path = scratch(name);
  sh("rm -f '" + path + "'*; ssh-keygen -q -t " + type + (type == "rsa" ? " -b 2048" : "") +
     " -N '' -C stranger -f '" + path + "'");
  return path;
}

} // namespace

BOOST_AUTO_TEST_SUITE(ssh_reactor)

BOOST_AUTO_TEST_CASE(unknown_host_key_under_strict_is_refused) {
  cluster::transport::ssh_reactor r;
  auto where = endpoint(1);
  where.known_hosts_file = scratch("empty_known_hosts");
  write_file(where.known_hosts_file, "# nothing here\n");
  auto o = run(r, where, spec("true"));
  BOOST_CHECK(o.failure == ssh_failure::host_key);
  BOOST_CHECK(o.end == process_end::spawn_failed);
  BOOST_CHECK_MESSAGE(o.error.find("is not known") != std::string::npos &&
                          o.error.find(nodes().ip(1)) != std::string::npos,
                      o.error);
  BOOST_CHECK_EQUAL(slurp(where.known_hosts_file), "# nothing here\n");
}

BOOST_AUTO_TEST_CASE(accept_new_records_one_line_then_matches) {
  auto where = endpoint(2);
  where.known_hosts_file = scratch("fresh/sub/known_hosts"); // Directory missing too.
  where.policy = host_key_policy::accept_new;
  {
    // 25 runs open 3 connections at once; only one may write the key.
    cluster::transport::ssh_reactor r;
    std::vector<started> runs;
    for (int i = 0; i < 25; ++i)
      runs.push_back(launch(r, where, spec("sleep 0.2")));
    for (auto& s : runs)
      BOOST_CHECK_MESSAGE(s.wait().failure == ssh_failure::none, s.done->outcome.error);
  }
  const std::string text = slurp(where.known_hosts_file);
  BOOST_CHECK_EQUAL(line_count(text), 1);
  const std::string host_pub = slurp(nodes().dir() + "/node2/host_ed25519.pub");
  const std::string key_b64 = host_pub.substr(12, host_pub.find(' ', 12) - 12);
  BOOST_CHECK_EQUAL(text, nodes().ip(2) + " ssh-ed25519 " + key_b64 + "\n");
  struct stat st {};
  ::stat(where.known_hosts_file.c_str(), &st);
  BOOST_CHECK_EQUAL(st.st_mode & 0777, 0600u);
  cluster::transport::ssh_reactor again; // A fresh connection must MATCH now.
  where.policy = host_key_policy::strict;
  auto o = run(again, where, spec("true"));
  BOOST_CHECK_MESSAGE(o.failure == ssh_failure::none && o.exit_code == 0, o.error);
  BOOST_CHECK_EQUAL(slurp(where.known_hosts_file), text);
}

BOOST_AUTO_TEST_CASE(changed_or_revoked_host_key_is_refused_and_file_kept) {
  const std::string other = scratch("other_host_key");
  sh("rm -f '" + other + "'*; ssh-keygen -q -t ed25519 -N '' -C x -f '" + other + "'");
  const std::string node_pub = nodes().dir() + "/node3/host_ed25519.pub";
  std::istringstream words(slurp(other + ".pub"));
  std::string type, other_b64;
  words >> type >> other_b64;
  std::istringstream node_words(slurp(node_pub));
  std::string node_type, node_b64;
  node_words >> node_type >> node_b64;
  const std::string changed = "# comment kept\n" + nodes().ip(3) + " ssh-ed25519 " + other_b64 + "\n";
  const std::string revoked = "@revoked * ssh-ed25519 " + node_b64 + "\n";
  for (auto policy : {host_key_policy::strict, host_key_policy::accept_new}) {
    for (const std::string& content : {changed, revoked}) {
      cluster::transport::ssh_reactor r;
      auto where = endpoint(3);
      where.policy = policy;
      where.known_hosts_file = scratch("changed_known_hosts");
      write_file(where.known_hosts_file, content);
      auto o = run(r, where, spec("true"));
      BOOST_CHECK(o.failure == ssh_failure::host_key);
      BOOST_CHECK_EQUAL(slurp(where.known_hosts_file), content);
      if (content == changed) {
        BOOST_CHECK_MESSAGE(o.error.find(keygen_fingerprint(other + ".pub")) != std::string::npos &&
                                o.error.find(keygen_fingerprint(node_pub)) != std::string::npos &&
                                o.error.find("CHANGED") != std::string::npos,
                            o.error);
      } else {
        BOOST_CHECK_MESSAGE(o.error.find("@revoked") != std::string::npos, o.error);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(refused_client_keys_are_an_auth_failure) {
  const std::string ed = stranger_key("stranger_ed25519"), rsa = stranger_key("stranger_rsa", "rsa");
  cluster::transport::ssh_reactor r;
  auto where = endpoint(1);
  where.identity_files = {ed, rsa, scratch("missing_key")};
  where.retries = 2;
  auto o = run(r, where, spec("true"));
  BOOST_CHECK(o.failure == ssh_failure::auth);
  BOOST_CHECK(o.end == process_end::spawn_failed);
  for (const std::string& part : {nodes().user() + "@node1", ed, rsa, std::string("refused"),
                                  std::string("SHA-1"), std::string("no such file")})
    BOOST_CHECK_MESSAGE(o.error.find(part) != std::string::npos, "'" << part << "' in: " << o.error);
  BOOST_CHECK(o.error.find("attempts") == std::string::npos); // Auth is never retried.
}

BOOST_AUTO_TEST_CASE(unreachable_node_fails_fast_after_its_retries) {
  cluster::transport::ssh_reactor r;
  auto where = fake_endpoint(fake_node::closed_port());
  where.connect_timeout = 500ms;
  where.retries = 2;
  auto t0 = steady::now();
  auto o = run(r, where, spec("true"));
  auto took = steady::now() - t0;
  BOOST_CHECK(o.failure == ssh_failure::connection);
  BOOST_CHECK_MESSAGE(o.error.find("refused") != std::string::npos &&
                          o.error.find("3 attempts") != std::string::npos,
                      o.error);
  BOOST_CHECK_LE(ms_of(took), 3 * 500 + 600 + 5000); // (retries+1) x timeout + backoff + slack

  fake_node hang_up(fake_node::kind::hang_up); // Each attempt reaches TCP, then loses it.
  auto h = run(r, fake_endpoint(hang_up.port()), spec("true"));
  BOOST_CHECK(h.failure == ssh_failure::connection);
  BOOST_CHECK_EQUAL(hang_up.accepted(), 3);
}

BOOST_AUTO_TEST_CASE(silent_node_times_out_without_holding_up_others) {
  fake_node silent(fake_node::kind::silent);
  cluster::transport::ssh_reactor r;
  auto where = fake_endpoint(silent.port());
  where.ssh_timeout = 1500ms;
  auto t0 = steady::now();
  started quiet = launch(r, where, spec("true"));
  started healthy = launch(r, endpoint(2), spec("sleep 0.2; echo ok"));
  const auto& h = healthy.wait();
  const auto& q = quiet.wait();
  BOOST_CHECK_EQUAL(h.exit_code, 0);
  BOOST_CHECK_EQUAL(healthy.sink->out, "ok\n");
  BOOST_CHECK(healthy.done->when < quiet.done->when);
  BOOST_CHECK(q.failure == ssh_failure::connection);
  BOOST_CHECK_MESSAGE(q.error.find("no SSH handshake within 1500 ms") != std::string::npos, q.error);
  BOOST_CHECK_GE(ms_of(quiet.done->when - t0), 1400);
  BOOST_CHECK_LE(ms_of(quiet.done->when - t0), 1500 + 10'000);
  // A run's own deadline also covers the wait for its connection.
  where.ssh_timeout = 5s;
  auto early = run(r, where, spec("true", "", 300ms));
  BOOST_CHECK(early.end == process_end::timed_out);
  BOOST_CHECK_EQUAL(early.exit_code, -1);
  BOOST_CHECK_LE(early.duration.count(), 4'000);
}

BOOST_AUTO_TEST_CASE(restarted_node_fails_the_run_in_flight_then_works) {
  cluster::transport::ssh_reactor r;
  const auto where = endpoint(faulty_node);
  BOOST_CHECK_EQUAL(run(r, where, spec("true")).exit_code, 0);
  started a = launch(r, where, spec("echo started; sleep 30"));
  BOOST_REQUIRE(a.sink->wait_for_out("started"));
  nodes().stop_node(faulty_node);
  const auto& o = a.wait();
  BOOST_CHECK(o.failure == ssh_failure::connection);
  BOOST_CHECK_MESSAGE(o.error.find("lost while the command was running") != std::string::npos, o.error);
  nodes().start_node(faulty_node);
  started b;
  auto again = run(r, where, spec("echo back"), &b);
  BOOST_CHECK_MESSAGE(again.exit_code == 0 && again.failure == ssh_failure::none, again.error);
  BOOST_CHECK_EQUAL(b.sink->out, "back\n");
  BOOST_CHECK_EQUAL(r.connections(), 1u);
  // Restarted while the connection sat idle: the next run still works.
  nodes().stop_node(faulty_node);
  nodes().start_node(faulty_node);
  auto idle = run(r, where, spec("true"));
  BOOST_CHECK_MESSAGE(idle.exit_code == 0 && idle.failure == ssh_failure::none, idle.error);
  BOOST_CHECK_EQUAL(r.connections(), 1u);
}

BOOST_AUTO_TEST_CASE(hung_sshd_is_detected_by_keepalive) {
  cluster::transport::ssh_reactor r;
  auto where = endpoint(faulty_node);
  where.keepalive = std::chrono::seconds(1);
  started a = launch(r, where, spec("echo $$ > '" + scratch("hung.pgid") + "'; echo started; sleep 20"));
  BOOST_REQUIRE(a.sink->wait_for_out("started"));
  auto sshds = connection_sshds(faulty_node);
  BOOST_REQUIRE(!sshds.empty());
  for (pid_t p : sshds)
    ::kill(p, SIGSTOP); // The node's sshd hangs; TCP stays up.
  auto t0 = steady::now();
  const auto& o = a.wait();
  for (pid_t p : sshds)
    ::kill(p, SIGCONT);
  BOOST_CHECK(o.failure == ssh_failure::connection);
  BOOST_CHECK_MESSAGE(o.error.find("keepalive") != std::string::npos, o.error);
  BOOST_CHECK_LE(ms_of(steady::now() - t0), 15'000);
  BOOST_CHECK_EQUAL(run(r, where, spec("true")).exit_code, 0);
  // Dropping the link does not stop a remote command (trap 3): clean up.
  ::kill(-std::atoi(slurp(scratch("hung.pgid")).c_str()), SIGKILL);

  // Hung while idle: the run that finds out had not started, so it moves
  // to a new connection instead of failing.
  sshds = connection_sshds(faulty_node);
  BOOST_REQUIRE(!sshds.empty());
  for (pid_t p : sshds)
    ::kill(p, SIGSTOP);
  started b;
  auto moved = run(r, where, spec("echo moved"), &b);
  for (pid_t p : sshds)
    ::kill(p, SIGCONT);
  BOOST_CHECK_MESSAGE(moved.exit_code == 0 && moved.failure == ssh_failure::none, moved.error);
  BOOST_CHECK_EQUAL(b.sink->out, "moved\n");
  BOOST_CHECK_EQUAL(r.connections(), 1u);
}

BOOST_AUTO_TEST_CASE(accept_new_off_port_22_records_a_bracketed_name) {
  off_port_sshd node;
  auto where = fake_endpoint(node.port());
  where.known_hosts_file = scratch("off_port_known_hosts");
  where.policy = host_key_policy::accept_new;
  ::unlink(where.known_hosts_file.c_str());
  {
    cluster::transport::ssh_reactor r;
    auto o = run(r, where, spec("true"));
    BOOST_CHECK_MESSAGE(o.exit_code == 0 && o.failure == ssh_failure::none, o.error);
  }
  const std::string text = slurp(where.known_hosts_file);
  const std::string prefix = "[" + fake_node::address() + "]:" + std::to_string(node.port()) + " ssh-ed25519 ";
  BOOST_CHECK_EQUAL(line_count(text), 1);
  BOOST_CHECK_MESSAGE(text.rfind(prefix, 0) == 0, text);
  cluster::transport::ssh_reactor again;
  where.policy = host_key_policy::strict;
  auto o = run(again, where, spec("true"));
  BOOST_CHECK_MESSAGE(o.exit_code == 0 && o.failure == ssh_failure::none, o.error);
}

BOOST_AUTO_TEST_CASE(agent_keys_come_first_and_are_named_when_refused) {
  const std::string stranger = stranger_key("agent_stranger");
  auto where = endpoint(1);
  where.identity_files = {scratch("no_such_key")};
  {
    test_agent agent({stranger, nodes().identity_file()});
    cluster::transport::ssh_reactor r;
    auto o = run(r, where, spec("true"));
    BOOST_CHECK_MESSAGE(o.exit_code == 0 && o.failure == ssh_failure::none, o.error);
  }
  test_agent agent({stranger});
  cluster::transport::ssh_reactor r;
  auto o = run(r, where, spec("true"));
  BOOST_CHECK(o.failure == ssh_failure::auth);
  BOOST_CHECK_MESSAGE(o.error.find("agent key 'stranger' (ssh-ed25519): refused") != std::string::npos,
                      o.error);
}

BOOST_AUTO_TEST_SUITE_END()
