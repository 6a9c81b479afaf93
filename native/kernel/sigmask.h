// Signal masks: the calling thread's (pthread_sigmask) and every thread's of
// the process. Plain C++: functions return 0 or -errno.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <vector>

namespace pid1 {

// The real-time signal that carries a mask change to another thread. It is
// never SIGUSR1 (Node's inspector) nor glibc's internal 32/33.
int CarrierSignal();

// SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK on the calling thread; any other
// `how` is the kernel's EINVAL (ProcessMask refuses it the same way, first).
int ThreadMask(int how, const sigset_t* set, sigset_t* previous);

struct ThreadMaskInfo {
  pid_t tid = 0;
  char name[16];  // /proc/self/task/TID/comm, NUL-terminated
  sigset_t blocked;
};

// Applies the change to every thread of the process, threads created while
// it runs included, and returns once each thread runs with the new mask (a
// thread applies it in the carrier handler before it acknowledges, and
// returns from the handler to the same mask). Threads that block the carrier signal and whose
// mask does not already match are listed in `skipped`, with their mask.
// `reached` counts the threads that carry the change. Threads listed in
// `ignore` (pid1's own reaper thread) are left alone. On failure
// `failed_step` names the call that failed ("pipe2", "sigaction",
// "pthread_sigmask", "opendir", "poll").
int ProcessMask(int how, const sigset_t* set, sigset_t* previous,
                const std::vector<pid_t>& ignore, int* reached,
                std::vector<ThreadMaskInfo>* skipped, const char** failed_step);

// Reads SigBlk of one thread of this process, and its name.
int ReadThreadMask(pid_t tid, ThreadMaskInfo* out);
// Reads SigBlk alone: what ProcessMask checks of every thread, twice or
// more per change (the name is read only for a thread it reports).
int ReadThreadBlocked(pid_t tid, sigset_t* blocked);

// Lists the thread ids of this process.
int ListThreads(std::vector<pid_t>* tids);

// The mask `how` would leave when applied to `current`. SIGKILL and SIGSTOP
// never count: the kernel refuses to block them.
void ApplyMask(int how, const sigset_t* set, sigset_t* current);
bool SameMask(const sigset_t* a, const sigset_t* b);

}  // namespace pid1
