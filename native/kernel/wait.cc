#include "kernel/wait.h"

#include <signal.h>

#include <cerrno>
#include <cstring>

namespace pid1 {

void DecodeWaitInfo(const siginfo_t& info, WaitResult* out) {
  *out = WaitResult();
  out->pid = info.si_pid;
  switch (info.si_code) {
    case CLD_EXITED:
      out->exit_code = info.si_status;
      break;
    case CLD_DUMPED:
      out->core_dumped = true;
      out->signal = info.si_status;
      break;
    case CLD_KILLED:
      out->signal = info.si_status;
      break;
    case CLD_STOPPED:
    case CLD_TRAPPED:
      out->stopped = true;
      out->signal = info.si_status;
      break;
    case CLD_CONTINUED:
      out->continued = true;
      out->signal = SIGCONT;
      break;
    default:
      break;
  }
}

int WaitId(idtype_t idtype, id_t id, int flags, bool block, WaitResult* out) {
  siginfo_t info;
  for (;;) {
    std::memset(&info, 0, sizeof info);
    if (waitid(idtype, id, &info, flags | (block ? 0 : WNOHANG)) == 0) break;
    if (errno != EINTR) return -errno;
  }
  if (info.si_pid == 0) {
    *out = WaitResult();
    return 0;
  }
  DecodeWaitInfo(info, out);
  return 0;
}

int ReapAll(std::vector<WaitResult>* out) {
  for (;;) {
    WaitResult result;
    int err = WaitId(P_ALL, 0, WEXITED, false, &result);
    if (err == -ECHILD) return 0;
    if (err != 0) return err;
    if (result.pid == 0) return 0;
    out->push_back(result);
  }
}

}  // namespace pid1
