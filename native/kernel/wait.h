// waitid in all its forms, and the drain that loops until nothing is left.
// Plain C++: functions return 0 or -errno.
#pragma once

#include <sys/types.h>
#include <sys/wait.h>

#include <vector>

namespace pid1 {

struct WaitResult {
  pid_t pid = 0;  // 0: nothing ready
  int exit_code = -1;  // -1 unless the child exited
  int signal = 0;      // the signal that killed or stopped it, or SIGCONT
  bool core_dumped = false;
  bool stopped = false;
  bool continued = false;
};

// waitid(idtype, id, WNOHANG | flags) where flags come from WEXITED,
// WSTOPPED, WCONTINUED, WNOWAIT. With `block`, WNOHANG is left out.
int WaitId(idtype_t idtype, id_t id, int flags, bool block, WaitResult* out);

// Reaps every zombie child: waitid(P_ALL, WEXITED | WNOHANG) until nothing
// is ready or ECHILD.
int ReapAll(std::vector<WaitResult>* out);

// Decodes a siginfo filled by waitid.
void DecodeWaitInfo(const siginfo_t& info, WaitResult* out);

}  // namespace pid1
