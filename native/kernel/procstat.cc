#include "kernel/procstat.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pid1 {

namespace {

// Reads a whole small /proc file into `buffer`; returns its length or -errno.
ssize_t ReadSmall(const char* path, char* buffer, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  size_t used = 0;
  while (used < size - 1) {
    ssize_t n = read(fd, buffer + used, size - 1 - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return -err;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  close(fd);
  buffer[used] = '\0';
  return static_cast<ssize_t>(used);
}

}  // namespace

int ReadProcStat(pid_t pid, ProcStat* out) {
  char path[64];
  char buffer[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  ssize_t n = ReadSmall(path, buffer, sizeof buffer);
  if (n < 0) return static_cast<int>(n);
  // comm may hold spaces and parentheses: the fields start after the last ')'.
  char* close_paren = strrchr(buffer, ')');
  if (close_paren == nullptr || close_paren[1] == '\0') return -EINVAL;
  char* cursor = close_paren + 2;
  out->state = *cursor;
  // Fields after comm, counted from 3 (state): ppid 4, pgrp 5, starttime 22.
  int field = 3;
  for (char* p = cursor; *p != '\0' && field <= 22; p++) {
    if (*p != ' ') continue;
    field++;
    char* value = p + 1;
    if (field == 4) out->ppid = static_cast<pid_t>(strtol(value, nullptr, 10));
    if (field == 5) out->pgrp = static_cast<pid_t>(strtol(value, nullptr, 10));
    if (field == 22) out->start_ticks = strtoull(value, nullptr, 10);
  }
  return field >= 22 ? 0 : -EINVAL;
}

namespace {

// Appends the pids of a children file (one per child of that thread): big
// for a supervisor, so it is read in chunks. -errno when it cannot be opened.
int ReadChildrenFile(const char* path, std::vector<pid_t>* out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  char chunk[4096];
  long partial = 0;
  bool in_number = false;
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; i++) {
      char c = chunk[i];
      if (c >= '0' && c <= '9') {
        partial = partial * 10 + (c - '0');
        in_number = true;
      } else if (in_number) {
        out->push_back(static_cast<pid_t>(partial));
        partial = 0;
        in_number = false;
      }
    }
  }
  if (in_number) out->push_back(static_cast<pid_t>(partial));
  close(fd);
  return 0;
}

}  // namespace

int ReadOwnChildren(std::vector<pid_t>* out) {
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return -errno;
  char path[320];
  while (struct dirent* entry = readdir(dir)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/self/task/%s/children", entry->d_name);
    ReadChildrenFile(path, out);  // a thread that exited has none
  }
  closedir(dir);
  return 0;
}

int ReadChildrenOf(pid_t tid, std::vector<pid_t>* out) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/children", static_cast<int>(tid));
  return ReadChildrenFile(path, out);
}

}  // namespace pid1
