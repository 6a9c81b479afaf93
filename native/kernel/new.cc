// operator new and delete for this addon alone (its symbols are hidden, see
// binding.gyp). libc++'s own throw std::bad_alloc, which links the C++
// exception runtime (docs/runtime-facts.md, 37). Memory exhaustion ends the
// process here, as an uncaught bad_alloc would.
#include <cstdlib>
#include <new>

void* operator new(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) std::abort();
  return p;
}

void* operator new[](std::size_t size) { return operator new(size); }

void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return std::malloc(size == 0 ? 1 : size); }

void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return std::malloc(size == 0 ? 1 : size); }

void operator delete(void* p) noexcept { std::free(p); }

void operator delete[](void* p) noexcept { std::free(p); }

void operator delete(void* p, std::size_t) noexcept { std::free(p); }

void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }

void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
