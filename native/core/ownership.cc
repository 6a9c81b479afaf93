#include "core/ownership.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace pid1 {

namespace {

// Made as the addon is loaded, before any thread can ask for it: a
// function-local static would need libc++abi's guard, which links the C++
// exception runtime (docs/runtime-facts.md, 37). Never destroyed: threads
// may outlive statics.
Ownership* const g_ownership = new Ownership();

}  // namespace

Ownership& Ownership::Get() { return *g_ownership; }

void Ownership::WakeLocked() {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  ssize_t ignored = write(wake_fd_, &one, sizeof one);
  (void)ignored;
}

void Ownership::DropLocked(pid_t pid, int count) {
  auto it = owned_.find(pid);
  if (it == owned_.end()) return;
  it->second -= count;
  if (it->second <= 0) owned_.erase(it);
}

void Ownership::SpawnBegin() {
  std::lock_guard<Mutex> lock(mutex_);
  ++in_flight_;
  spawners_.insert(static_cast<pid_t>(syscall(SYS_gettid)));
}

void Ownership::SpawnEnd(pid_t pid, Owner owner) {
  std::lock_guard<Mutex> lock(mutex_);
  if (in_flight_ > 0) --in_flight_;
  if (pid > 0) {
    ++owned_[pid];
    ++by_owner_[owner][pid];
  }
  // A zombie may have waited for the spawn to end.
  if (in_flight_ == 0) WakeLocked();
}

void Ownership::Release(pid_t pid, Owner owner) {
  std::lock_guard<Mutex> lock(mutex_);
  auto mine = by_owner_.find(owner);
  if (mine == by_owner_.end()) return;
  auto it = mine->second.find(pid);
  if (it == mine->second.end()) return;
  if (--it->second == 0) mine->second.erase(it);
  DropLocked(pid, 1);
  // The reaper may have stopped behind this pid's zombie.
  WakeLocked();
}

void Ownership::ReleaseAll(Owner owner) {
  std::lock_guard<Mutex> lock(mutex_);
  auto mine = by_owner_.find(owner);
  if (mine == by_owner_.end()) return;
  for (const auto& [pid, count] : mine->second) DropLocked(pid, count);
  by_owner_.erase(mine);
  WakeLocked();
}

void Ownership::SetExempt(pid_t pid, bool exempt) {
  std::lock_guard<Mutex> lock(mutex_);
  if (exempt) {
    exempt_.insert(pid);
  } else if (exempt_.erase(pid) != 0) {
    WakeLocked();
  }
}

void Ownership::SetWakeFd(int fd) {
  std::lock_guard<Mutex> lock(mutex_);
  wake_fd_ = fd;
}

}  // namespace pid1
