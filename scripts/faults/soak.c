// The workload of scripts/soak.js, run as the only child of an init (the
// pid1 command, or a Node app that called init()) as PID 1 of a fresh PID
// namespace. Prints one JSON line.
//
//   soak ORPHANS WAVE SIGNALS SIGNO WINDOW
//
// Orphans: in waves of WAVE, a middle process forks WAVE children that exit
// at once and then exits itself, so the children (alive or zombie) are
// reparented to PID 1. Before the next wave, every orphan of the wave must be
// gone (kill(pid, 0) == ESRCH): the init reaped it. An orphan never reaped
// hangs the run (soak.js has a timeout) instead of going unnoticed.
//
// Signals: a sender child sends SIGNALS real-time signals SIGNO to PID 1,
// which forwards each to us; real-time signals queue, so every delivery is
// one forwarded signal. We count those whose sender is PID 1 (forwarded, not
// sent to us directly) with sigwaitinfo. The sender keeps at most WINDOW in
// flight (a shared counter), under RLIMIT_SIGPENDING.
//
// RSS of PID 1 is sampled at the start, at each quarter, and at the end.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
  fprintf(stderr, "soak: %s: %s\n", what, strerror(errno));
  exit(2);
}

static long rss_kb(void) {
  FILE *f = fopen("/proc/1/status", "r");
  if (f == NULL) return -1;
  char line[256];
  long kb = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
  fclose(f);
  return kb;
}

static void nap_us(long us) {
  struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
  nanosleep(&ts, NULL);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long rss[16];
static int nrss;

static void orphans(long total, long wave) {
  pid_t *pids = calloc((size_t)wave, sizeof *pids);
  long done = 0, next_sample = total / 4;
  while (done < total) {
    long n = total - done < wave ? total - done : wave;
    int report[2];
    if (pipe(report) < 0) die("pipe");
    pid_t middle = fork();
    if (middle < 0) die("fork middle");
    if (middle == 0) {
      close(report[0]);
      for (long i = 0; i < n; i++) {
        pid_t pid;
        while ((pid = fork()) < 0 && errno == EAGAIN) nap_us(1000);
        if (pid < 0) die("fork orphan");
        if (pid == 0) _exit(0);
        if (write(report[1], &pid, sizeof pid) != sizeof pid) die("write");
      }
      _exit(0);  // its children, exited or not, go to PID 1
    }
    close(report[1]);
    long got = 0;
    ssize_t r;
    while (got < n && (r = read(report[0], &pids[got], sizeof(pid_t))) == sizeof(pid_t)) got++;
    close(report[0]);
    while (waitpid(middle, NULL, 0) < 0 && errno == EINTR) {}
    if (got != n) die("short wave");
    for (long i = 0; i < n; i++)
      while (kill(pids[i], 0) == 0) nap_us(200);  // still there: not reaped yet
    done += n;
    if (done >= next_sample && nrss < 15) {
      rss[nrss++] = rss_kb();
      next_sample += total / 4;
    }
  }
  free(pids);
}

static long forwarded(long total, int signo, long window) {
  volatile long *received = mmap(NULL, sizeof(long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (received == MAP_FAILED) die("mmap");
  *received = 0;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signo);
  sigprocmask(SIG_BLOCK, &set, NULL);
  pid_t sender = fork();
  if (sender < 0) die("fork sender");
  if (sender == 0) {
    for (long sent = 0; sent < total;) {
      if (sent - __atomic_load_n(received, __ATOMIC_ACQUIRE) >= window) {
        nap_us(50);
        continue;
      }
      if (kill(1, signo) == 0) sent++;
      else if (errno == EAGAIN) nap_us(100);
      else die("kill 1");
    }
    _exit(0);
  }
  long count = 0, foreign = 0, next_sample = total / 4;
  while (count < total) {
    siginfo_t info;
    struct timespec timeout = {30, 0};
    int sig = sigtimedwait(&set, &info, &timeout);
    if (sig < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;  // 30 s without a signal: some were lost
      die("sigtimedwait");
    }
    if (info.si_pid == 1) {
      count++;
      __atomic_store_n(received, count, __ATOMIC_RELEASE);
    } else {
      foreign++;
    }
    if (count >= next_sample && nrss < 15) {
      rss[nrss++] = rss_kb();
      next_sample += total / 4;
    }
  }
  kill(sender, SIGKILL);
  while (waitpid(sender, NULL, 0) < 0 && errno == EINTR) {}
  if (foreign != 0) fprintf(stderr, "soak: %ld signals not from PID 1\n", foreign);
  return count;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: soak ORPHANS WAVE SIGNALS SIGNO WINDOW\n");
    return 2;
  }
  long n_orphans = atol(argv[1]), wave = atol(argv[2]), n_signals = atol(argv[3]), window = atol(argv[5]);
  int signo = atoi(argv[4]);
  rss[nrss++] = rss_kb();
  double t0 = now_s();
  orphans(n_orphans, wave);
  double t1 = now_s();
  long received = forwarded(n_signals, signo, window);
  double t2 = now_s();
  rss[nrss++] = rss_kb();
  printf("{\"orphans\":%ld,\"orphanSeconds\":%.2f,\"signalsSent\":%ld,\"signalsReceived\":%ld,\"signalSeconds\":%.2f,\"rssKb\":[", n_orphans, t1 - t0, n_signals, received, t2 - t1);
  for (int i = 0; i < nrss; i++) printf("%s%ld", i ? "," : "", rss[i]);
  printf("]}\n");
  return received == n_signals ? 0 : 1;
}
