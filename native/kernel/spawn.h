// fork + exec for a multi-threaded parent. Everything is prepared before
// fork; the child makes only async-signal-safe calls. Plain C++: returns 0 or
// -errno.
#pragma once

#include <sys/types.h>

#include <vector>

namespace pid1 {

// A NUL-terminated string. Not std::string: its members live in libc++'s
// library and throw (docs/runtime-facts.md, 37).
using CString = std::vector<char>;

struct SpawnRequest {
  std::vector<CString> candidates;  // paths tried with execve, in order (PATH resolved)
  std::vector<CString> argv;
  std::vector<CString> env;
  CString cwd;                      // empty (or ""): the parent's
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
