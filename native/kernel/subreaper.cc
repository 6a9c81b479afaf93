#include "kernel/subreaper.h"

#include <sys/prctl.h>

#include <cerrno>

namespace pid1 {

int SetChildSubreaper(bool enabled) {
  return prctl(PR_SET_CHILD_SUBREAPER, enabled ? 1UL : 0UL, 0UL, 0UL, 0UL) == 0 ? 0 : -errno;
}

int GetChildSubreaper(bool* enabled) {
  int value = 0;
  if (prctl(PR_GET_CHILD_SUBREAPER, &value, 0UL, 0UL, 0UL) != 0) return -errno;
  *enabled = value != 0;
  return 0;
}

int SetParentDeathSignal(int signal) {
  return prctl(PR_SET_PDEATHSIG, static_cast<unsigned long>(signal), 0UL, 0UL, 0UL) == 0 ? 0 : -errno;
}

int GetParentDeathSignal(int* signal) {
  int value = 0;
  if (prctl(PR_GET_PDEATHSIG, &value, 0UL, 0UL, 0UL) != 0) return -errno;
  *signal = value;
  return 0;
}

}  // namespace pid1
