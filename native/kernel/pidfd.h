// pidfd_open and pidfd_send_signal (Linux 5.3 and 5.1). Plain C++: functions
// return 0 or -errno; -ENOSYS when the kernel lacks them.
#pragma once

#include <sys/types.h>

namespace pid1 {

int PidfdOpen(pid_t pid, int* fd);
int PidfdSendSignal(int fd, int signal);
// Whether the process behind `fd` has exited, without waiting (a pidfd is
// readable from its exit on).
int PidfdExited(int fd, bool* exited);
int Kill(pid_t pid, int signal);

}  // namespace pid1
