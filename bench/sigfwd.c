// Signal forwarding, run as the init's only child inside a fresh PID
// namespace. Prints one JSON line.
//
//   sigfwd -c COUNT [-i INTERVAL_US] [-g GRACE_MS] [-o FILE]
//
// A sender process (our child, in its own process group so that inits that
// forward to the whole group don't hit it) sends COUNT SIGUSR1 to PID 1 with
// sigqueue(), one every INTERVAL_US on an absolute schedule, or back to back
// when INTERVAL_US is 0. Before each send it stores the CLOCK_MONOTONIC time
// and the sequence number in shared memory. The init forwards to us; our
// SA_SIGINFO handler stores the receive time and the newest sequence number
// sent so far.
//
// The init forwards with kill(), so sigqueue's value does not survive, and
// standard signals coalesce while pending. Latency is therefore matched two
// ways: when every signal arrived, the k-th receipt belongs to the k-th send
// ("order"); otherwise each receipt is charged to the newest send before it
// ("newest"), a lower bound, since a coalesced signal can't be told apart.
#include "bench.h"

#include <getopt.h>
#include <sys/mman.h>
#include <sys/wait.h>

struct shared {
  uint32_t sent;  // sends done so far, written before each sigqueue
  uint64_t send_ns[];
};

static struct shared *sh;
static uint64_t *recv_ns;
static uint32_t *recv_seen;
static long recv_cap;
static volatile sig_atomic_t nrecv, from_other;

static void on_usr1(int sig, siginfo_t *si, void *uc) {
  (void)sig;
  (void)uc;
  long k = nrecv;
  if (k < recv_cap) {
    // Load before reading the clock, so the matched send can't be later.
    recv_seen[k] = __atomic_load_n(&sh->sent, __ATOMIC_ACQUIRE);
    recv_ns[k] = now_ns();
  }
  if (si->si_pid != 1) from_other = from_other + 1;
  nrecv = k + 1;
}

static void sender(long count, long interval_us) {
  setpgid(0, 0);
  signal(SIGUSR1, SIG_IGN);
  uint64_t start = now_ns() + 1000000;  // 1 ms to let the parent settle
  for (long i = 0; i < count; i++) {
    if (interval_us > 0) {
      uint64_t at = start + (uint64_t)i * (uint64_t)interval_us * 1000u;
      struct timespec ts = {(time_t)(at / 1000000000u), (long)(at % 1000000000u)};
      while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
    }
    sh->send_ns[i] = now_ns();
    __atomic_store_n(&sh->sent, (uint32_t)(i + 1), __ATOMIC_RELEASE);
    union sigval v = {.sival_int = (int)i};
    if (sigqueue(1, SIGUSR1, v) < 0) die("sigqueue(1, SIGUSR1)");
  }
  _exit(0);
}

int main(int argc, char **argv) {
  long count = 1000, interval_us = 1000, grace_ms = 200;
  const char *out_path = NULL;
  int c;
  while ((c = getopt(argc, argv, "c:i:g:o:")) != -1) {
    switch (c) {
      case 'c': count = atol(optarg); break;
      case 'i': interval_us = atol(optarg); break;
      case 'g': grace_ms = atol(optarg); break;
      case 'o': out_path = optarg; break;
      default:
        fprintf(stderr, "usage: sigfwd -c COUNT [-i INTERVAL_US] [-g GRACE_MS] [-o FILE]\n");
        return 64;
    }
  }
  if (count < 1 || interval_us < 0) return 64;
  tight_timers();
  sh = mmap(NULL, sizeof *sh + (size_t)count * sizeof(uint64_t), PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (sh == MAP_FAILED) die("mmap");
  recv_cap = count;
  recv_ns = calloc((size_t)count, sizeof *recv_ns);
  recv_seen = calloc((size_t)count, sizeof *recv_seen);
  uint64_t *lat = calloc((size_t)count, sizeof *lat);
  if (!recv_ns || !recv_seen || !lat) die("calloc");

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr1;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGUSR1, &sa, NULL) < 0) die("sigaction");

  await_idle_init();
  struct init_cpu cpu0 = read_init_cpu();
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) sender(count, interval_us);
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) die("waitpid");
  }
  uint64_t send_span = sh->sent ? sh->send_ns[sh->sent - 1] - sh->send_ns[0] : 0;
  for (long ms = 0; ms < grace_ms; ms++) nap_ns(1000000);  // late forwards
  struct init_cpu cpu1 = read_init_cpu();

  long got = nrecv < recv_cap ? nrecv : recv_cap;
  int by_order = got == count;
  long nlat = 0;
  for (long k = 0; k < got; k++) {
    long s = by_order ? k : (long)recv_seen[k] - 1;
    if (s < 0) continue;  // cannot happen: the sender counts before it sends
    lat[nlat++] = recv_ns[k] - sh->send_ns[s];
  }
  qsort(lat, (size_t)nlat, sizeof *lat, cmp_u64);
  uint64_t cpu_ns = cpu1.sched_ns - cpu0.sched_ns;
  FILE *out = result_stream(out_path);
  fprintf(out, "{\"count\":%ld,\"interval_us\":%ld,\"sent\":%u,\"received\":%ld,\"lost\":%ld,\"not_from_init\":%d,"
         "\"match\":\"%s\",\"p50_ns\":%llu,\"p99_ns\":%llu,\"max_ns\":%llu,\"send_span_ns\":%llu,"
         "\"init_cpu_ns\":%llu,\"cpu_per_signal_ns\":%.1f,\"sender_status\":%d}\n",
         count, interval_us, sh->sent, (long)nrecv, (long)sh->sent - (long)nrecv, (int)from_other,
         by_order ? "order" : "newest", (unsigned long long)pct(lat, (size_t)nlat, 50),
         (unsigned long long)pct(lat, (size_t)nlat, 99), (unsigned long long)(nlat ? lat[nlat - 1] : 0),
         (unsigned long long)send_span, (unsigned long long)cpu_ns, (double)cpu_ns / (double)count, status);
  if (fclose(out) != 0) die("write result");
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 3;
}
