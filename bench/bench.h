// Shared by the bench workloads: a clock, pidfd syscalls, and what can be
// read about PID 1 (the init under test) from inside its namespace.
// Header-only so that each workload builds from one `cc` line.
#ifndef PID1_BENCH_H
#define PID1_BENCH_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void die(const char *what) {
  fprintf(stderr, "%s: %s\n", what, strerror(errno));
  exit(2);
}

// The default 50 us timer slack would swamp the short naps of the pollers
// and the 1 ms pacing of the signal sender.
static inline void tight_timers(void) { prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); }

static inline void nap_ns(long ns) {
  struct timespec ts = {0, ns};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

static inline int pidfd_open_(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

// Signal 0 through a pidfd fails with ESRCH once the process has been
// reaped (release_task detaches the struct pid), but succeeds while it is
// alive or a zombie. Unlike kill(pid, 0) this cannot be fooled by PID reuse,
// and pid_max is only 32768 on some machines.
static inline int pidfd_alive(int fd) { return syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) == 0; }

// Raise the open-file limit as far as allowed: a wave holds one pidfd per
// orphan.
static inline void raise_nofile(rlim_t want) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return;
  if (rl.rlim_max < want) {
    struct rlimit up = {want, want};
    if (setrlimit(RLIMIT_NOFILE, &up) == 0) return;
  }
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
}

// Text after the last ')' of /proc/PID/stat: the command name may hold
// spaces and parentheses.
static inline char *stat_tail(const char *path, char *buf, size_t len) {
  FILE *f = fopen(path, "re");
  if (!f) return NULL;
  size_t n = fread(buf, 1, len - 1, f);
  fclose(f);
  buf[n] = '\0';
  char *p = strrchr(buf, ')');
  return p ? p + 2 : NULL;
}

// CPU used by the init so far. sched_ns sums field 1 of every thread's
// schedstat (ns on CPU, exact) because Node inits have several threads;
// ticks is utime+stime of /proc/1/stat (whole process, 10 ms resolution),
// kept as a cross-check.
struct init_cpu {
  uint64_t sched_ns;
  uint64_t ticks;
};

static inline struct init_cpu read_init_cpu(void) {
  struct init_cpu c = {0, 0};
  char path[300], buf[512];
  DIR *d = opendir("/proc/1/task");
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      snprintf(path, sizeof path, "/proc/1/task/%s/schedstat", e->d_name);
      FILE *f = fopen(path, "re");
      if (!f) continue;  // the thread ended between readdir and open
      unsigned long long ns = 0;
      if (fscanf(f, "%llu", &ns) == 1) c.sched_ns += ns;
      fclose(f);
    }
    closedir(d);
  }
  char *t = stat_tail("/proc/1/stat", buf, sizeof buf);
  if (t) {
    unsigned long long ut = 0, st = 0;
    // state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    if (sscanf(t, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2) c.ticks = ut + st;
  }
  return c;
}

// Waits until the init has used no CPU for 10 ms (at most 2 s), so that
// what it does at its own start (Node's bootstrap finishing after the
// child runs, for a Node init) is not charged to the events measured next:
// start-up has its own table. The same wait for every init.
static inline void await_idle_init(void) {
  uint64_t last = read_init_cpu().sched_ns;
  for (int i = 0; i < 200; i++) {
    nap_ns(10000000);
    uint64_t now = read_init_cpu().sched_ns;
    if (now == last) return;
    last = now;
  }
}

// A "Key:   123 kB" line of /proc/PID/status, in kB; -1 when absent.
static inline long status_kb(const char *path, const char *key) {
  FILE *f = fopen(path, "re");
  if (!f) return -1;
  char line[256];
  size_t klen = strlen(key);
  long v = -1;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
      v = strtol(line + klen + 1, NULL, 10);
      break;
    }
  }
  fclose(f);
  return v;
}

// Zombies in this PID namespace (/proc is the namespace's own, from
// unshare --mount-proc).
static inline int count_zombies(void) {
  int z = 0;
  char path[300], buf[512];
  DIR *d = opendir("/proc");
  if (!d) return -1;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    char *t = stat_tail(path, buf, sizeof buf);
    if (t && *t == 'Z') z++;
  }
  closedir(d);
  return z;
}

// Where a workload prints its JSON line: the file named by -o, else stdout.
// The file keeps results apart from whatever the init prints, and works
// even under an init that does not pass its stdio on to the child.
static inline FILE *result_stream(const char *path) {
  if (!path) return stdout;
  FILE *f = fopen(path, "we");
  if (!f) die(path);
  return f;
}

static inline int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

// Nearest-rank percentile of a sorted array.
static inline uint64_t pct(const uint64_t *v, size_t n, double p) {
  if (n == 0) return 0;
  size_t k = (size_t)(p / 100.0 * (double)n + 0.999999);
  if (k < 1) k = 1;
  if (k > n) k = n;
  return v[k - 1];
}

#endif
