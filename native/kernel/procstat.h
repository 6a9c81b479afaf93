// What /proc says about one process, and the children of this one. Plain
// C++: functions return 0 or -errno. Used off the JS thread: no allocation
// beyond the caller's vectors, no locks.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace pid1 {

struct ProcStat {
  char state = '?';
  pid_t ppid = 0;
  pid_t pgrp = 0;
  uint64_t start_ticks = 0;  // start time in clock ticks since boot: with the pid, one process
};

// Parses /proc/PID/stat. -ENOENT when the process is gone.
int ReadProcStat(pid_t pid, ProcStat* out);

// The direct children of this process, every thread's, from
// /proc/self/task/*/children. proc(5) warns that the lists may skip entries
// while the tree changes: a hint, never the only source.
int ReadOwnChildren(std::vector<pid_t>* out);
// The same for one thread of this process: -ENOENT once it has exited.
int ReadChildrenOf(pid_t tid, std::vector<pid_t>* out);

}  // namespace pid1
