#include "core/reaper.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "core/ownership.h"
#include "kernel/faultfwd.h"
#include "kernel/pidfd.h"
#include "kernel/procstat.h"
#include "kernel/signalfd.h"

namespace pid1 {

const char* const kReaperSyscallNames[kSyscallCount] = {"poll", "read", "waitid"};

namespace {

int64_t BootTimeNs() {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void Wake(int fd) {
  uint64_t one = 1;
  ssize_t ignored = write(fd, &one, sizeof one);
  (void)ignored;
}

}  // namespace

namespace {

// Made as the addon is loaded, as Ownership's is; never destroyed: see Stop().
Reaper* const g_reaper = new Reaper();

}  // namespace

Reaper& TheReaper() { return *g_reaper; }

int Reaper::Start(const sigset_t& signals, Notify notify, const char** failed_step) {
  if (running_) {
    *failed_step = "Reaper::Start";
    return -EBUSY;
  }
  sigset_t set = signals;
  sigaddset(&set, SIGCHLD);
  int err = SignalFdOpen(&set, &signal_fd_);
  if (err != 0) {
    *failed_step = "signalfd";
    return err;
  }
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    *failed_step = "eventfd";
    err = -errno;
    close(signal_fd_);
    signal_fd_ = -1;
    return err;
  }
  notify_ = std::move(notify);
  {
    std::lock_guard<Mutex> lock(queue_mutex_);
    queue_.clear();
    notified_ = false;
  }
  stopping_ = false;
  reported_ = 0;
  for (int sig = 1; sig < NSIG; sig++) rewrite_[sig] = sig;
  hand_on_[SIGCHLD] = true;
  // The thread starts with every signal blocked: nothing it owns can land on
  // it as a handler call, and libuv's handler may be called from it.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  // The thread publishes its id before Start returns, so a caller can name it
  // (and leave it out of process-wide mask changes) at once.
  sem_init(&started_, 0, 0);
  Ownership::Get().SetWakeFd(wake_fd_);
  err = pthread_create(&thread_, nullptr, &Reaper::ThreadMain, this);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (err != 0) {
    sem_destroy(&started_);
    Ownership::Get().SetWakeFd(-1);
    close(signal_fd_);
    close(wake_fd_);
    signal_fd_ = wake_fd_ = -1;
    *failed_step = "pthread_create";
    return -err;
  }
  while (sem_wait(&started_) != 0 && errno == EINTR) {
    // A signal handler ran on this thread meanwhile.
  }
  sem_destroy(&started_);
  running_ = true;
  return 0;
}

void* Reaper::ThreadMain(void* reaper) {
  static_cast<Reaper*>(reaper)->Run();
  return nullptr;
}

int Reaper::ReapWhileStopped(std::vector<int32_t>* out) {
  if (running_) return -EBUSY;
  // The thread is joined: what it alone touches is the caller's now. Every
  // reap is reported, whatever SetReporting said: none of them reaches JS
  // any other way.
  bool report = report_reaps_.exchange(true);
  ReapPass(out);
  report_reaps_ = report;
  return 0;
}

void Reaper::Stop() {
  if (!running_) return;
  stopping_ = true;
  Wake(wake_fd_);
  pthread_join(thread_, nullptr);
  Ownership::Get().SetWakeFd(-1);
  close(signal_fd_);
  close(wake_fd_);
  signal_fd_ = wake_fd_ = -1;
  // What a face configured lasts one run.
  forward_target_ = 0;
  forward_leader_ = 0;
  forward_children_ = false;
  fault_fd_ = -1;
  {
    std::lock_guard<Mutex> lock(held_mutex_);
    holding_ = false;
    held_.clear();
  }
  report_reaps_ = true;
  for (int sig = 1; sig < NSIG; sig++) {
    quiet_[sig] = false;
    hand_on_[sig] = false;
    forward_when_[sig] = static_cast<int32_t>(ForwardWhen::kAlways);
  }
  {
    std::lock_guard<Mutex> lock(sent_mutex_);
    for (auto& list : sent_) list.clear();
    any_own_child_sent_ = false;
  }
  tid_ = 0;
  running_ = false;
}

void Reaper::Take(std::vector<int32_t>* out) {
  std::lock_guard<Mutex> lock(queue_mutex_);
  if (out->empty()) {
    out->swap(queue_);
  } else {
    out->insert(out->end(), queue_.begin(), queue_.end());
    queue_.clear();
  }
  notified_ = false;
}

void Reaper::SetHandOn(int signal, bool on) {
  if (signal > 0 && signal < NSIG && signal != SIGCHLD) hand_on_[signal] = on;
}

void Reaper::SetForward(pid_t target, pid_t leader, const std::vector<int>& rewrite) {
  for (int sig = 1; sig < NSIG; sig++) {
    rewrite_[sig] = sig < static_cast<int>(rewrite.size()) ? rewrite[sig] : sig;
  }
  forward_leader_ = leader;
  forward_target_ = target;
  // Sent here, on the caller's thread, before SetForward returns: a face
  // that learns of such a signal (its event comes after this call) finds it
  // sent already (SentAgoMs), and does not send it a second time.
  std::vector<std::pair<int, int32_t>> held;
  {
    std::lock_guard<Mutex> lock(held_mutex_);
    holding_ = false;
    held.swap(held_);
  }
  for (const auto& [sig, code] : held) Forward(sig, code);
}

void Reaper::SetForwardChildren(bool on) { forward_children_ = on; }

void Reaper::SetForwardWhen(int signal, ForwardWhen when) {
  if (signal > 0 && signal < NSIG) forward_when_[signal] = static_cast<int32_t>(when);
}

void Reaper::HoldForward() {
  std::lock_guard<Mutex> lock(held_mutex_);
  holding_ = true;
}

void Reaper::SetReporting(bool all_reaps, const std::vector<int>& quiet_signals) {
  for (int sig = 1; sig < NSIG; sig++) quiet_[sig] = false;
  for (int sig : quiet_signals) {
    if (sig > 0 && sig < NSIG) quiet_[sig] = true;
  }
  report_reaps_ = all_reaps;
}

double Reaper::SentAgoMs(int signal, pid_t pid, pid_t pgrp, uint64_t start_ticks) {
  if (signal <= 0 || signal >= NSIG) return -1;
  const int64_t ns_per_tick = 1000000000 / sysconf(_SC_CLK_TCK);
  int64_t now = BootTimeNs();
  std::lock_guard<Mutex> lock(sent_mutex_);
  for (const Sent& sent : sent_[signal]) {
    bool same_process = sent.id == pid && (sent.start_ticks == 0 || sent.start_ticks == start_ticks);
    // A group reaches the members it had then: those started before it.
    bool in_group = sent.id < 0 && -sent.id == pgrp && static_cast<int64_t>(start_ticks) * ns_per_tick < sent.at_ns;
    if (same_process || in_group) return static_cast<double>(now - sent.at_ns) / 1e6;
  }
  return -1;
}

// Reaper thread. libuv's handler is a plain sa_handler that takes a lock and
// writes to the signal pipe of each loop; calling it from this thread, with
// every signal blocked, is what a kernel delivery would have done.
void Reaper::HandOn(const signalfd_siginfo& info) {
  int sig = static_cast<int>(info.ssi_signo);
  struct sigaction current;
  // Looked up each time: libuv installs and removes its handler as handles
  // start and stop.
  if (sigaction(sig, nullptr, &current) != 0) return;
  if (current.sa_flags & SA_SIGINFO) {
    if (current.sa_sigaction == nullptr) return;
    siginfo_t si;
    std::memset(&si, 0, sizeof si);
    si.si_signo = sig;
    si.si_code = info.ssi_code;
    si.si_pid = static_cast<pid_t>(info.ssi_pid);
    si.si_uid = static_cast<uid_t>(info.ssi_uid);
    current.sa_sigaction(sig, &si, nullptr);
  } else if (current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN) {
    current.sa_handler(sig);
  }
}

// Reaper thread. Returns whether the signal went (or will go, when held) to
// somebody; records whom it reached for SentAgoMs().
bool Reaper::Forward(int signal, int32_t code) {
  if (forward_children_.load()) {
    std::vector<Sent> sent;
    ForwardToChildren(signal, code, &sent);
    std::lock_guard<Mutex> lock(sent_mutex_);
    sent_[signal].swap(sent);
    return true;
  }
  // Locked only while holding (before the target is known): a forward after
  // that takes no lock. SetForward names the target before it clears
  // holding_, so a forward that sees it cleared has the target.
  if (holding_.load()) {
    std::lock_guard<Mutex> lock(held_mutex_);
    if (holding_) {
      held_.emplace_back(signal, code);
      return true;
    }
  }
  pid_t target = forward_target_.load();
  int mapped = rewrite_[signal].load();
  // Never pid 0 or -1: target is a checked pid or a -pgid below -1.
  if (target == 0 || target == -1 || mapped <= 0) return false;
  if (kill(target, mapped) != 0) return false;
  std::lock_guard<Mutex> lock(sent_mutex_);
  // The target is our own child (or its group): valid until we reap it.
  sent_[mapped].assign(1, Sent{target, 0, BootTimeNs()});
  if (target > 0) any_own_child_sent_ = true;
  return true;
}

// Reaper thread. A child is signalled through a pidfd opened before its
// parent is checked, so a pid that was reaped by libuv and reused by then
// is never signalled: the pidfd names the process that had the pid.
void Reaper::ForwardToChildren(int signal, int32_t code, std::vector<Sent>* sent) {
  std::vector<pid_t> children;
  ReadOwnChildren(&children);
  std::sort(children.begin(), children.end());
  children.erase(std::unique(children.begin(), children.end()), children.end());
  const pid_t self = getpid();
  const pid_t own_group = code == SI_KERNEL ? getpgrp() : 0;
  const int64_t now = BootTimeNs();
  for (pid_t pid : children) {
    int fd = -1;
    if (PidfdOpen(pid, &fd) == -ESRCH) continue;  // gone
    ProcStat stat;
    bool ours = ReadProcStat(pid, &stat) == 0 && stat.ppid == self && stat.state != 'Z' && stat.state != 'X';
    if (ours && !(code == SI_KERNEL && stat.pgrp == own_group)) {
      // Without pidfds (before Linux 5.3) kill() is the fallback; the window
      // is that of any kill() to a child.
      int err = fd >= 0 ? PidfdSendSignal(fd, signal) : Kill(pid, signal);
      if (err == 0) sent->push_back(Sent{pid, stat.start_ticks, now});
    }
    if (fd >= 0) close(fd);
  }
}

void Reaper::PushError(int err, ReaperSyscall syscall, std::vector<int32_t>* batch) {
  if (reported_ & (1u << syscall)) return;
  reported_ |= 1u << syscall;
  batch->insert(batch->end(), {kEventError, err, syscall, 0, 0, 0});
}

// Reaper thread.
void Reaper::OnReaped(const WaitResult& result, std::vector<int32_t>* batch) {
  if (result.stopped || result.continued) return;
  if (any_own_child_sent_.load()) {
    std::lock_guard<Mutex> lock(sent_mutex_);
    for (auto& list : sent_) {
      list.erase(std::remove_if(list.begin(), list.end(), [&](const Sent& s) { return s.id == result.pid && s.start_ticks == 0; }),
                 list.end());
    }
  }
  if (result.pid == forward_leader_.load()) {
    // The forwarding target is gone: a later signal must not reach a
    // process that inherits its pid. Group forwarding ends with it too.
    forward_target_ = 0;
    forward_leader_ = 0;
  } else if (!report_reaps_.load() && !holding_.load()) {
    return;
  }
  batch->insert(batch->end(), {kEventReap, result.pid, result.exit_code, result.signal, result.core_dumped ? 1 : 0, 0});
}

// Reaper thread, with the ownership mutex held. waitid(P_ALL, WNOWAIT) keeps
// returning the same first zombie, so when that one belongs to somebody else
// the other children are looked at one by one. The per-thread children
// lists may skip entries (proc(5)): what they miss is found on the next
// pass, which the release of the owned zombie triggers. Only the lists of
// the threads that can have such children are read: the leader's (orphans)
// and those of the threads that began a spawn. Every thread's would be one
// open and read per thread of node (about nine) for each libuv child's exit.
// A child that some other thread forks without a wrapped spawn waits, in
// this case only, for the pass after the owned zombie is collected.
void Reaper::LookPastOwned(std::vector<int32_t>* batch) {
  Ownership& ownership = Ownership::Get();
  const pid_t leader = getpid();
  std::vector<pid_t> children;
  ReadChildrenOf(leader, &children);
  std::vector<pid_t> gone;
  for (pid_t tid : ownership.Spawners()) {
    if (tid != leader && ReadChildrenOf(tid, &children) == -ENOENT) gone.push_back(tid);
  }
  for (pid_t tid : gone) ownership.ForgetSpawner(tid);
  for (pid_t pid : children) {
    if (pid <= 0 || ownership.Owned(pid)) continue;
    WaitResult result;
    if (WaitId(P_PID, static_cast<id_t>(pid), WEXITED, false, &result) == 0 && result.pid > 0) OnReaped(result, batch);
  }
}

// Reaper thread. Standard signals coalesce, so every pass drains every
// zombie it may take. A waitid error other than ECHILD (no child left) is
// reported; the next wake-up tries again.
void Reaper::ReapPass(std::vector<int32_t>* batch) {
  Ownership& ownership = Ownership::Get();
  for (;;) {
    std::unique_lock<Mutex> lock(ownership.mutex());
    // A spawn under way may have a child that failed to exec, which libuv
    // waits for with a blocking waitpid: its end wakes us again.
    if (ownership.Paused()) return;
    WaitResult result;
    bool none_owned = ownership.NoneOwned();
    // With nothing owned by others, reap under the lock: a libuv spawn
    // cannot begin in between.
    int err = WaitId(P_ALL, 0, none_owned ? WEXITED : WEXITED | WNOWAIT, false, &result);
    if (err == -ECHILD || (err == 0 && result.pid == 0)) return;
    if (err != 0) {
      PushError(-err, kSyscallWaitid, batch);
      return;
    }
    if (none_owned) {
      lock.unlock();
      OnReaped(result, batch);
      continue;
    }
    if (ownership.Owned(result.pid)) {
      LookPastOwned(batch);
      return;
    }
    // A zombie's pid cannot be reused until it is reaped, so the check above
    // still holds without the lock.
    lock.unlock();
    WaitResult reaped;
    if (WaitId(P_PID, static_cast<id_t>(result.pid), WEXITED, false, &reaped) == 0 && reaped.pid > 0) OnReaped(reaped, batch);
  }
}

// Reaper thread.
void Reaper::OnSignal(const signalfd_siginfo& info, bool may_hand_on, std::vector<int32_t>* batch) {
  int sig = static_cast<int>(info.ssi_signo);
  if (sig <= 0 || sig >= NSIG) return;
  bool listening = may_hand_on && hand_on_[sig].load();
  // Forwarded before it is handed on: a JS listener that then calls
  // shutdown() finds the children signalled already, and signals none twice.
  auto when = static_cast<ForwardWhen>(forward_when_[sig].load());
  bool forwarded = (when == ForwardWhen::kAlways || (when == ForwardWhen::kListening && listening)) && Forward(sig, info.ssi_code);
  if (listening) HandOn(info);
  if (quiet_[sig].load()) return;
  int32_t flags = (listening ? kSignalHandedOn : 0) | (forwarded ? kSignalForwarded : 0);
  batch->insert(batch->end(), {kEventSignal, sig, static_cast<int32_t>(info.ssi_pid), static_cast<int32_t>(info.ssi_uid), info.ssi_code, flags});
}

// Reaper thread: the fault forwarder's requests, as signals.
void Reaper::ReadFaults(std::vector<int32_t>* batch) {
  std::vector<FaultRequest> requests;
  int err = FaultForwardRead(fault_fd_, &requests);
  if (err != 0) PushError(-err, kSyscallRead, batch);
  for (const FaultRequest& request : requests) {
    signalfd_siginfo info;
    std::memset(&info, 0, sizeof info);
    info.ssi_signo = static_cast<uint32_t>(request.signal);
    info.ssi_pid = static_cast<uint32_t>(request.pid);
    info.ssi_uid = static_cast<uint32_t>(request.uid);
    info.ssi_code = request.code;
    OnSignal(info, false, batch);
  }
}

// Reaper thread: hands a batch to the queue; tells JS once per Take().
void Reaper::Publish(std::vector<int32_t>* batch) {
  if (batch->empty()) return;
  bool notify = false;
  {
    std::lock_guard<Mutex> lock(queue_mutex_);
    queue_.insert(queue_.end(), batch->begin(), batch->end());
    if (!notified_) notified_ = notify = true;
  }
  batch->clear();
  if (notify) notify_();
}

// Reaper thread: the loop. poll() without a timeout: an idle init makes no
// system call.
void Reaper::Run() {
  tid_ = static_cast<pid_t>(syscall(SYS_gettid));
  sem_post(&started_);
  std::vector<int32_t> batch;
  std::vector<signalfd_siginfo> infos;
  // Zombies that were there before the thread: no SIGCHLD will announce them.
  ReapPass(&batch);
  Publish(&batch);
  for (;;) {
    // A negative fd (no fault pipe) is one poll() leaves out.
    struct pollfd fds[3] = {{signal_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}, {fault_fd_, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      // EFAULT/EINVAL/ENOMEM: nothing sane is left to do but say so.
      PushError(errno, kSyscallPoll, &batch);
      Publish(&batch);
      break;
    }
    bool reap = false;
    if (fds[1].revents & POLLIN) {
      uint64_t count;
      ssize_t ignored = read(wake_fd_, &count, sizeof count);
      (void)ignored;
      if (stopping_) {
        // One last pass, so that a process seen to exit (its pidfd became
        // readable) before the stop is reported, not left for nobody.
        ReapPass(&batch);
        Publish(&batch);
        break;
      }
      reap = true;
    }
    infos.clear();
    int err = SignalFdRead(signal_fd_, &infos);
    if (err != 0) PushError(-err, kSyscallRead, &batch);
    for (const signalfd_siginfo& info : infos) {
      if (static_cast<int>(info.ssi_signo) == SIGCHLD) {
        HandOn(info);
        reap = true;
        continue;
      }
      OnSignal(info, true, &batch);
    }
    if (fds[2].revents & POLLNVAL) {
      // Closed under us (its owner must not while the thread runs): stop
      // polling it rather than spin, and say so.
      fault_fd_ = -1;
      PushError(EBADF, kSyscallPoll, &batch);
    } else if (fds[2].revents != 0) {
      ReadFaults(&batch);
    }
    if (reap) ReapPass(&batch);
    Publish(&batch);
  }
}

}  // namespace pid1
