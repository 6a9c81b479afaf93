#include "kernel/tty.h"

#include <signal.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

namespace pid1 {

int TtyDetach(int fd) {
  struct sigaction ignore, hup, cont;
  std::memset(&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  if (sigaction(SIGHUP, &ignore, &hup) != 0) return -errno;
  if (sigaction(SIGCONT, &ignore, &cont) != 0) {
    int err = -errno;
    sigaction(SIGHUP, &hup, nullptr);
    return err;
  }
  // The kernel sends both signals from within the ioctl, so they are
  // discarded before it returns.
  int err = ioctl(fd, TIOCNOTTY) == 0 ? 0 : -errno;
  sigaction(SIGCONT, &cont, nullptr);
  sigaction(SIGHUP, &hup, nullptr);
  return err;
}

}  // namespace pid1
