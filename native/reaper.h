// The reaper: one native thread that owns signal reception and reaping. It
// blocks in poll() on a signalfd and an eventfd, with no timeout. Plain C++:
// functions return 0 or -errno.
#pragma once

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/types.h>

#include <atomic>
#include <functional>
#include <future>
#include <thread>
#include <vector>

#include "wait.h"

namespace pid1 {

struct ReaperEvent {
  enum Kind { kReap, kSignal } kind;
  WaitResult reap;          // kReap
  signalfd_siginfo signal;  // kSignal
};

using ReaperBatch = std::vector<ReaperEvent>;

class Reaper {
 public:
  // Called on the reaper thread with each batch of events; it takes the batch.
  using Deliver = std::function<void(ReaperBatch*)>;

  // The signals in `signals` must already be blocked in every thread; SIGCHLD
  // is always among them.
  int Start(const sigset_t& signals, Deliver deliver);
  // Any thread but the reaper's: stops and joins the thread, closes its fds.
  void Stop();
  bool running() const { return running_; }
  pid_t tid() const { return tid_.load(); }

  // Hand `signal` on to the handler Node/libuv installed, before pid1's own
  // work. Only where a plain handler is behind it (a JS listener): Node's
  // start-up SIGINT/SIGTERM handler re-raises from the calling thread.
  void SetHandOn(int signal, bool on);

  // Forward signals to `target` (a pid, or -pgid) from the reaper thread,
  // mapped through `rewrite` (0 drops a signal). Forwarding to a pid stops
  // by itself when the reaper collects that pid, so a recycled pid is never
  // signalled. target 0 turns it off.
  void SetForward(pid_t target, pid_t leader, const std::vector<int>& rewrite);
  // Which events reach JS. With reaps off only the forwarding leader's reap
  // is reported (and every reap while forwarding is held, so the leader's
  // cannot be missed); a signal with its flag off is forwarded but not
  // reported. All on by default. Waking JS costs more than reaping.
  void SetReporting(bool all_reaps, const std::vector<int>& quiet_signals);

  // Until SetForward names a target, hold the signals to forward (the child
  // may signal us, or be meant to get a signal, before its pid is known).
  void HoldForward();

 private:
  void Run(std::promise<pid_t> started);
  void HandOn(const signalfd_siginfo& info);
  void Forward(int signal);
  void ReapPass(ReaperBatch* batch);
  void Record(const WaitResult& result, ReaperBatch* batch);
  void LookPastOwned(ReaperBatch* batch);

  int signal_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  Deliver deliver_;
  bool running_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<pid_t> tid_{0};
  std::atomic<bool> hand_on_[NSIG] = {};
  // Written by JS, read by the reaper thread: one packed word each.
  std::atomic<pid_t> forward_target_{0};
  std::atomic<pid_t> forward_leader_{0};
  std::atomic<int> rewrite_[NSIG] = {};
  std::atomic<bool> holding_{false};
  std::atomic<bool> report_reaps_{true};
  std::atomic<bool> quiet_[NSIG] = {};
  std::vector<int> held_;  // reaper thread only
};

// The process-wide reaper (one per process, shared by every Node thread).
Reaper& TheReaper();

}  // namespace pid1
