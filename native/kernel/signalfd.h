// signalfd: open on a set, read every queued siginfo without blocking.
// Plain C++: functions return 0 or -errno.
#pragma once

#include <signal.h>
#include <sys/signalfd.h>

#include <vector>

namespace pid1 {

// A non-blocking, close-on-exec signalfd for `set`.
int SignalFdOpen(const sigset_t* set, int* fd);

// Appends every queued siginfo to `out` until the fd is empty.
int SignalFdRead(int fd, std::vector<signalfd_siginfo>* out);

}  // namespace pid1
