// Quoting checked against real shells: whatever bash and dash read back
// must be the very bytes we quoted.

#include "transport/shell_quote.hpp"

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <random>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

using namespace cluster::transport;

namespace {

/// Runs `argv` with `env` and returns its stdout; fails the test when it
/// does not exit with status 0.
std::string run(const std::vector<std::string>& argv,
                const std::vector<std::string>& env) {
  int fds[2];
  BOOST_REQUIRE_EQUAL(::pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : env)
    envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = 0;
  auto rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(),
                          envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  BOOST_REQUIRE_EQUAL(rc, 0);
  std::string out;
  char buf[4096];
  for (;;) {
    auto n = ::read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  BOOST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return out;
}

struct shell {
  std::string path;
  std::vector<std::string> env;
};

/// bash and dash, each in the C locale and in a UTF-8 locale: multibyte
/// handling is where shells differ on odd bytes.
std::vector<shell> shells() {
  std::vector<shell> result;
  for (const char* path : {"/bin/bash", "/bin/sh"})
    for (const char* locale : {"LC_ALL=C", "LC_ALL=C.UTF-8"})
      result.push_back({path, {"PATH=/usr/bin:/bin", locale}});
  return result;
}

/// Checks that every shell prints `s` back from `printf %s <quoted s>`.
void check_round_trip(const std::string& s) {
  for (const auto& sh : shells()) {
    auto echoed = run({sh.path, "-c", "printf %s " + shell_quote(s)}, sh.env);
    BOOST_TEST_CONTEXT(sh.path << " " << sh.env.back() << ", input of "
                               << s.size() << " bytes") {
      BOOST_CHECK(echoed == s);
    }
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(shell_quote)

BOOST_AUTO_TEST_CASE(quoting_form) {
  BOOST_CHECK_EQUAL(cluster::transport::shell_quote(""), "''");
  BOOST_CHECK_EQUAL(cluster::transport::shell_quote("abc"), "'abc'");
  BOOST_CHECK_EQUAL(cluster::transport::shell_quote("it's"), "'it'\\''s'");
  BOOST_CHECK_EQUAL(cluster::transport::shell_quote("'"), "''\\'''");
}

BOOST_AUTO_TEST_CASE(special_strings_round_trip) {
  const std::vector<std::string> samples = {
    "", " ", "a b", "  leading and trailing  ", "'", "\"", "''", "it's",
    "\"double\" and 'single'", "\\", "\\\\", "back\\slash\\n", "$HOME",
    "${HOME}", "$(id)", "`id`", "!", "!!", "!$", "history!expansion",
    "line1\nline2", "\n", "trailing newline\n", "\t", "tab\there", "*", "?",
    "[", "[a-z]*", "{a,b}", "~", "~root", "~/x", ";", "&", "|", "<", ">",
    "(", ")", "a;b&c|d<e>f(g)", "#comment", "-n", "--", "%s", "%%",
    "\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "\xFF\xFE",
    "\xC0\xAF", "\xED\xA0\x80", "\x80", "\x01", "\x7F", "\x01\x7F\x01",
    "a=b", "IFS=x", "x'$'y", "'\\''"};
  for (const auto& s : samples)
    check_round_trip(s);
}

BOOST_AUTO_TEST_CASE(every_byte_round_trips) {
  for (int b = 1; b < 256; ++b) {
    BOOST_TEST_CONTEXT("byte " << b) {
      check_round_trip(std::string(1, static_cast<char>(b)));
    }
  }
}

BOOST_AUTO_TEST_CASE(random_byte_strings_round_trip) {
  std::mt19937 rng{1234};
  std::uniform_int_distribution<int> byte(1, 255);
  std::uniform_int_distribution<std::size_t> len(0, 40);
  for (int i = 0; i < 300; ++i) {
    std::string s(len(rng), ' ');
    for (auto& c : s)
      c = static_cast<char>(byte(rng));
    check_round_trip(s);
  }
}

BOOST_AUTO_TEST_CASE(join_command_single_argument_is_verbatim) {
  BOOST_CHECK_EQUAL(join_command({"ls | wc -l"}), "ls | wc -l");
  BOOST_CHECK_EQUAL(join_command({"echo 'x'"}), "echo 'x'");
  BOOST_CHECK_EQUAL(join_command({}), "");
  auto out = run({"/bin/bash", "-c", join_command({"printf %s a; printf %s b"})},
                 {"PATH=/usr/bin:/bin"});
  BOOST_CHECK_EQUAL(out, "ab");
}

BOOST_AUTO_TEST_CASE(join_command_several_arguments_keep_their_argv) {
  std::vector<std::string> argv = {
    "printf", "[%s]", "a b", "", "it's", "$HOME", "*", "x\ny", "\\", "-n"};
  auto cmd = join_command(argv);
  for (const char* sh : {"/bin/bash", "/bin/sh"}) {
    auto out = run({sh, "-c", cmd}, {"PATH=/usr/bin:/bin", "HOME=/nowhere"});
    BOOST_CHECK_EQUAL(out, "[a b][][it's][$HOME][*][x\ny][\\][-n]");
  }
  // An empty first word is still a word, not dropped.
  BOOST_CHECK_EQUAL(join_command({"", "x"}), "'' 'x'");
}

BOOST_AUTO_TEST_SUITE_END()
