// Who may reap which child. A child that libuv spawned belongs to libuv, a
// child handed back with exempt() belongs to its native owner; the reaper
// reaps everything else. See docs/runtime-facts.md: reaping a libuv child
// makes its ChildProcess hang, or aborts Node when exec failed.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <set>

#include "kernel/mutex.h"

namespace pid1 {

class Ownership {
 public:
  // Which JS thread (Node environment) registered a libuv child.
  using Owner = uintptr_t;

  static Ownership& Get();

  // Any thread: a spawn (libuv's, wrapped in JS, pid1's own, or a foreign
  // native fork run through exemptSpawn) starts. While one is under way the
  // reaper reaps nothing.
  void SpawnBegin();
  // Ends it; pid > 0 registers a libuv child of `owner` that libuv will collect.
  void SpawnEnd(pid_t pid, Owner owner);
  // libuv collected `pid` (its ChildProcess emitted 'exit').
  void Release(pid_t pid, Owner owner);
  // The owner's loop is gone (a Worker ended): libuv will never collect its
  // children, so the reaper takes them.
  void ReleaseAll(Owner owner);
  void SetExempt(pid_t pid, bool exempt);

  // The eventfd of the running reaper, woken when the ownership changes.
  void SetWakeFd(int fd);

  // Reaper thread, with mutex() held.
  Mutex& mutex() { return mutex_; }
  // The threads that began a spawn: a wrapped spawn (libuv's, pid1's, an
  // exempt native one) forks on the thread that begins it, so these and the
  // thread group leader, which adopts orphans, are the threads that can
  // have children the reaper may take.
  const std::set<pid_t>& Spawners() const { return spawners_; }
  void ForgetSpawner(pid_t tid) { spawners_.erase(tid); }
  bool Paused() const { return in_flight_ > 0; }
  bool NoneOwned() const { return owned_.empty() && exempt_.empty(); }
  bool Owned(pid_t pid) const { return owned_.count(pid) != 0 || exempt_.count(pid) != 0; }

 private:
  void WakeLocked();
  void DropLocked(pid_t pid, int count);

  Mutex mutex_;
  int in_flight_ = 0;
  // A count per pid: libuv may collect pid P and the kernel hand P to a new
  // child before JS has seen the first exit. Ordered containers: the hash
  // ones call libm's ceilf, whose code would be paged in for it (64 KiB).
  std::map<pid_t, int> owned_;
  std::map<Owner, std::map<pid_t, int>> by_owner_;
  std::set<pid_t> exempt_;
  std::set<pid_t> spawners_;
  int wake_fd_ = -1;
};

}  // namespace pid1
