#include "kernel/spawn.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>


namespace pid1 {
namespace {

enum Step : int { kExecve, kChdir, kSetsid, kSetpgid, kTcsetpgrp, kDup2, kSigaction, kCgroup };
const char* const kStepNames[] = {"execve", "chdir", "setsid", "setpgid", "tcsetpgrp", "dup2", "sigaction", "cgroup.procs"};

struct ChildFailure {
  int err;
  int step;
};

std::vector<char*> Pointers(const std::vector<CString>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const CString& s : strings) out.push_back(const_cast<char*>(s.data()));
  out.push_back(nullptr);
  return out;
}

[[noreturn]] void FailChild(int report_fd, int step) {
  ChildFailure failure = {errno, step};
  ssize_t ignored = write(report_fd, &failure, sizeof failure);
  (void)ignored;
  _exit(failure.err == ENOENT ? 127 : 126);
}

// Runs in the child, between fork and exec: async-signal-safe calls only.
// Every signal is blocked on entry (the parent blocked them around fork).
[[noreturn]] void RunChild(const SpawnRequest& request, char* const* argv, char* const* envp,
                           char* const* candidates, int report_fd) {
  // Joins the cgroup before it can run anything or fork: nothing it ever
  // starts can be outside it.
  if (request.cgroup_fd >= 0 && write(request.cgroup_fd, "0", 1) != 1) FailChild(report_fd, kCgroup);
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &dfl, nullptr);  // EINVAL for libc-reserved signals is expected
  }
  if (request.setsid && setsid() < 0) FailChild(report_fd, kSetsid);
  if (!request.setsid && request.setpgid && setpgid(0, 0) < 0) FailChild(report_fd, kSetpgid);
  if (request.setsid && request.foreground_fd >= 0) {
    // A new session has no terminal: it takes this one as its controlling
    // terminal, which makes its group the foreground. EPERM when another
    // session still owns the terminal: the child then runs without one, as
    // under dumb-init.
    ioctl(request.foreground_fd, TIOCSCTTY, 0);
  } else if (request.foreground_fd >= 0 && tcsetpgrp(request.foreground_fd, getpgrp()) < 0 && errno != ENOTTY) {
    // SIGTTOU is blocked, so a background group may take the terminal.
    FailChild(report_fd, kTcsetpgrp);
  }
  for (int target = 0; target < 3; target++) {
    int source = request.stdio[target] < 0 ? target : request.stdio[target];
    if (source != target && dup2(source, target) < 0) FailChild(report_fd, kDup2);
    // Node marks its own 0-2 close-on-exec and libuv makes pipes
    // non-blocking: the child gets plain, blocking stdio, as libuv's own
    // children do. EBADF (a closed fd the child inherits as closed) is fine.
    int fd_flags = fcntl(target, F_GETFD);
    if (fd_flags >= 0 && (fd_flags & FD_CLOEXEC)) fcntl(target, F_SETFD, fd_flags & ~FD_CLOEXEC);
    int fl_flags = fcntl(target, F_GETFL);
    if (fl_flags >= 0 && (fl_flags & O_NONBLOCK)) fcntl(target, F_SETFL, fl_flags & ~O_NONBLOCK);
  }
  if (!request.cwd.empty() && request.cwd[0] != '\0' && chdir(request.cwd.data()) < 0) FailChild(report_fd, kChdir);
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);
  // execvp's rules: an EACCES is remembered while later candidates are
  // tried; ENOENT and ENOTDIR go on to the next; anything else stops.
  bool saw_eacces = false;
  for (char* const* path = candidates; *path != nullptr; path++) {
    execve(*path, argv, envp);
    if (errno == EACCES) {
      saw_eacces = true;
    } else if (errno != ENOENT && errno != ENOTDIR) {
      break;
    }
  }
  if (saw_eacces && (errno == ENOENT || errno == ENOTDIR)) errno = EACCES;
  FailChild(report_fd, kExecve);
}

// Keeps the report pipe off fds 0-2, which the child may overwrite.
int AboveStdio(int fd) {
  if (fd > 2) return fd;
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  int err = errno;
  close(fd);
  errno = err;
  return moved;
}

}  // namespace

int Spawn(const SpawnRequest& request, pid_t* pid, const char** failed_step) {
  *failed_step = "pipe2";
  if (request.argv.empty() || request.candidates.empty()) return -EINVAL;
  std::vector<char*> argv = Pointers(request.argv);
  std::vector<char*> envp = Pointers(request.env);
  std::vector<char*> candidates = Pointers(request.candidates);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return -errno;
  fds[0] = AboveStdio(fds[0]);
  fds[1] = AboveStdio(fds[1]);
  if (fds[0] < 0 || fds[1] < 0) {
    int err = -errno;
    if (fds[0] >= 0) close(fds[0]);
    if (fds[1] >= 0) close(fds[1]);
    return err;
  }

  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  pid_t child = fork();
  if (child == 0) RunChild(request, argv.data(), envp.data(), candidates.data(), fds[1]);
  int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  close(fds[1]);
  if (child < 0) {
    close(fds[0]);
    *failed_step = "fork";
    return -fork_errno;
  }

  ChildFailure failure = {0, 0};
  ssize_t n;
  do {
    n = read(fds[0], &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  close(fds[0]);
  if (n == static_cast<ssize_t>(sizeof failure)) {
    while (waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
    }
    *failed_step = kStepNames[failure.step];
    return -failure.err;
  }
  *pid = child;
  *failed_step = nullptr;
  return 0;
}

}  // namespace pid1
