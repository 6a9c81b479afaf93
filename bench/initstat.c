// Prints PID 1's memory as one JSON line: run as the init's child, it shows
// the init's peak (VmHWM) and current resident set once the init has
// started its child, the moment `INIT -- true` would exit.
//
//   initstat [FILE]     (stdout without FILE)
#include "bench.h"

int main(int argc, char **argv) {
  FILE *out = result_stream(argc > 1 ? argv[1] : NULL);
  fprintf(out, "{\"init_hwm_kb\":%ld,\"init_rss_kb\":%ld,\"init_threads\":%ld,\"self_pid\":%d}\n",
         status_kb("/proc/1/status", "VmHWM"), status_kb("/proc/1/status", "VmRSS"),
         status_kb("/proc/1/status", "Threads"), (int)getpid());
  return fclose(out) == 0 ? 0 : 2;
}
