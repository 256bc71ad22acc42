// The exec string and its start marker, without SSH: the marker survives any
// split, and the exec string, run the way sshd runs it (`$SHELL -c STRING`)
// by local shells, enters odd directories and runs odd commands byte for byte.

#include "transport/remote_command.hpp"

#include "transport/sha256.hpp"
#include "transport/shell_quote.hpp"

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace cluster::transport;

namespace {

const std::string marker_ok = "\x1e" "cluster-exec:4242:ok\x1f";

struct local_result {
  pid_t pid = -1;
  int status = -1;
  std::string out, err;
};

/// Runs argv with both streams captured, the way sshd would start the login
/// shell: stdin from /dev/null, default environment.
local_result run_local(const std::vector<std::string>& argv) {
  int out[2], err[2];
  BOOST_REQUIRE_EQUAL(::pipe(out), 0);
  BOOST_REQUIRE_EQUAL(::pipe(err), 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  for (int fd : {out[0], out[1], err[0], err[1]})
    posix_spawn_file_actions_addclose(&fa, fd);
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  local_result r;
  int rc = ::posix_spawn(&r.pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  ::close(err[1]);
  BOOST_REQUIRE_EQUAL(rc, 0);
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* dest[2] = {&r.out, &r.err};
  char buf[8192];
  for (int open = 2; open > 0;) {
    if (::poll(fds, 2, -1) < 0)
      continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0)
        continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        dest[i]->append(buf, std::size_t(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  while (::waitpid(r.pid, &r.status, 0) < 0 && errno == EINTR) {
  }
  return r;
}

/// Splits stdout into marker and output, feeding it `step` bytes at a time.
std::string strip(start_marker_reader& reader, const std::string& bytes, std::size_t step) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += step)
    reader.feed(std::string_view(bytes).substr(i, step), out);
  reader.finish(out);
  return out;
}

/// The login shells sshd might start; zsh only where it is installed.
std::vector<std::string> login_shells() {
  std::vector<std::string> shells = {"/bin/bash", "/bin/sh"};
  for (const char* zsh : {"/bin/zsh", "/usr/bin/zsh"})
    if (::access(zsh, X_OK) == 0) {
      shells.push_back(zsh);
      break;
    }
  return shells;
}

std::string random_bytes(std::mt19937& rng, std::size_t max_len) {
  // Shell-significant bytes are over-represented; every byte 1..255 occurs.
  static const std::string special = "'\"\\$`!;&|<>(){}[]*?~#\n\t %-=";
  std::uniform_int_distribution<std::size_t> len(0, max_len);
  std::uniform_int_distribution<int> any(1, 255), pick(0, 2);
  std::uniform_int_distribution<std::size_t> which(0, special.size() - 1);
  std::string s(len(rng), ' ');
  for (auto& c : s)
    c = pick(rng) == 0 ? special[which(rng)] : static_cast<char>(any(rng));
  return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(remote_command)

BOOST_AUTO_TEST_CASE(marker_is_stripped_at_any_split) {
  const std::string stream = marker_ok + "hello\n" + "\x1e" + "not a marker\x1f";
  for (std::size_t step = 1; step <= stream.size(); ++step) {
    start_marker_reader reader;
    BOOST_TEST_CONTEXT("step " << step) {
      BOOST_CHECK_EQUAL(strip(reader, stream, step), "hello\n\x1enot a marker\x1f");
      BOOST_CHECK(reader.complete());
      BOOST_CHECK(reader.cwd_ok());
      BOOST_CHECK_EQUAL(reader.pgid(), 4242);
    }
  }
}

BOOST_AUTO_TEST_CASE(group_id_is_known_before_the_status) {
  start_marker_reader reader;
  std::string out;
  reader.feed("\x1e" "cluster-exec:77:", out);
  BOOST_CHECK(reader.has_pgid());
  BOOST_CHECK_EQUAL(reader.pgid(), 77);
  BOOST_CHECK(!reader.complete());
  BOOST_CHECK(out.empty());
}

BOOST_AUTO_TEST_CASE(login_noise_before_the_marker_is_output) {
  const std::string stream = "Welcome!\n\x1e" "cluster-ex" + marker_ok + "rest";
  for (std::size_t step = 1; step <= stream.size(); ++step) {
    start_marker_reader reader;
    BOOST_CHECK_EQUAL(strip(reader, stream, step), "Welcome!\n\x1e" "cluster-exrest");
    BOOST_CHECK(reader.complete());
  }
}

BOOST_AUTO_TEST_CASE(cwd_failure_carries_cd_message) {
  const std::string stream = "\x1e" "cluster-exec:9:sh: 1: cd: can't cd to /nope\n\x1f";
  for (std::size_t step = 1; step <= stream.size(); ++step) {
    start_marker_reader reader;
    BOOST_CHECK_EQUAL(strip(reader, stream, step), "");
    BOOST_CHECK(reader.complete());
    BOOST_CHECK(!reader.cwd_ok());
    BOOST_CHECK_EQUAL(reader.cwd_error(), "sh: 1: cd: can't cd to /nope");
  }
}

BOOST_AUTO_TEST_CASE(malformed_or_missing_marker_is_all_output) {
  for (const std::string& stream :
       {std::string("\x1e" "cluster-exec:12a:ok\x1f" "x"), std::string("plain output"),
        std::string("ends in a partial \x1e" "cluster"), std::string("\x1e" "cluster-exec::ok\x1f")}) {
    for (std::size_t step = 1; step <= stream.size(); ++step) {
      start_marker_reader reader;
      BOOST_CHECK_EQUAL(strip(reader, stream, step), stream);
      BOOST_CHECK(!reader.complete());
      BOOST_CHECK(!reader.has_pgid());
    }
  }
  // A stream that never shows a marker is passed on without being held.
  start_marker_reader reader;
  std::string out;
  reader.feed(std::string(100'000, 'x'), out);
  BOOST_CHECK_EQUAL(out.size(), 100'000u);
  BOOST_CHECK(reader.gave_up());
}

BOOST_AUTO_TEST_CASE(kill_commands_and_signal_names) {
  BOOST_CHECK_EQUAL(group_kill_command(1234, false), "kill -TERM -- -1234; kill -CONT -- -1234");
  BOOST_CHECK_EQUAL(group_kill_command(1234, true), "kill -KILL -- -1234");
  BOOST_CHECK_EQUAL(signal_number("KILL"), SIGKILL);
  BOOST_CHECK_EQUAL(signal_number("TERM"), SIGTERM);
  BOOST_CHECK_EQUAL(signal_number("SIGINT"), SIGINT);
  BOOST_CHECK_EQUAL(signal_number("NOPE"), 0);
}

BOOST_AUTO_TEST_CASE(exec_string_shape) {
  auto s = remote_exec_string("echo hi", "");
  BOOST_CHECK_EQUAL(s.rfind("exec /bin/sh -c '", 0), 0u);
  BOOST_CHECK(s.find("exec /bin/bash -c") != std::string::npos);
  BOOST_CHECK(s.find(" cd ") == std::string::npos);
  BOOST_CHECK(remote_exec_string("x", "/tmp").find("cd -- ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(odd_cwd_and_command_survive_every_login_shell) {
  namespace fs = std::filesystem;
  const fs::path base = fs::temp_directory_path() / ("remote-command-test-" + std::to_string(::getpid()));
  const std::string odd = (base / "it's a \"dir\" $HOME `x` \\ \xC3\xA9\ttab").string();
  fs::create_directories(odd);
  const std::string command = "printf '%s|' \"$PWD\" \"$(echo sub)\" 'a b' \"x\\\\y\"; echo $((6*7))";
  for (const auto& shell : login_shells()) {
    BOOST_TEST_CONTEXT("login shell " << shell) {
      auto r = run_local({shell, "-c", remote_exec_string(command, odd)});
      start_marker_reader reader;
      std::string out = strip(reader, r.out, r.out.size() + 1);
      BOOST_CHECK(reader.complete() && reader.cwd_ok());
      // Every exec keeps the PID, so the reported group is the shell sshd started.
      BOOST_CHECK_EQUAL(reader.pgid(), long(r.pid));
      BOOST_CHECK_EQUAL(out, odd + "|sub|a b|x\\y|42\n");
      BOOST_CHECK_EQUAL(r.err, "");
      BOOST_CHECK(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    }
  }
  fs::remove_all(base);
}

BOOST_AUTO_TEST_CASE(missing_cwd_exits_126_with_reason) {
  for (const auto& shell : login_shells()) {
    BOOST_TEST_CONTEXT("login shell " << shell) {
      auto r = run_local({shell, "-c", remote_exec_string("echo ran", "/nonexistent/it's")});
      start_marker_reader reader;
      std::string out = strip(reader, r.out, 7);
      BOOST_CHECK(reader.complete());
      BOOST_CHECK(!reader.cwd_ok());
      BOOST_CHECK(reader.cwd_error().find("/nonexistent/it's") != std::string::npos);
      BOOST_CHECK_EQUAL(out, "");
      BOOST_CHECK(WIFEXITED(r.status) && WEXITSTATUS(r.status) == cwd_failed_status);
    }
  }
}

BOOST_AUTO_TEST_CASE(random_commands_arrive_byte_for_byte) {
  // Two views of the same property: the command text bash runs is exactly
  // ours ($BASH_EXECUTION_STRING), and quoted data comes back unchanged.
  std::mt19937 rng{20261125};
  for (int i = 0; i < 200; ++i) {
    const std::string payload = random_bytes(rng, 60);
    const std::string self = "printf '%s' \"$BASH_EXECUTION_STRING\"; exit\n" + payload;
    const std::string echo = "printf '%s' " + shell_quote(payload);
    const std::string cwd = i % 2 ? "/" : "";
    for (const auto& shell : {std::string("/bin/bash"), std::string("/bin/sh")}) {
      BOOST_TEST_CONTEXT("case " << i << ", login shell " << shell) {
        auto r = run_local({shell, "-c", remote_exec_string(self, cwd)});
        start_marker_reader reader;
        BOOST_CHECK(to_hex(sha256(strip(reader, r.out, 5))) == to_hex(sha256(self)));
        auto e = run_local({shell, "-c", remote_exec_string(echo, cwd)});
        start_marker_reader reader2;
        BOOST_CHECK(strip(reader2, e.out, 3) == payload);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(sha256_and_base64_known_answers) {
  BOOST_CHECK_EQUAL(to_hex(sha256("")),
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_CHECK_EQUAL(to_hex(sha256("abc")),
                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_CHECK_EQUAL(to_hex(sha256(std::string(1'000'000, 'a'))),
                    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  BOOST_CHECK_EQUAL(to_hex(sha256(std::string(56, 'a'))),
                    "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  BOOST_CHECK_EQUAL(base64_encode("ab"), "YWI=");
  BOOST_CHECK_EQUAL(base64_encode("ab", false), "YWI");
  BOOST_CHECK(base64_decode("YWI") == std::optional<std::string>("ab"));
  BOOST_CHECK(base64_decode("YWI=") == std::optional<std::string>("ab"));
  BOOST_CHECK(!base64_decode("Y*I"));
}

BOOST_AUTO_TEST_SUITE_END()
