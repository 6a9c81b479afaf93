#include "kernel/signalfd.h"

#include <unistd.h>

#include <cerrno>

namespace pid1 {

int SignalFdOpen(const sigset_t* set, int* fd) {
  int result = signalfd(-1, set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (result < 0) return -errno;
  *fd = result;
  return 0;
}

int SignalFdRead(int fd, std::vector<signalfd_siginfo>* out) {
  signalfd_siginfo batch[32];
  for (;;) {
    ssize_t n = read(fd, batch, sizeof batch);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return 0;
      return -errno;
    }
    if (n == 0) return 0;
    size_t count = static_cast<size_t>(n) / sizeof(signalfd_siginfo);
    out->insert(out->end(), batch, batch + count);
    if (count < sizeof batch / sizeof batch[0]) return 0;
  }
}

}  // namespace pid1
