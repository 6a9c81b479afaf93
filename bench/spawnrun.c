// Runs one command and prints its wall time and resource use as one JSON
// line: the timing loop's unit, so that the harness's own spawn cost stays
// outside the measurement.
//
//   spawnrun CMD [ARGS...]
//
// maxrss_kb comes from wait4(): the largest resident set among the command
// and the descendants it waited for (the kernel folds waited children's
// peaks into their parent's), so for `unshare ... INIT -- true` it is the
// largest of unshare, the init and true. end_ns is CLOCK_MONOTONIC when
// wait4() returned: the clock Node's process.hrtime() reads, so that a node
// process can say how long it took from its first line to its end
// (bench/marks.js).
#include "bench.h"

#include <fcntl.h>
#include <sys/wait.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: spawnrun CMD [ARGS...]\n");
    return 64;
  }
  int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (devnull < 0) die("open /dev/null");
  uint64_t t0 = now_ns();
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    dup2(devnull, 1);
    execvp(argv[1], argv + 1);
    _exit(127);
  }
  int status;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) die("wait4");
  }
  uint64_t end = now_ns();
  uint64_t wall = end - t0;
  printf("{\"wall_ns\":%llu,\"end_ns\":%llu,\"exit_code\":%d,\"signal\":%d,\"maxrss_kb\":%ld,\"utime_us\":%lld,\"stime_us\":%lld}\n",
         (unsigned long long)wall, (unsigned long long)end, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
         WIFSIGNALED(status) ? WTERMSIG(status) : 0, ru.ru_maxrss,
         (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
         (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec);
  return 0;
}
