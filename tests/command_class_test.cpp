#include "actors/command_class.hpp"
#include "actors/shell_words.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <random>
#include <string>
#include <vector>

using namespace cluster;

BOOST_TEST_DONT_PRINT_LOG_VALUE(cluster::command_weight)

namespace {

constexpr auto L = command_weight::light;
constexpr auto H = command_weight::heavy;

struct row {
  const char* command;
  command_weight weight;
  std::vector<std::string> programs;
};

// Each seed defect has a row; so has each decision documented in
// command_class.cpp, so that changing one shows up here.
const std::vector<row> table = {
    // Seed defect 4: substrings are not programs.
    {"rg foo", H, {"rg"}},
    {"git merge main", L, {"git"}},
    {"systemctl restart x", L, {"systemctl"}},
    {"systemctl start nginx", L, {"systemctl"}},
    {"cd x && make", H, {"cd", "make"}},
    {"cd x; make -j8 all", H, {"cd", "make"}},
    {"cd x || make", H, {"cd", "make"}},
    {"echo hi\nmake", H, {"echo", "make"}},
    // Assignments and wrappers.
    {"FOO=1 BAR=2 make", H, {"make"}},
    {"FOO=1", L, {}},
    {"sudo -u build make install", H, {"make"}},
    {"sudo -E make", H, {"make"}},
    {"sudo FOO=1 make", H, {"make"}},
    {"env CC=clang make", H, {"make"}},
    {"env -i PATH=/bin -u HOME make", H, {"make"}},
    {"time nice -n 5 pytest tests/", H, {"pytest"}},
    {"nice -5 make", H, {"make"}},
    {"/usr/bin/make", H, {"make"}},
    {"./gradlew build", H, {"gradlew"}},
    {"nohup make &", H, {"make"}},
    {"timeout 60 cargo test", H, {"cargo"}},
    {"timeout -s KILL 5m make", H, {"make"}},
    {"exec make", H, {"make"}},
    {"command make", H, {"make"}},
    {"command -v make", L, {"command"}},
    {"builtin echo make", L, {"echo"}},
    {"ionice -c 3 tar czf a.tgz dir", H, {"tar"}},
    {"stdbuf -oL make 2>&1 | tee log", H, {"make", "tee"}},
    {"find . -name '*.o' | xargs -P 8 -n 1 gcc -c", H, {"find", "gcc"}},
    {"ls | xargs echo", L, {"ls", "echo"}},
    {"npx jest", H, {"jest"}},
    // Pipelines, recursive search.
    {"ls | grep -r foo .", H, {"ls", "grep"}},
    {"ls | grep foo", L, {"ls", "grep"}},
    {"grep -rn foo src", H, {"grep"}},
    {"grep -R foo", H, {"grep"}},
    {"grep --recursive foo", H, {"grep"}},
    {"grep -e -r foo", L, {"grep"}},
    {"grep -er file", L, {"grep"}},
    {"rgrep foo", H, {"rgrep"}},
    {"ps aux | grep make", L, {"ps", "grep"}},
    // Arguments, quotes, comments are not programs.
    {"echo make", L, {"echo"}},
    {"echo \"make; ls\"", L, {"echo"}},
    {"echo 'make && ls'", L, {"echo"}},
    {"echo make\\;ls", L, {"echo"}},
    {"ls # make", L, {"ls"}},
    {"ls #make\npwd", L, {"ls", "pwd"}},
    {"echo a#make", L, {"echo"}},
    {"cat README.md", L, {"cat"}},
    {"cat <<EOF\nmake\nEOF\nls", L, {"cat", "ls"}},
    {"cat <<-'END' > f\n\tmake\n\tEND\nls", L, {"cat", "ls"}},
    {"grep x <<< 'make'", L, {"grep"}},
    {"make > /dev/null 2>&1", H, {"make"}},
    {">out make", H, {"make"}},
    {"ls &>/dev/null", L, {"ls"}},
    {"echo $((1+2)) ${HOME}", L, {"echo"}},
    {"a=(make tar) ls", L, {"ls"}},
    // Subshells, groups, substitutions.
    {"(cd build && ninja)", H, {"cd", "ninja"}},
    {"{ cd build; ninja; }", H, {"cd", "ninja"}},
    {"if true; then make; fi", H, {"true", "make"}},
    {"! make", H, {"make"}},
    {"echo $(make -s print-vars)", H, {"echo", "make"}},
    {"echo \"$(make -s print-vars)\"", H, {"echo", "make"}},
    {"echo `make`", H, {"echo", "make"}},
    {"echo \"`make`\"", H, {"echo", "make"}},
    {"x=$(git rev-parse HEAD) ls", L, {"ls", "git"}},
    {"echo $(echo $(cargo build))", H, {"echo", "echo", "cargo"}},
    {"diff <(ls a) <(ls b)", L, {"diff", "ls", "ls"}},
    {"bash -c 'cd x && make'", H, {"cd", "make"}},
    {"sh -ec \"make\"", H, {"make"}},
    {"bash build.sh", L, {"bash"}},
    {"eval make", H, {"make"}},
    // Empty and broken input.
    {"", L, {}},
    {"   \t\n ", L, {}},
    {";;&&||", L, {}},
    {"echo 'make", L, {"echo"}},
    {"echo \"make", L, {"echo"}},
    {"echo $(make", H, {"echo", "make"}},
    {"echo )) make", H, {"echo", "make"}},  // Stray `)` ends a command, as a subshell would.
    // Subcommand rules.
    {"docker ps", L, {"docker"}},
    {"docker images", L, {"docker"}},
    {"docker build .", H, {"docker"}},
    {"docker -H tcp://x:2375 run alpine", H, {"docker"}},
    {"docker image build .", H, {"docker"}},
    {"docker image ls", L, {"docker"}},
    {"docker stop web", L, {"docker"}},
    {"podman run -it alpine", H, {"podman"}},
    {"npm --version", L, {"npm"}},
    {"npm view react", L, {"npm"}},
    {"npm", L, {"npm"}},
    {"npm ci", H, {"npm"}},
    {"npm run build", H, {"npm"}},
    {"npm -w app test", H, {"npm"}},
    {"yarn", H, {"yarn"}},
    {"yarn lint", H, {"yarn"}},
    {"yarn why react", L, {"yarn"}},
    {"pnpm --version", L, {"pnpm"}},
    {"git clone url", H, {"git"}},
    {"git -C repo gc", H, {"git"}},
    {"git status", L, {"git"}},
    {"go build ./...", H, {"go"}},
    {"go version", L, {"go"}},
    {"cmake -S . -B build", L, {"cmake"}},
    {"cmake --build build -j", H, {"cmake"}},
    {"make --version", L, {"make"}},
    {"gcc -v", L, {"gcc"}},
    {"gcc -c main.c", H, {"gcc"}},
    // Interpreters.
    {"python3 -m pytest", H, {"pytest"}},
    {"python -mpytest -x", H, {"pytest"}},
    {"python3.12 -u -m pytest", H, {"pytest"}},
    {"python3 script.py", L, {"python3"}},
    {"python3 -c 'import make'", L, {"python3"}},
    {"python3 -m http.server", L, {"http.server"}},
    // The seed's "test" pattern is the shell builtin.
    {"test -f x && echo yes", L, {"test", "echo"}},
    {"kubectl get pods", H, {"kubectl"}},
    {"ffmpeg -i a.mov b.mp4", H, {"ffmpeg"}},
    {"rsync -a src/ host:dst/", H, {"rsync"}},
};

} // namespace

BOOST_AUTO_TEST_SUITE(command_class)

BOOST_AUTO_TEST_CASE(table_of_commands) {
  for (const auto& r : table) {
    BOOST_TEST_CONTEXT("command: " << r.command) {
      auto p = classify_command(r.command);
      BOOST_TEST(p.weight == r.weight, p.reason);
      BOOST_TEST(p.programs == r.programs, boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(reason_names_the_heavy_program_and_segment) {
  BOOST_TEST(classify_command("cd x && make").reason == "heavy: make (build) in segment 2");
  BOOST_TEST(classify_command("make").reason == "heavy: make (build)");
  BOOST_TEST(classify_command("npm ci").reason == "heavy: npm ci (build)");
  BOOST_TEST(classify_command("ls | grep -r x").reason ==
             "heavy: grep -r (file) in segment 2");
  BOOST_TEST(classify_command("python3 -m pytest").reason ==
             "heavy: python3 -m pytest (test)");
  BOOST_TEST(classify_command("make; pytest").reason ==
             "heavy: make (build) in segment 1; pytest (test) in segment 2");
  BOOST_TEST(classify_command("ls | wc -l; ls").reason == "light: ls, wc");
  BOOST_TEST(classify_command("").reason == "light: no command");
}

BOOST_AUTO_TEST_CASE(lists_are_configurable) {
  command_lists lists = default_command_lists();
  BOOST_TEST(classify_command("mytool x", lists).weight == L);
  lists.heavy.emplace("mytool", "build");
  lists.heavy.erase("make");
  BOOST_TEST(classify_command("mytool x", lists).weight == H);
  BOOST_TEST(classify_command("make", lists).weight == L);
  lists.prefixes["chronic"] = {};
  BOOST_TEST(classify_command("chronic mytool", lists).programs ==
             std::vector<std::string>{"mytool"});
}

BOOST_AUTO_TEST_CASE(words_come_out_unquoted) {
  auto segs = split_simple_commands("FOO='a b' cmd \"x\\\"y\" z\\ w 2>err | tail -n1");
  BOOST_TEST_REQUIRE(segs.size() == 2u);
  std::vector<std::string> first{"FOO=a b", "cmd", "x\"y", "z w"};
  BOOST_TEST(segs[0] == first, boost::test_tools::per_element());
  std::vector<std::string> second{"tail", "-n1"};
  BOOST_TEST(segs[1] == second, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(random_bytes_neither_crash_nor_hang) {
  std::mt19937 rng(4242);
  // Shell metacharacters weighted up, so that nesting actually happens.
  const std::string alphabet = "()`$'\"\\#;&|<>{}\n \t=-rm ake";
  auto start = std::chrono::steady_clock::now();
  for (int n = 0; n < 5000; ++n) {
    std::string s(rng() % 200, '\0');
    for (auto& c : s)
      c = (rng() % 2) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    auto p = classify_command(s);
    BOOST_TEST((p.weight == L || p.weight == H));
    BOOST_TEST(!p.reason.empty());
  }
  // Deep nesting and long input stay linear.
  std::string deep;
  for (int k = 0; k < 20000; ++k)
    deep += "$(";
  BOOST_TEST(classify_command(deep + "make").weight == H);
  BOOST_TEST(classify_command(std::string(200000, '(') + "make").weight == H);
  BOOST_TEST(classify_command(std::string(100000, '`')).weight == L);
  BOOST_TEST(classify_command(std::string(100000, '\'')).weight == L);
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(took).count() < 20);
}

BOOST_AUTO_TEST_SUITE_END()
