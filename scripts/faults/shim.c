// An LD_PRELOAD shim that makes system calls made by pid1.node fail, and
// logs every signal that is sent. Calls from anywhere else (node, libuv,
// glibc itself) pass through untouched: the caller is told apart by the
// module its return address belongs to (dladdr), so Node's own fork() for
// child_process or its prctl() calls never fail.
//
//   PID1_FAULTS="prctl=EPERM,pidfd_open=ENOSYS,signalfd=EMFILE:1,fork=EAGAIN:2,waitid=EINVAL:1"
//     name=ERRNO[:N]  the first N calls fail (every call without :N).
//     prctl fails only for PR_SET_CHILD_SUBREAPER (what AWS Lambda refuses).
//   PID1_KILL_LOG=/path  appends "pid module target signal" for every kill()
//     and pidfd_send_signal made by any process that carries the shim.
//
// Built by test/faults/faults.test.js: cc -shared -fPIC -o build/faults/shim.so shim.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

enum { F_PRCTL, F_PIDFD_OPEN, F_SIGNALFD, F_FORK, F_WAITID, F_COUNT };
static const char *const kNames[F_COUNT] = {"prctl", "pidfd_open", "signalfd", "fork", "waitid"};
static int fault_errno[F_COUNT];
static long fault_left[F_COUNT];  // -1: every call
static int parsed;

static int errno_by_name(const char *name) {
  static const struct { const char *name; int value; } table[] = {
      {"EPERM", EPERM}, {"ENOSYS", ENOSYS}, {"EMFILE", EMFILE}, {"ENFILE", ENFILE},
      {"EAGAIN", EAGAIN}, {"ENOMEM", ENOMEM}, {"EINVAL", EINVAL}, {"EACCES", EACCES},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp(name, table[i].name) == 0) return table[i].value;
  return atoi(name);
}

static void parse(void) {
  if (parsed) return;
  parsed = 1;
  const char *spec = getenv("PID1_FAULTS");
  if (spec == NULL) return;
  char buffer[512];
  snprintf(buffer, sizeof buffer, "%s", spec);
  char *save = NULL;
  for (char *item = strtok_r(buffer, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(item, '=');
    if (eq == NULL) continue;
    *eq = '\0';
    char *colon = strchr(eq + 1, ':');
    if (colon != NULL) *colon = '\0';
    for (int f = 0; f < F_COUNT; f++) {
      if (strcmp(item, kNames[f]) != 0) continue;
      fault_errno[f] = errno_by_name(eq + 1);
      fault_left[f] = colon == NULL ? -1 : atol(colon + 1);
    }
  }
}

__attribute__((constructor)) static void init_shim(void) { parse(); }

static int from_pid1(const void *caller) {
  Dl_info info;
  if (dladdr(caller, &info) == 0 || info.dli_fname == NULL) return 0;
  return strstr(info.dli_fname, "pid1.node") != NULL;
}

// Whether this call must fail; sets errno when it must.
static int inject(int f, const void *caller) {
  parse();
  if (fault_errno[f] == 0 || fault_left[f] == 0 || !from_pid1(caller)) return 0;
  if (fault_left[f] > 0) fault_left[f]--;
  errno = fault_errno[f];
  return 1;
}

static void log_signal(const char *what, const void *caller, long target, int sig) {
  const char *path = getenv("PID1_KILL_LOG");
  if (path == NULL) return;
  Dl_info info;
  const char *module = dladdr(caller, &info) && info.dli_fname ? info.dli_fname : "?";
  const char *base = strrchr(module, '/');
  char line[512];
  int n = snprintf(line, sizeof line, "%d %s %s %ld %d\n", (int)getpid(), base ? base + 1 : module, what, target, sig);
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t ignored = write(fd, line, (size_t)n);
  (void)ignored;
  close(fd);
}

int prctl(int option, ...) {
  va_list ap;
  va_start(ap, option);
  unsigned long a2 = va_arg(ap, unsigned long), a3 = va_arg(ap, unsigned long);
  unsigned long a4 = va_arg(ap, unsigned long), a5 = va_arg(ap, unsigned long);
  va_end(ap);
  // Under scripts/asan.sh, ASan's own prctl interceptor calls us on behalf
  // of pid1.node: nothing else in a node process sets the subreaper flag.
  const void *caller = __builtin_return_address(0);
  Dl_info info;
  int via_asan = dladdr(caller, &info) && info.dli_fname && strstr(info.dli_fname, "libasan");
  if (option == PR_SET_CHILD_SUBREAPER && fault_errno[F_PRCTL] != 0 && via_asan) {
    parse();
    if (fault_left[F_PRCTL] != 0) {
      if (fault_left[F_PRCTL] > 0) fault_left[F_PRCTL]--;
      errno = fault_errno[F_PRCTL];
      return -1;
    }
  }
  if (option == PR_SET_CHILD_SUBREAPER && inject(F_PRCTL, caller)) return -1;
  static int (*real)(int, ...);
  if (real == NULL) real = (int (*)(int, ...))dlsym(RTLD_NEXT, "prctl");
  return real(option, a2, a3, a4, a5);
}

long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
  const void *caller = __builtin_return_address(0);
  if (number == SYS_pidfd_open && inject(F_PIDFD_OPEN, caller)) return -1;
  if (number == SYS_pidfd_send_signal) log_signal("pidfd_send_signal", caller, a[0], (int)a[1]);
  static long (*real)(long, ...);
  if (real == NULL) real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
  return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int signalfd(int fd, const sigset_t *mask, int flags) {
  if (inject(F_SIGNALFD, __builtin_return_address(0))) return -1;
  static int (*real)(int, const sigset_t *, int);
  if (real == NULL) real = (int (*)(int, const sigset_t *, int))dlsym(RTLD_NEXT, "signalfd");
  return real(fd, mask, flags);
}

int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options) {
  // Under scripts/asan.sh, ASan's waitid interceptor calls us on behalf of
  // pid1.node: in a node process nothing else calls waitid (libuv uses
  // waitpid).
  const void *caller = __builtin_return_address(0);
  Dl_info where;
  if (dladdr(caller, &where) && where.dli_fname && strstr(where.dli_fname, "libasan") && fault_errno[F_WAITID] != 0) {
    parse();
    if (fault_left[F_WAITID] != 0) {
      if (fault_left[F_WAITID] > 0) fault_left[F_WAITID]--;
      errno = fault_errno[F_WAITID];
      return -1;
    }
  }
  if (inject(F_WAITID, caller)) return -1;
  static int (*real)(idtype_t, id_t, siginfo_t *, int);
  if (real == NULL) real = (int (*)(idtype_t, id_t, siginfo_t *, int))dlsym(RTLD_NEXT, "waitid");
  return real(idtype, id, info, options);
}

pid_t fork(void) {
  if (inject(F_FORK, __builtin_return_address(0))) return -1;
  static pid_t (*real)(void);
  if (real == NULL) real = (pid_t (*)(void))dlsym(RTLD_NEXT, "fork");
  return real();
}

int kill(pid_t pid, int sig) {
  log_signal("kill", __builtin_return_address(0), pid, sig);
  static int (*real)(pid_t, int);
  if (real == NULL) real = (int (*)(pid_t, int))dlsym(RTLD_NEXT, "kill");
  return real(pid, sig);
}
