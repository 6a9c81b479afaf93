#include "kernel/pidfd.h"

#include <poll.h>

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

// Older libc headers lack the numbers; they are the same on every
// architecture that uses the generic syscall table, x86_64 included.
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

namespace pid1 {

int PidfdOpen(pid_t pid, int* fd) {
  // The kernel always sets O_CLOEXEC on a pidfd.
  long result = syscall(SYS_pidfd_open, pid, 0);
  if (result < 0) return -errno;
  *fd = static_cast<int>(result);
  return 0;
}

int PidfdSendSignal(int fd, int signal) {
  return syscall(SYS_pidfd_send_signal, fd, signal, nullptr, 0) == 0 ? 0 : -errno;
}

int Kill(pid_t pid, int signal) { return kill(pid, signal) == 0 ? 0 : -errno; }

int PidfdExited(int fd, bool* exited) {
  struct pollfd entry = {fd, POLLIN, 0};
  int n;
  do {
    n = poll(&entry, 1, 0);  // a look, not a wait
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  *exited = n > 0 && (entry.revents & (POLLIN | POLLHUP)) != 0;
  return 0;
}

}  // namespace pid1
