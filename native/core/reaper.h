// The reaper: one native thread that owns signal reception and reaping. It
// blocks in poll() on a signalfd and an eventfd, with no timeout. Plain C++:
// functions return 0 or -errno.
#pragma once

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "kernel/mutex.h"

#include "kernel/wait.h"

namespace pid1 {

// The events the thread queues for JS, kEventInts int32 each. The binding
// hands these constants to JS, so the layout is written down here only:
//   reap:   kEventReap, pid, exit code (-1: none), signal (0: none), core dumped, 0
//   signal: kEventSignal, signal, sender pid, sender uid, si_code, flags
//   error:  kEventError, errno (positive), ReaperSyscall, 0, 0, 0
constexpr int kEventInts = 6;
enum EventKind : int32_t { kEventReap = 0, kEventSignal = 1, kEventError = 2 };
// Signal flags: a JS listener was behind it (handed on); it was forwarded.
constexpr int32_t kSignalHandedOn = 1;
constexpr int32_t kSignalForwarded = 2;
// The system calls whose failure the thread reports, by index.
enum ReaperSyscall : int32_t { kSyscallPoll, kSyscallRead, kSyscallWaitid, kSyscallCount };
extern const char* const kReaperSyscallNames[kSyscallCount];

// When a signal the reaper reads is forwarded.
enum class ForwardWhen : int32_t {
  kAlways = 0,
  kListening = 1,  // only when a JS listener is behind it (else the face's policy acts)
  kNever = 2,
};

class Reaper {
 public:
  // Called on the reaper thread when the queue of events stops being empty.
  using Notify = std::function<void()>;

  // The signals in `signals` must already be blocked in every thread; SIGCHLD
  // is always among them. The thread's first act is a reap pass: zombies
  // that exist before it starts are collected without waiting for a SIGCHLD.
  // On failure `failed_step` names the call that failed ("signalfd",
  // "eventfd", "pthread_create"; "Reaper::Start" for EBUSY, already running).
  int Start(const sigset_t& signals, Notify notify, const char** failed_step);
  // Any thread but the reaper's: stops the thread after a last reap pass and
  // joins it. Events it queued stay for Take().
  void Stop();
  bool running() const { return running_; }
  pid_t tid() const { return tid_.load(); }

  // Any thread, once the reaper is stopped (else -EBUSY): one reap pass under
  // the ownership rule, every reap appended to `out`. For a face about to
  // exit: the zombies that arrived after the thread's last pass.
  int ReapWhileStopped(std::vector<int32_t>* out);

  // Any thread: moves every queued event to `out` (appended).
  void Take(std::vector<int32_t>* out);

  // Hand `signal` on to the handler Node/libuv installed, before pid1's own
  // work. Only where a plain handler is behind it (a JS listener): Node's
  // start-up SIGINT/SIGTERM handler re-raises from the calling thread.
  // SIGCHLD is always handed on (libuv's child watcher depends on it).
  void SetHandOn(int signal, bool on);

  // Forward signals to `target` (a pid, or -pgid) from the reaper thread,
  // mapped through `rewrite` (0 drops a signal). Forwarding to a pid stops
  // by itself when the reaper collects that pid, so a recycled pid is never
  // signalled. target 0 turns it off.
  void SetForward(pid_t target, pid_t leader, const std::vector<int>& rewrite);
  // Forward to every direct child instead (init()): each is checked through
  // /proc and signalled through a pidfd. A signal a terminal sent (SI_KERNEL)
  // skips the children in our own process group, which the terminal reached.
  void SetForwardChildren(bool on);
  void SetForwardWhen(int signal, ForwardWhen when);
  // Until SetForward names a target, hold the signals to forward (the child
  // may signal us, or be meant to get a signal, before its pid is known).
  void HoldForward();
  // Before Start: the read end of the fault forwarder's pipe
  // (kernel/faultfwd.h), or -1. The thread polls it with its signalfd and
  // treats each request as a signal it read there, except that it is never
  // handed on: the handler behind a fault signal is the forwarder's own.
  // The fd stays the caller's. Lasts one run.
  void SetFaultFd(int fd) { fault_fd_ = fd; }

  // Which events reach JS. With reaps off only the forwarding leader's reap
  // is reported (and every reap while forwarding is held, so the leader's
  // cannot be missed); a signal with its flag off is forwarded but not
  // reported. All on by default. Waking JS costs more than reaping.
  void SetReporting(bool all_reaps, const std::vector<int>& quiet_signals);

  // How long ago (ms) the last forward of `signal` reached the process `pid`
  // (of group `pgrp`, started at `start_ticks`), or -1 if it did not. The
  // stop path asks, so that no process gets the same signal twice.
  double SentAgoMs(int signal, pid_t pid, pid_t pgrp, uint64_t start_ticks);

 private:
  // One forward: to a pid (start_ticks 0: our own child, valid until we reap
  // it; else its start time) or to a group (-pgid), at CLOCK_BOOTTIME ns.
  struct Sent {
    pid_t id;
    uint64_t start_ticks;
    int64_t at_ns;
  };

  static void* ThreadMain(void* reaper);
  void Run();
  // A signal other than SIGCHLD, read from the signalfd or the fault pipe:
  // forwarded, handed on (may_hand_on) and queued for JS as the
  // configuration says.
  void OnSignal(const signalfd_siginfo& info, bool may_hand_on, std::vector<int32_t>* batch);
  void ReadFaults(std::vector<int32_t>* batch);
  void HandOn(const signalfd_siginfo& info);
  bool Forward(int signal, int32_t code);
  void ForwardToChildren(int signal, int32_t code, std::vector<Sent>* sent);
  void ReapPass(std::vector<int32_t>* batch);
  // Queues the reap of `result` (and ends forwarding to it if it was the leader).
  void OnReaped(const WaitResult& result, std::vector<int32_t>* batch);
  void LookPastOwned(std::vector<int32_t>* batch);
  void Publish(std::vector<int32_t>* batch);
  // Each system call's failure is reported once per run, not once per pass.
  void PushError(int err, ReaperSyscall syscall, std::vector<int32_t>* batch);

  int signal_fd_ = -1;
  int wake_fd_ = -1;
  int fault_fd_ = -1;
  pthread_t thread_{};
  sem_t started_;  // posted by the thread once tid_ is set
  Notify notify_;
  bool running_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<pid_t> tid_{0};
  std::atomic<bool> hand_on_[NSIG] = {};
  // Written by JS, read by the reaper thread: one packed word each.
  std::atomic<pid_t> forward_target_{0};
  std::atomic<pid_t> forward_leader_{0};
  std::atomic<bool> forward_children_{false};
  std::atomic<int> rewrite_[NSIG] = {};
  std::atomic<int32_t> forward_when_[NSIG] = {};
  std::atomic<bool> report_reaps_{true};
  std::atomic<bool> quiet_[NSIG] = {};
  // Signals to forward that came before SetForward named the target: the
  // reaper thread adds to them, SetForward (JS) sends them. Both change
  // under held_mutex_; holding_ is also read without it (OnReaped).
  Mutex held_mutex_;
  std::atomic<bool> holding_{false};
  std::vector<std::pair<int, int32_t>> held_;
  uint32_t reported_ = 0;                      // reaper thread only: syscalls whose failure was reported

  Mutex queue_mutex_;
  std::vector<int32_t> queue_;
  bool notified_ = false;  // a Notify is on its way and Take() has not run since

  Mutex sent_mutex_;
  std::vector<Sent> sent_[NSIG];
  std::atomic<bool> any_own_child_sent_{false};
};

// The process-wide reaper (one per process, shared by every Node thread).
Reaper& TheReaper();

}  // namespace pid1
