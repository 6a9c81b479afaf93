// The orphan storm, run as the init's only child inside a fresh PID
// namespace. Prints one JSON line.
//
//   storm -n N [-b BURST] [-w WAVE] [-l LIVE] [-t TIMEOUT_MS] [-o FILE]
//
// N orphans are made in waves of at most WAVE processes. For each wave,
// WAVE/BURST middle processes each fork BURST children that block on a pipe
// only their middle holds. Once every child of the wave exists (and has a
// pidfd here), closing one "go" pipe makes every middle exit at once: the
// children are re-parented to PID 1 in the same instant, see EOF on their
// pipe and exit. The drain time of a wave runs from that close until every
// pidfd of the wave says the process has been reaped. Forking is left out of
// the timing because it costs the same whatever the init; the init can't
// reap anything before the release since the children aren't its own.
//
// LIVE > 0 first makes LIVE sleepers that the init adopts (their parent
// exits) and that stay alive during all waves, to see whether the cost per
// reap grows with the number of children the init has. They are released
// and drained at the end, timed separately.
#include "bench.h"

#include <getopt.h>
#include <sys/mman.h>
#include <sys/wait.h>

static long opt_n = 1000, opt_burst = 500, opt_wave = 5000, opt_live = 0, opt_timeout_ms = 60000;
static const char *opt_out;

static void read_byte(int fd) {
  char c;
  while (read(fd, &c, 1) < 0 && errno == EINTR) {}
}

// fork() that rides out a short EAGAIN while the init catches up.
static pid_t fork_retry(void) {
  for (int tries = 0;; tries++) {
    pid_t pid = fork();
    if (pid >= 0 || errno != EAGAIN || tries == 2000) return pid;
    nap_ns(1000000);
  }
}

// A middle process: forks `count` children that wait for it to die, tells
// the main process they exist, then waits for "go" and exits.
static void middle(long count, pid_t *slots, int go_r, int ready_w) {
  int rel[2];
  if (pipe(rel) < 0) die("pipe");
  for (long i = 0; i < count; i++) {
    pid_t pid = fork_retry();
    if (pid < 0) die("fork (orphan)");
    if (pid == 0) {
      close(rel[1]);
      close(go_r);
      close(ready_w);
      read_byte(rel[0]);  // EOF when the middle exits
      _exit(0);
    }
    slots[i] = pid;
  }
  if (write(ready_w, "r", 1) != 1) die("write ready");
  read_byte(go_r);
  _exit(0);
}

// Waits until every pidfd reports a reaped process; returns how many are
// still there at the deadline. Closes the fds.
static long wait_reaped(int *fds, long n, uint64_t deadline) {
  long i = 0;
  for (; i < n; i++) {
    while (pidfd_alive(fds[i])) {
      if (now_ns() > deadline) goto timeout;
      nap_ns(20000);
    }
    close(fds[i]);
  }
  return 0;
timeout:;
  long left = 0;
  for (; i < n; i++) {
    if (pidfd_alive(fds[i])) left++;
    close(fds[i]);
  }
  return left;
}

// Makes `count` sleepers whose parent exits, so that PID 1 adopts them.
// They exit when hold_w (kept by the caller) is closed.
static void make_live(long count, pid_t *slots, int *hold_w) {
  int hold[2], ready[2];
  if (pipe(hold) < 0 || pipe(ready) < 0) die("pipe");
  pid_t keeper = fork();
  if (keeper < 0) die("fork (keeper)");
  if (keeper == 0) {
    close(hold[1]);
    close(ready[0]);
    for (long i = 0; i < count; i++) {
      pid_t pid = fork_retry();
      if (pid < 0) die("fork (sleeper)");
      if (pid == 0) {
        close(ready[1]);
        read_byte(hold[0]);
        _exit(0);
      }
      slots[i] = pid;
    }
    if (write(ready[1], "r", 1) != 1) die("write ready");
    _exit(0);
  }
  close(hold[0]);
  close(ready[1]);
  read_byte(ready[0]);
  close(ready[0]);
  if (waitpid(keeper, NULL, 0) < 0) die("waitpid (keeper)");
  *hold_w = hold[1];
}

static void usage(void) {
  fprintf(stderr, "usage: storm -n N [-b BURST] [-w WAVE] [-l LIVE] [-t TIMEOUT_MS] [-o FILE]\n");
  exit(64);
}

int main(int argc, char **argv) {
  int c;
  while ((c = getopt(argc, argv, "n:b:w:l:t:o:")) != -1) {
    switch (c) {
      case 'n': opt_n = atol(optarg); break;
      case 'b': opt_burst = atol(optarg); break;
      case 'w': opt_wave = atol(optarg); break;
      case 'l': opt_live = atol(optarg); break;
      case 't': opt_timeout_ms = atol(optarg); break;
      case 'o': opt_out = optarg; break;
      default: usage();
    }
  }
  if (opt_n < 0 || opt_burst < 1 || opt_wave < 1 || opt_live < 0) usage();
  if (opt_wave < opt_burst) opt_wave = opt_burst;
  tight_timers();
  long wave_cap = opt_wave < opt_n ? opt_wave : opt_n;
  raise_nofile((rlim_t)(wave_cap > opt_live ? wave_cap : opt_live) + 256);

  size_t slots_len = (size_t)(wave_cap > 0 ? wave_cap : 1) * sizeof(pid_t);
  pid_t *slots = mmap(NULL, slots_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (slots == MAP_FAILED) die("mmap");
  int *fds = calloc((size_t)(wave_cap > opt_live ? wave_cap : opt_live) + 1, sizeof(int));
  pid_t *mids = calloc((size_t)(wave_cap / opt_burst) + 2, sizeof(pid_t));
  if (!fds || !mids) die("calloc");

  int hold_w = -1;
  pid_t *live_slots = NULL;
  if (opt_live > 0) {
    live_slots = mmap(NULL, (size_t)opt_live * sizeof(pid_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (live_slots == MAP_FAILED) die("mmap");
    make_live(opt_live, live_slots, &hold_w);
  }

  uint64_t deadline_ns = (uint64_t)opt_timeout_ms * 1000000u;
  uint64_t drain_ns = 0, max_wave_ns = 0;
  long done = 0, waves = 0, unreaped = 0;
  await_idle_init();
  struct init_cpu cpu0 = read_init_cpu();
  while (done < opt_n && unreaped == 0) {
    long wn = opt_n - done < wave_cap ? opt_n - done : wave_cap;
    long nmid = (wn + opt_burst - 1) / opt_burst;
    int go[2], ready[2];
    if (pipe(go) < 0 || pipe(ready) < 0) die("pipe");
    for (long m = 0; m < nmid; m++) {
      long count = wn - m * opt_burst < opt_burst ? wn - m * opt_burst : opt_burst;
      pid_t pid = fork_retry();
      if (pid < 0) die("fork (middle)");
      if (pid == 0) {
        close(go[1]);
        close(ready[0]);
        if (hold_w >= 0) close(hold_w);
        middle(count, slots + m * opt_burst, go[0], ready[1]);
      }
      mids[m] = pid;
    }
    close(go[0]);
    close(ready[1]);
    for (long m = 0; m < nmid; m++) {
      char b;
      ssize_t r;
      while ((r = read(ready[0], &b, 1)) < 0 && errno == EINTR) {}
      if (r != 1) {
        fprintf(stderr, "storm: a middle process died before its children were ready\n");
        return 2;
      }
    }
    close(ready[0]);
    // Safe: the children are alive and blocked, and can't be reaped by
    // anyone while their middle lives, so each pid is still theirs.
    for (long i = 0; i < wn; i++) {
      fds[i] = pidfd_open_(slots[i]);
      if (fds[i] < 0) die("pidfd_open");
    }
    uint64_t t0 = now_ns();
    close(go[1]);
    unreaped = wait_reaped(fds, wn, t0 + deadline_ns);
    uint64_t dt = now_ns() - t0;
    drain_ns += dt;
    if (dt > max_wave_ns) max_wave_ns = dt;
    for (long m = 0; m < nmid; m++) waitpid(mids[m], NULL, 0);
    done += wn;
    waves++;
  }
  struct init_cpu cpu1 = read_init_cpu();

  uint64_t live_drain_ns = 0, live_cpu_ns = 0;
  long live_unreaped = 0;
  if (opt_live > 0) {
    for (long i = 0; i < opt_live; i++) {
      fds[i] = pidfd_open_(live_slots[i]);
      if (fds[i] < 0) die("pidfd_open (sleeper)");
    }
    struct init_cpu l0 = read_init_cpu();
    uint64_t t0 = now_ns();
    close(hold_w);
    live_unreaped = wait_reaped(fds, opt_live, t0 + deadline_ns);
    live_drain_ns = now_ns() - t0;
    live_cpu_ns = read_init_cpu().sched_ns - l0.sched_ns;
  }

  int zombies = count_zombies();
  uint64_t cpu_ns = cpu1.sched_ns - cpu0.sched_ns;
  FILE *out = result_stream(opt_out);
  fprintf(out, "{\"n\":%ld,\"burst\":%ld,\"wave\":%ld,\"waves\":%ld,\"live\":%ld,"
         "\"drain_ns\":%llu,\"max_wave_drain_ns\":%llu,\"init_cpu_ns\":%llu,\"init_cpu_ticks\":%llu,"
         "\"cpu_per_reap_ns\":%.1f,\"unreaped\":%ld,\"zombies_left\":%d,"
         "\"live_drain_ns\":%llu,\"live_cpu_ns\":%llu,\"live_unreaped\":%ld,"
         "\"init_hwm_kb\":%ld,\"init_rss_kb\":%ld,\"init_threads\":%ld}\n",
         opt_n, opt_burst, wave_cap, waves, opt_live, (unsigned long long)drain_ns,
         (unsigned long long)max_wave_ns, (unsigned long long)cpu_ns,
         (unsigned long long)(cpu1.ticks - cpu0.ticks), done ? (double)cpu_ns / (double)done : 0.0, unreaped,
         zombies, (unsigned long long)live_drain_ns, (unsigned long long)live_cpu_ns, live_unreaped,
         status_kb("/proc/1/status", "VmHWM"), status_kb("/proc/1/status", "VmRSS"),
         status_kb("/proc/1/status", "Threads"));
  if (fclose(out) != 0) die("write result");
  return unreaped || live_unreaped || zombies ? 3 : 0;
}
