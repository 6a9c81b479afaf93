// PR_SET/GET_CHILD_SUBREAPER and PR_SET/GET_PDEATHSIG. Plain C++: each
// function returns 0 or -errno.
#pragma once

namespace pid1 {

int SetChildSubreaper(bool enabled);
int GetChildSubreaper(bool* enabled);
int SetParentDeathSignal(int signal);  // 0 clears it
int GetParentDeathSignal(int* signal);

}  // namespace pid1
