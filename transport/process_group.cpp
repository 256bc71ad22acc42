#include "transport/process_group.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

extern char** environ;

namespace cluster::transport {

namespace {

/// A host with closed stdio could hand us fds 0-2; the child's dup2 onto
/// 1 and 2 would then clobber one pipe end with the other.
int above_stdio(int fd) {
  if (fd > 2)
    return fd;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return moved;
}

std::string cwd_problem(const std::string& cwd) {
  struct stat st {};
  if (::stat(cwd.c_str(), &st) != 0)
    return "working directory '" + cwd + "'" +
           (errno == ENOENT ? " does not exist" : ": " + std::string(std::strerror(errno)));
  if (!S_ISDIR(st.st_mode))
    return "working directory '" + cwd + "' is not a directory";
  return {};
}

} // namespace

void close_fd(int& fd) {
  if (fd >= 0)
    ::close(fd);
  fd = -1;
}

spawned_group spawn_group(const std::string& command, const std::string& cwd) {
  spawned_group g;
  auto fail = [&g](std::string why) {
    g.error = std::move(why);
    return g;
  };
  if (auto why = cwd.empty() ? std::string() : cwd_problem(cwd); !why.empty())
    return fail(std::move(why));
  int out[2] = {-1, -1}, err[2] = {-1, -1};
  if (::pipe2(out, O_CLOEXEC) == 0)
    ::pipe2(err, O_CLOEXEC);
  for (int* fd : {&out[0], &out[1], &err[0], &err[1]})
    *fd = *fd < 0 ? -1 : above_stdio(*fd);
  int pipe_errno = errno;
  if (std::min({out[0], out[1], err[0], err[1]}) < 0) {
    for (int* fd : {&out[0], &out[1], &err[0], &err[1]})
      close_fd(*fd);
    return fail(std::string("cannot create pipe: ") + std::strerror(pipe_errno));
  }
  // Only our ends are non-blocking: O_NONBLOCK lives on the open file
  // description, and a child whose stdout returns EAGAIN misbehaves.
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);
  ::fcntl(err[0], F_SETFL, O_NONBLOCK);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if (!cwd.empty())
    posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The child must not inherit this thread's signal mask or the host's
  // ignored signals: our TERM has to land, and `yes | head` needs SIGPIPE.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
  char* argv[] = {const_cast<char*>("bash"), const_cast<char*>("-c"),
                  const_cast<char*>(command.c_str()), nullptr};
  pid_t pid = -1;
  auto started = std::chrono::steady_clock::now();
  int rc = ::posix_spawn(&pid, "/bin/bash", &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close_fd(out[1]);
  close_fd(err[1]);
  if (rc != 0) {
    close_fd(out[0]);
    close_fd(err[0]);
    std::string where = cwd.empty() ? "/bin/bash" : "/bin/bash in '" + cwd + "'";
    return fail("cannot start " + where + ": " + std::strerror(rc));
  }
  g.pid = pid;
  g.out = out[0];
  g.err = err[0];
  // Any failure (ENOSYS before Linux 5.3, EMFILE) falls back to polling.
  g.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  g.started = started;
  return g;
}

// A plain kill(-pgid, 0) cannot tell: orphaned zombies count as members,
// and some container inits never reap them.
bool group_alive(pid_t pgid) {
  if (::kill(-pgid, 0) != 0 && errno == ESRCH)
    return false;
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr)
    return false;
  bool alive = false;
  for (dirent* e; !alive && (e = ::readdir(dir)) != nullptr;) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9')
      continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/stat");
    std::string line;
    std::getline(in, line);
    // The command name may hold spaces and parentheses; fields resume after
    // the last ')'.
    auto paren = line.rfind(')');
    char state = 0;
    int ppid = 0, pgrp = 0;
    if (paren != std::string::npos &&
        std::sscanf(line.c_str() + paren + 1, " %c %d %d", &state, &ppid, &pgrp) == 3)
      alive = pgrp == pgid && state != 'Z' && state != 'X';
  }
  ::closedir(dir);
  return alive;
}

} // namespace cluster::transport
