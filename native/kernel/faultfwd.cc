#include "kernel/faultfwd.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pid1 {
namespace {

int write_fd = -1;
struct sigaction previous[NSIG];

// kill(), sigqueue() and tgkill() from another process. The kernel's own
// signals (a fault, a seccomp trap) have si_code > 0. A signal pid1 sends
// itself is its own business: abort() after a failed CHECK, V8's profiler.
bool SentByAnotherProcess(const siginfo_t* info) {
  if (info == nullptr) return false;
  bool sent = info->si_code == SI_USER || info->si_code == SI_QUEUE || info->si_code == SI_TKILL;
  return sent && info->si_pid != getpid();
}

// Returning from the handler runs the faulting instruction again, which
// faults again, now with the default action: the core shows the real fault.
// A trap (int3), a seccomp SIGSYS or a raised signal does not come back.
bool FaultsAgain(int signal, const siginfo_t* info) {
  if (info == nullptr || info->si_code <= 0) return false;
  return signal == SIGSEGV || signal == SIGBUS || signal == SIGILL || signal == SIGFPE;
}

// Any thread but the reaper's (which blocks everything). Async-signal-safe
// calls only: write, getpid, sigaction, raise.
void OnFault(int signal, siginfo_t* info, void* context) {
  int saved_errno = errno;
  if (SentByAnotherProcess(info)) {
    FaultRequest request = {signal, info->si_pid, static_cast<int32_t>(info->si_uid), info->si_code};
    // One record is below PIPE_BUF, so it is written whole or not at all;
    // a full pipe drops it, as a pending standard signal coalesces anyway.
    ssize_t ignored = write(write_fd, &request, sizeof request);
    (void)ignored;
    errno = saved_errno;
    return;
  }
  const struct sigaction& before = previous[signal];
  if ((before.sa_flags & SA_SIGINFO) && before.sa_sigaction != nullptr) {
    // Node's SIGSEGV handler: a WebAssembly trap becomes an exception; any
    // other fault it turns into the default action itself.
    before.sa_sigaction(signal, info, context);
    errno = saved_errno;
    return;
  }
  if (!(before.sa_flags & SA_SIGINFO) && before.sa_handler != SIG_DFL && before.sa_handler != SIG_IGN) {
    before.sa_handler(signal);
    errno = saved_errno;
    return;
  }
  // pid1's own SIGPROF with no profiler behind: V8's sampler (node
  // --cpu-prof, installed before this handler) is chained to above; one
  // started later installs its own handler and puts this one back after, so
  // only a late tick lands here. Dying of it would be the worse default.
  if (signal == SIGPROF) {
    errno = saved_errno;
    return;
  }
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigaction(signal, &dfl, nullptr);
  // Blocked while this handler runs: delivered, with the default action,
  // as it returns.
  if (!FaultsAgain(signal, info)) raise(signal);
  errno = saved_errno;
}

}  // namespace

int FaultForwardStart(const std::vector<int>& signals, int* read_fd) {
  if (write_fd >= 0) return -EBUSY;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return -errno;
  for (int signal : signals) {
    if (signal <= 0 || signal >= NSIG || sigaction(signal, nullptr, &previous[signal]) != 0) {
      close(fds[0]);
      close(fds[1]);
      return -EINVAL;
    }
  }
  write_fd = fds[1];
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_sigaction = OnFault;
  // SA_ONSTACK: Node's handler may expect the alternate stack it set up.
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigfillset(&action.sa_mask);
  for (int signal : signals) {
    if (sigaction(signal, &action, nullptr) != 0) {
      int err = -errno;
      for (int undo : signals) sigaction(undo, &previous[undo], nullptr);
      write_fd = -1;
      close(fds[0]);
      close(fds[1]);
      return err;
    }
  }
  *read_fd = fds[0];
  return 0;
}

int FaultForwardRead(int fd, std::vector<FaultRequest>* out) {
  FaultRequest buffer[64];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN ? 0 : -errno;
    }
    if (n == 0) return 0;
    out->insert(out->end(), buffer, buffer + n / static_cast<ssize_t>(sizeof(FaultRequest)));
  }
}

}  // namespace pid1
