#include "reaper.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <future>
#include <mutex>

#include "ownership.h"
#include "signalfd.h"

namespace pid1 {

Reaper& TheReaper() {
  static Reaper* instance = new Reaper();  // never destroyed: see Stop()
  return *instance;
}

int Reaper::Start(const sigset_t& signals, Deliver deliver) {
  if (running_) return -EBUSY;
  sigset_t set = signals;
  sigaddset(&set, SIGCHLD);
  int err = SignalFdOpen(&set, &signal_fd_);
  if (err != 0) return err;
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    err = -errno;
    close(signal_fd_);
    signal_fd_ = -1;
    return err;
  }
  deliver_ = std::move(deliver);
  stopping_ = false;
  for (int sig = 1; sig < NSIG; sig++) rewrite_[sig] = sig;
  hand_on_[SIGCHLD] = true;
  // The thread starts with every signal blocked: nothing it owns can land on
  // it as a handler call, and libuv's handler may be called from it.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  // The thread publishes its id before Start returns, so a caller can name it
  // (and leave it out of process-wide mask changes) at once.
  std::promise<pid_t> started;
  std::future<pid_t> tid = started.get_future();
  try {
    thread_ = std::thread(&Reaper::Run, this, std::move(started));
  } catch (...) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    close(signal_fd_);
    close(wake_fd_);
    signal_fd_ = wake_fd_ = -1;
    return -EAGAIN;
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  tid_ = tid.get();
  Ownership::Get().SetWakeFd(wake_fd_);
  running_ = true;
  return 0;
}

void Reaper::Stop() {
  if (!running_) return;
  stopping_ = true;
  uint64_t one = 1;
  ssize_t ignored = write(wake_fd_, &one, sizeof one);
  (void)ignored;
  thread_.join();
  Ownership::Get().SetWakeFd(-1);
  close(signal_fd_);
  close(wake_fd_);
  signal_fd_ = wake_fd_ = -1;
  forward_target_ = 0;
  holding_ = false;
  held_.clear();
  report_reaps_ = true;
  for (int sig = 1; sig < NSIG; sig++) quiet_[sig] = false;
  for (int sig = 1; sig < NSIG; sig++) hand_on_[sig] = false;
  tid_ = 0;
  running_ = false;
}

void Reaper::SetHandOn(int signal, bool on) {
  if (signal > 0 && signal < NSIG) hand_on_[signal] = on;
}

void Reaper::SetForward(pid_t target, pid_t leader, const std::vector<int>& rewrite) {
  for (int sig = 1; sig < NSIG; sig++) {
    rewrite_[sig] = sig < static_cast<int>(rewrite.size()) ? rewrite[sig] : sig;
  }
  forward_leader_ = leader;
  forward_target_ = target;
  if (holding_.exchange(false) && running_) {
    // Wake the thread to hand over what it held.
    uint64_t one = 1;
    ssize_t ignored = write(wake_fd_, &one, sizeof one);
    (void)ignored;
  }
}

void Reaper::HoldForward() { holding_ = true; }

void Reaper::SetReporting(bool all_reaps, const std::vector<int>& quiet_signals) {
  for (int sig = 1; sig < NSIG; sig++) quiet_[sig] = false;
  for (int sig : quiet_signals) {
    if (sig > 0 && sig < NSIG) quiet_[sig] = true;
  }
  report_reaps_ = all_reaps;
}

// Reaper thread. libuv's handler is a plain sa_handler that takes a lock and
// writes to the signal pipe of each loop; calling it from this thread, with
// every signal blocked, is what a kernel delivery would have done.
void Reaper::HandOn(const signalfd_siginfo& info) {
  int sig = static_cast<int>(info.ssi_signo);
  if (!hand_on_[sig]) return;
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

// Reaper thread.
void Reaper::Forward(int signal) {
  if (holding_.load()) {
    held_.push_back(signal);
    return;
  }
  pid_t target = forward_target_.load();
  if (target == 0) return;
  int mapped = rewrite_[signal].load();
  if (mapped <= 0) return;
  // Never pid 0 or -1: target is a checked pid or a -pgid below -1.
  if (target == -1) return;
  kill(target, mapped);
}

// Reaper thread.
void Reaper::Record(const WaitResult& result, ReaperBatch* batch) {
  if (result.stopped || result.continued) return;
  if (result.pid == forward_leader_.load()) {
    // The forwarding target is gone: a later signal must not reach a
    // process that inherits its pid. Group forwarding ends with it too.
    forward_target_ = 0;
    forward_leader_ = 0;
  } else if (!report_reaps_.load() && !holding_.load()) {
    return;
  }
  ReaperEvent event;
  event.kind = ReaperEvent::kReap;
  event.reap = result;
  batch->push_back(event);
}

// Reaper thread, with the ownership mutex held. waitid(P_ALL, WNOWAIT) keeps
// returning the same first zombie, so when that one belongs to libuv the
// other children are looked at one by one. The per-thread children lists
// may skip entries (proc(5)): what they miss is found on the next pass,
// which the release of the owned zombie triggers.
void Reaper::LookPastOwned(ReaperBatch* batch) {
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return;
  Ownership& ownership = Ownership::Get();
  char path[320];
  char buffer[4096];
  while (struct dirent* entry = readdir(dir)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/self/task/%s/children", entry->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    if (n <= 0) continue;
    buffer[n] = '\0';
    char* cursor = buffer;
    while (*cursor != '\0') {
      char* end = nullptr;
      long pid = strtol(cursor, &end, 10);
      if (end == cursor) break;
      cursor = end;
      if (pid <= 0 || ownership.IsOthers(static_cast<pid_t>(pid))) continue;
      WaitResult result;
      if (WaitId(P_PID, static_cast<id_t>(pid), WEXITED, false, &result) == 0 && result.pid > 0)
        Record(result, batch);
    }
  }
  closedir(dir);
}

// Reaper thread. Standard signals coalesce, so every pass drains every
// zombie it may take.
void Reaper::ReapPass(ReaperBatch* batch) {
  Ownership& ownership = Ownership::Get();
  for (;;) {
    std::unique_lock<std::mutex> lock(ownership.mutex());
    // A spawn under way may have a child that failed to exec, which libuv
    // waits for with a blocking waitpid: its end wakes us again.
    if (ownership.Paused()) return;
    WaitResult result;
    if (ownership.AllMine()) {
      // Reaped under the lock: a libuv spawn cannot begin in between.
      if (WaitId(P_ALL, 0, WEXITED, false, &result) != 0 || result.pid == 0) return;
      lock.unlock();
      Record(result, batch);
      continue;
    }
    if (WaitId(P_ALL, 0, WEXITED | WNOWAIT, false, &result) != 0 || result.pid == 0) return;
    if (ownership.IsOthers(result.pid)) {
      LookPastOwned(batch);
      return;
    }
    // A zombie's pid cannot be reused until it is reaped, so the check above
    // still holds without the lock.
    lock.unlock();
    WaitResult reaped;
    if (WaitId(P_PID, static_cast<id_t>(result.pid), WEXITED, false, &reaped) == 0 && reaped.pid > 0)
      Record(reaped, batch);
  }
}

// Reaper thread: the loop. poll() without a timeout: an idle init makes no
// system call.
void Reaper::Run(std::promise<pid_t> started) {
  started.set_value(static_cast<pid_t>(syscall(SYS_gettid)));
  std::vector<signalfd_siginfo> infos;
  for (;;) {
    struct pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;  // EFAULT/EINVAL/ENOMEM: nothing sane is left to do
    }
    bool reap = false;
    if (fds[1].revents & POLLIN) {
      uint64_t count;
      ssize_t ignored = read(wake_fd_, &count, sizeof count);
      (void)ignored;
      if (stopping_) {
        // One last pass, so that a process seen to exit (its pidfd became
        // readable) before the stop is reported, not left for nobody.
        auto* last = new ReaperBatch();
        ReapPass(last);
        if (last->empty()) delete last; else deliver_(last);
        break;
      }
      reap = true;
    }
    if (!held_.empty() && !holding_.load()) {
      std::vector<int> held;
      held.swap(held_);
      for (int sig : held) Forward(sig);
    }
    auto* batch = new ReaperBatch();
    infos.clear();
    SignalFdRead(signal_fd_, &infos);
    for (const signalfd_siginfo& info : infos) {
      int sig = static_cast<int>(info.ssi_signo);
      HandOn(info);
      if (sig == SIGCHLD) {
        reap = true;
        continue;
      }
      Forward(sig);
      if (quiet_[sig].load()) continue;
      ReaperEvent event;
      event.kind = ReaperEvent::kSignal;
      event.signal = info;
      batch->push_back(event);
    }
    if (reap) ReapPass(batch);
    if (batch->empty()) {
      delete batch;
    } else {
      deliver_(batch);
    }
  }
}

}  // namespace pid1
