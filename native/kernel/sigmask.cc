#include "kernel/sigmask.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <mutex>
#include <set>

#include "kernel/mutex.h"

namespace pid1 {
namespace {

// Serialises process-wide changes: the carrier handler reads one request.
Mutex g_process_mask_mutex;

// The request the carrier handler applies, written under the mutex before
// any carrier signal of that request is sent. g_generation names it: the
// handler acts only while a request is active and echoes its generation, so
// a late carrier (a thread that kept it blocked past the wait) or one sent
// from outside cannot apply or acknowledge the wrong request.
volatile sig_atomic_t g_how = SIG_BLOCK;
volatile sig_atomic_t g_generation = 0;
volatile sig_atomic_t g_active = 0;
sigset_t g_set;
int g_ack_write = -1;
int g_ack_read = -1;
bool g_carrier_installed = false;
// Threads that have answered a carrier (under the mutex). One of these that
// shows the carrier blocked is still inside the handler of the last request
// (it answered, and its sigreturn has not yet run): it is sent the carrier
// again, which waits until that sigreturn. Only a thread that never answered
// and blocks the carrier (Node's inspector thread blocks everything) is
// passed over. Seen: under load, the unblock right after a block found a
// thread still in the block's handler and skipped it, leaving it blocked.
std::set<pid_t> g_answered;
Mutex g_answered_mutex;  // g_answered is read outside process-wide changes too

bool Answered(pid_t tid) {
  std::lock_guard<Mutex> lock(g_answered_mutex);
  return g_answered.count(tid) != 0;
}

struct Ack {
  pid_t tid;
  int generation;
};

// How long one wait for acknowledgements lasts before the threads that have
// not answered are checked for having exited. This is a liveness check in a
// set-up call, not on the reaping or signal path: a thread that exits after
// being signalled never answers.
constexpr int kAckCheckMs = 200;
// A thread that stays alive without answering for this many checks (it keeps
// the carrier blocked) is reported as skipped.
constexpr int kAckChecks = 25;
// Verification passes over every thread before giving up on convergence.
constexpr int kMaxPasses = 16;

bool Blocks(const sigset_t* set, int sig) { return sigismember(set, sig) == 1; }

// Runs on whichever thread was signalled, in signal context: only
// async-signal-safe calls (pthread_sigmask, sigaddset/sigdelset/sigismember,
// syscall, write).
void CarrierHandler(int, siginfo_t* info, void* context) {
  int saved_errno = errno;
  // Only our own tgkill during an active request counts.
  if (!g_active || info->si_code != SI_TKILL || info->si_pid != getpid()) {
    errno = saved_errno;
    return;
  }
  auto* uc = static_cast<ucontext_t*>(context);
  // The mask applies at once, for the rest of the handler (so the thread
  // reads as changed in /proc as soon as it acknowledges), and uc_sigmask is
  // the mask rt_sigreturn installs when the handler returns.
  pthread_sigmask(g_how, &g_set, nullptr);
  // The carrier stays blocked until sigreturn (SIG_SETMASK would have lifted
  // it): a carrier of the next request nested in this handler would apply
  // that request, and then this handler's sigreturn would put the older
  // mask back. /proc shows the carrier blocked until the handler returns.
  sigset_t carrier;
  sigemptyset(&carrier);
  sigaddset(&carrier, CarrierSignal());
  pthread_sigmask(SIG_BLOCK, &carrier, nullptr);
  ApplyMask(g_how, &g_set, &uc->uc_sigmask);
  Ack ack = {static_cast<pid_t>(syscall(SYS_gettid)), g_generation};
  ssize_t ignored = write(g_ack_write, &ack, sizeof ack);
  (void)ignored;
  errno = saved_errno;
}

int InstallCarrier(const char** failed_step) {
  if (g_carrier_installed) return 0;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    *failed_step = "pipe2";
    return -errno;
  }
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_sigaction = CarrierHandler;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  // Only the carrier itself is blocked while the handler runs: the handler
  // applies the requested mask first thing.
  sigemptyset(&action.sa_mask);
  if (sigaction(CarrierSignal(), &action, nullptr) != 0) {
    int err = -errno;
    *failed_step = "sigaction";
    close(fds[0]);
    close(fds[1]);
    return err;
  }
  // The handler stays installed for the life of the process: restoring
  // SIG_DFL could turn a late carrier signal into process termination.
  g_ack_read = fds[0];
  g_ack_write = fds[1];
  g_carrier_installed = true;
  return 0;
}

// Takes the acknowledgements of this change that have arrived: each tid
// leaves `waiting` and joins `acked`.
void DrainAcks(std::set<pid_t>* waiting, std::set<pid_t>* acked) {
  Ack acks[64];
  for (;;) {
    ssize_t n = read(g_ack_read, acks, sizeof acks);
    if (n <= 0) return;
    for (ssize_t i = 0; i < n / static_cast<ssize_t>(sizeof(Ack)); i++) {
      if (acks[i].generation != g_generation) continue;
      waiting->erase(acks[i].tid);
      acked->insert(acks[i].tid);
      std::lock_guard<Mutex> lock(g_answered_mutex);
      g_answered.insert(acks[i].tid);
    }
  }
}

bool ThreadExists(pid_t tid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d", static_cast<int>(tid));
  return access(path, F_OK) == 0;
}

// Parses the hexadecimal SigBlk line into a sigset.
bool ParseSigBlk(const char* status, sigset_t* out) {
  const char* line = strstr(status, "\nSigBlk:");
  if (line == nullptr) return false;
  unsigned long long bits = strtoull(line + 8, nullptr, 16);
  sigemptyset(out);
  for (int sig = 1; sig <= 64; sig++) {
    if (bits & (1ULL << (sig - 1))) sigaddset(out, sig);
  }
  return true;
}

int ReadSmallFile(const char* path, char* buffer, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  size_t used = 0;
  while (used + 1 < size) {
    ssize_t n = read(fd, buffer + used, size - 1 - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = -errno;
      close(fd);
      return err;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  buffer[used] = '\0';
  close(fd);
  return static_cast<int>(used);
}

}  // namespace

int CarrierSignal() { return SIGRTMAX - 3; }

void ApplyMask(int how, const sigset_t* set, sigset_t* current) {
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    bool in_set = sigismember(set, sig) == 1;
    if (how == SIG_BLOCK) {
      if (in_set) sigaddset(current, sig);
    } else if (how == SIG_UNBLOCK) {
      if (in_set) sigdelset(current, sig);
    } else if (in_set) {
      sigaddset(current, sig);
    } else {
      sigdelset(current, sig);
    }
  }
}

bool SameMask(const sigset_t* a, const sigset_t* b) {
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    if ((sigismember(a, sig) == 1) != (sigismember(b, sig) == 1)) return false;
  }
  return true;
}

int ThreadMask(int how, const sigset_t* set, sigset_t* previous) {
  return -pthread_sigmask(how, set, previous);
}

int ListThreads(std::vector<pid_t>* tids) {
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return -errno;
  while (struct dirent* entry = readdir(dir)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    tids->push_back(static_cast<pid_t>(atoi(entry->d_name)));
  }
  closedir(dir);
  return 0;
}

int ReadThreadBlocked(pid_t tid, sigset_t* blocked) {
  char path[64];
  char buffer[4096];
  snprintf(path, sizeof path, "/proc/self/task/%d/status", static_cast<int>(tid));
  int n = ReadSmallFile(path, buffer, sizeof buffer);
  if (n < 0) return n;
  if (!ParseSigBlk(buffer, blocked)) return -EIO;
  // A thread that answered a carrier and shows it blocked is inside the
  // handler, between its answer and its sigreturn: the carrier is blocked
  // there only until the sigreturn installs the mask the handler prepared.
  if (Blocks(blocked, CarrierSignal()) && Answered(tid)) sigdelset(blocked, CarrierSignal());
  return 0;
}

namespace {

int ReadThreadName(pid_t tid, ThreadMaskInfo* out) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/comm", static_cast<int>(tid));
  char comm[64];
  int n = ReadSmallFile(path, comm, sizeof comm);
  if (n < 0) return n;
  size_t length = n > 0 && comm[n - 1] == '\n' ? n - 1 : n;
  if (length >= sizeof out->name) length = sizeof out->name - 1;
  std::memcpy(out->name, comm, length);
  out->name[length] = '\0';
  return 0;
}

}  // namespace

int ReadThreadMask(pid_t tid, ThreadMaskInfo* out) {
  out->tid = tid;
  int err = ReadThreadBlocked(tid, &out->blocked);
  return err != 0 ? err : ReadThreadName(tid, out);
}

namespace {

// Signals the threads in `waiting` have been sent the carrier; waits for
// their acknowledgements, adding each tid that answered to `acked`. Returns
// how many answered; those that exited are dropped, those that keep it
// blocked too long are added to `skipped`.
int AwaitAcks(std::set<pid_t> waiting, std::set<pid_t>* acked, std::vector<ThreadMaskInfo>* skipped, int* err) {
  int answered = static_cast<int>(waiting.size());
  int checks = 0;
  while (!waiting.empty()) {
    DrainAcks(&waiting, acked);
    if (waiting.empty()) break;
    struct pollfd pfd = {g_ack_read, POLLIN, 0};
    int ready = poll(&pfd, 1, kAckCheckMs);
    if (ready < 0 && errno != EINTR) {
      *err = -errno;
      return 0;
    }
    if (ready > 0) continue;
    ++checks;
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (!ThreadExists(*it)) {
        --answered;
        it = waiting.erase(it);
      } else if (checks >= kAckChecks) {
        ThreadMaskInfo info;
        if (ReadThreadMask(*it, &info) == 0) skipped->push_back(info);
        --answered;
        it = waiting.erase(it);
      } else {
        ++it;
      }
    }
  }
  return answered;
}

}  // namespace

int ProcessMask(int how, const sigset_t* set, sigset_t* previous,
                const std::vector<pid_t>& ignore, int* reached,
                std::vector<ThreadMaskInfo>* skipped, const char** failed_step) {
  std::lock_guard<Mutex> lock(g_process_mask_mutex);
  int err = InstallCarrier(failed_step);
  if (err != 0) return err;
  g_how = how;
  g_set = *set;
  g_generation = g_generation + 1;
  g_active = 1;

  pid_t self = static_cast<pid_t>(syscall(SYS_gettid));
  pid_t process = getpid();
  err = ThreadMask(how, set, previous);
  if (err != 0) {
    *failed_step = "pthread_sigmask";
    g_active = 0;
    return err;
  }
  std::set<pid_t> reached_tids = {self};
  std::set<pid_t> second_look;  // carrier-blocking threads already seen once
  // Threads that answered this change: each set the mask it returns to in
  // the handler, so a later pass need not read it again (a status read is
  // about 17 us, and the second pass read every thread).
  std::set<pid_t> acked;
  std::vector<ThreadMaskInfo> blocking;
  // Every pass looks at every thread: a thread created meanwhile inherits
  // its creator's mask from before the change (glibc's pthread_create saves
  // it, then runs the new thread with all signals blocked until it installs
  // that saved mask), so a thread that looked right once may not stay so.
  // Passes go on until one changes nothing and every thread that blocks the
  // carrier has been looked at twice.
  for (int pass = 0; pass < kMaxPasses; pass++) {
    std::vector<pid_t> tids;
    err = ListThreads(&tids);
    if (err != 0) {
      *failed_step = "opendir";
      break;
    }
    // A tid that is gone may come back as another thread: forget it.
    {
      std::lock_guard<Mutex> lock(g_answered_mutex);
      for (auto it = g_answered.begin(); it != g_answered.end();) {
        it = std::find(tids.begin(), tids.end(), *it) == tids.end() ? g_answered.erase(it) : std::next(it);
      }
    }
    std::set<pid_t> waiting;
    bool again = false;
    blocking.clear();
    for (pid_t tid : tids) {
      if (tid == self || std::find(ignore.begin(), ignore.end(), tid) != ignore.end()) continue;
      if (acked.count(tid) != 0) continue;  // in reached_tids since it was signalled
      ThreadMaskInfo info;
      info.tid = tid;
      if (ReadThreadBlocked(tid, &info.blocked) != 0) continue;  // exited meanwhile
      // ReadThreadBlocked shows a thread inside the handler with the mask it
      // returns to; what still blocks the carrier never answered one.
      sigset_t wanted = info.blocked;
      ApplyMask(how, set, &wanted);
      if (Blocks(&info.blocked, CarrierSignal())) {
        if (second_look.insert(tid).second) again = true;
        if (!SameMask(&wanted, &info.blocked) && ReadThreadName(tid, &info) == 0) blocking.push_back(info);
        continue;
      }
      if (SameMask(&wanted, &info.blocked)) {
        reached_tids.insert(tid);
        continue;
      }
      if (syscall(SYS_tgkill, process, tid, CarrierSignal()) == 0) waiting.insert(tid);
    }
    if (!waiting.empty()) {
      again = true;
      for (pid_t tid : waiting) reached_tids.insert(tid);
      AwaitAcks(waiting, &acked, skipped, &err);
      if (err != 0) {
        *failed_step = "poll";
        break;
      }
    }
    if (!again) break;
    if (waiting.empty()) sched_yield();  // let a thread that is starting up finish
  }
  g_active = 0;
  if (err != 0) return err;
  for (const ThreadMaskInfo& info : blocking) {
    skipped->push_back(info);
    reached_tids.erase(info.tid);
  }
  for (const ThreadMaskInfo& info : *skipped) reached_tids.erase(info.tid);
  *reached = static_cast<int>(reached_tids.size());
  return 0;
}

}  // namespace pid1
