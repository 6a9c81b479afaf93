// Fault signals (SIGSEGV, SIGBUS, SIGILL, ...) for the pid1 command. They
// cannot be blocked for the reaper's signalfd: a blocked synchronous fault
// kills the process. A handler tells a request from another process
// (kill, sigqueue, tgkill) from a real fault: requests are written to a pipe
// for the command to forward; a real fault goes to the handler that was
// there before (Node's WebAssembly trap handler for SIGSEGV) or gets the
// default action. Plain C++: functions return 0 or -errno.
#pragma once

#include <cstdint>
#include <vector>

namespace pid1 {

struct FaultRequest {
  int32_t signal;
  int32_t pid;   // the sender, as this process's pid namespace sees it
  int32_t uid;
  int32_t code;  // si_code
};

// Installs the handler for `signals`, once per process; *read_fd is the
// non-blocking, close-on-exec read end of the requests' pipe.
int FaultForwardStart(const std::vector<int>& signals, int* read_fd);

// Appends every request queued in the pipe to `out`.
int FaultForwardRead(int fd, std::vector<FaultRequest>* out);

}  // namespace pid1
