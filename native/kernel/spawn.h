// fork + exec for a multi-threaded parent. Everything is prepared before
// fork; the child makes only async-signal-safe calls. Plain C++: returns 0 or
// -errno.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace pid1 {

struct SpawnRequest {
  std::vector<std::string> candidates;  // paths tried with execve, in order (PATH resolved)
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string cwd;                      // empty: the parent's
  int stdio[3] = {-1, -1, -1};          // fds dup2'ed onto 0, 1, 2; -1 inherits
  bool setsid = false;
  bool setpgid = false;                 // a new process group led by the child
  int foreground_fd = -1;               // a terminal: the child's group becomes its foreground
                                        // (with setsid: the child's controlling terminal)
  int cgroup_fd = -1;                   // a cgroup v2 cgroup.procs, open for writing: the child joins it first
};

// On failure `failed_step` names the call that failed ("execve", "chdir",
// "setsid", ...), and the failed child has been reaped already.
int Spawn(const SpawnRequest& request, pid_t* pid, const char** failed_step);

}  // namespace pid1
