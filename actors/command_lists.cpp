#include "actors/command_class.hpp"

// The default lists: the Python tool's offload patterns, corrected and
// extended. Data only; the rules that read them live in command_class.cpp.

namespace cluster {

namespace {

command_lists make_default_lists() {
  command_lists l;
  // The seed's Build/Test/Compile/Container/File lists, plus close kin. The
  // seed's "test" is dropped: as a program it is the shell's `test -f x`.
  // `rg` counts like `grep -r`: it searches a whole tree by default.
  // `kubectl` stays heavy as in the seed, though it mostly waits on an API.
  const std::pair<const char*, std::vector<const char*>> by_category[] = {
      {"build", {"make", "gmake", "ninja", "cargo", "mvn", "mvnw", "gradle",
                 "gradlew", "bazel", "bazelisk", "scons", "meson", "xcodebuild",
                 "sbt"}},
      {"test", {"pytest", "py.test", "jest", "mocha", "vitest", "tox", "nox",
                "ctest"}},
      {"compile", {"gcc", "g++", "cc", "c++", "clang", "clang++", "rustc",
                   "javac", "nvcc"}},
      {"container", {"kubectl", "docker-compose", "podman-compose"}},
      {"file", {"rsync", "scp", "tar", "zip", "unzip", "gzip", "gunzip", "xz",
                "zstd", "bzip2", "7z", "find", "rg", "rgrep"}},
      {"media", {"ffmpeg"}},
  };
  for (const auto& [category, names] : by_category)
    for (const char* name : names)
      l.heavy.emplace(name, category);

  // npm runs nothing unless told to; bare npm prints help.
  l.subcommands["npm"] = {
      "build",
      {"install", "i", "in", "ci", "add", "update", "up", "run", "run-script",
       "test", "t", "tst", "start", "build", "exec", "x", "rebuild", "rb",
       "install-test", "it", "install-ci-test", "cit", "pack"},
      {"view", "info", "show", "ls", "list", "config", "bin", "root", "prefix",
       "whoami", "outdated", "help"},
      {"--prefix", "-w", "--workspace"}, {}, false, false};
  // yarn and pnpm run an unknown subcommand as a package script, and
  // install when bare.
  subcommand_rule script_runner{
      "build", {},
      {"info", "view", "why", "list", "ls", "config", "bin", "outdated",
       "version", "versions", "help"},
      {"--cwd", "-C", "--dir", "--filter", "-F"}, {}, true, true};
  l.subcommands["yarn"] = script_runner;
  l.subcommands["pnpm"] = script_runner;
  // git is light; the subcommands that move or rewrite a whole repository
  // are bulk work (a clone is rsync's kin).
  l.subcommands["git"] = {"vcs", {"clone", "gc", "repack", "fsck"}, {},
                          {"-C", "-c", "--git-dir", "--work-tree", "--namespace"},
                          {}, false, false};
  // Containers: building and running are heavy; looking (ps, images, logs)
  // and unlisted maintenance (stop, rm) stay light, unlike the seed.
  subcommand_rule containers{
      "container",
      {"build", "buildx", "run", "compose", "create", "exec", "start", "pull",
       "push", "load", "save", "import", "export", "commit"},
      {"ps", "images", "version", "info", "inspect", "logs", "stats", "top",
       "port", "help", "search", "login", "logout"},
      {"-H", "--host", "-c", "--context", "--config", "-l", "--log-level",
       "--connection", "--url"},
      {"image", "container", "builder"}, false, false};
  l.subcommands["docker"] = containers;
  l.subcommands["podman"] = containers;
  l.subcommands["go"] = {"build", {"build", "test", "install", "run", "vet",
                                   "generate"}, {}, {"-C"}, {}, false, false};
  // Configuring is light; only `cmake --build` compiles.
  l.subcommands["cmake"] = {"build", {"--build"}, {}, {"-S", "-B", "-G", "-T",
                            "-A", "-C", "-E", "-P"}, {}, false, false};

  // Wrappers looked through. xargs is one too: what it runs is the command.
  l.prefixes["sudo"] = {{"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U",
                         "-T", "--user", "--group", "--prompt", "--chdir"},
                        0, true, {"-l", "-v", "-k", "-K", "-V"}};
  l.prefixes["doas"] = {{"-u", "-C"}, 0, false, {}};
  l.prefixes["env"] = {{"-u", "-C", "--unset", "--chdir", "-S", "--split-string"},
                       0, true, {}};
  l.prefixes["time"] = {{"-f", "-o", "--format", "--output"}, 0, false, {}};
  l.prefixes["nice"] = {{"-n", "--adjustment"}, 0, false, {}};
  l.prefixes["nohup"] = {};
  l.prefixes["exec"] = {{"-a"}, 0, false, {}};
  l.prefixes["command"] = {{}, 0, false, {"-v", "-V"}};
  l.prefixes["builtin"] = {};
  l.prefixes["timeout"] = {{"-s", "-k", "--signal", "--kill-after"}, 1, false, {}};
  l.prefixes["ionice"] = {{"-c", "-n", "--class", "--classdata"}, 0, false,
                          {"-p", "-P", "-u", "--pid", "--pgid", "--uid"}};
  l.prefixes["stdbuf"] = {{"-i", "-o", "-e", "--input", "--output", "--error"},
                          0, false, {}};
  l.prefixes["xargs"] = {{"-n", "-P", "-I", "-L", "-d", "-E", "-s", "-a",
                          "--max-args", "--max-procs", "--delimiter", "--arg-file",
                          "--max-chars", "--max-lines", "--replace", "--eof"},
                         0, false, {}};
  l.prefixes["npx"] = {{"-p", "--package", "-c", "--call"}, 0, false, {}};

  l.recursive_searchers = {"grep", "egrep", "fgrep"};
  l.module_runners = {"python", "pypy"};
  l.shells = {"sh", "bash", "dash", "zsh", "ksh"};
  l.keywords = {"!", "{", "}", "if", "then", "else", "elif", "fi", "while",
                "until", "do", "done", "esac"};
  l.info_options = {"--version", "--help", "-version", "-help", "-V", "-v", "-h"};
  return l;
}

} // namespace

const command_lists& default_command_lists() {
  static const command_lists lists = make_default_lists();
  return lists;
}

} // namespace cluster
