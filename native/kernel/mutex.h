// A mutex over pthread_mutex_t, for std::lock_guard and std::unique_lock.
// Not std::mutex: its lock() lives in libc++'s library and throws, which
// links the C++ exception runtime (docs/runtime-facts.md, 37). A default
// pthread mutex cannot fail to lock here: no deadlock detection, no robust
// or recursive mode. Constant-initialised and never destroyed (a default
// mutex holds no resource): a global one is usable from any thread at any
// time, exit included.
#pragma once

#include <pthread.h>

namespace pid1 {

class Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() { pthread_mutex_lock(&mutex_); }
  bool try_lock() { return pthread_mutex_trylock(&mutex_) == 0; }
  void unlock() { pthread_mutex_unlock(&mutex_); }

 private:
  pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
};

}  // namespace pid1
