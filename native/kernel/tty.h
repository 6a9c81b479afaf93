// The pid1 command's side of a terminal hand-off (dumb-init's --setsid):
// pid1 gives up its controlling terminal so that the child's new session
// can take it. Plain C++: returns 0 or -errno.
#pragma once

namespace pid1 {

// TIOCNOTTY on `fd`. When the caller leads the terminal's session, the
// kernel sends SIGHUP and SIGCONT to the terminal's foreground group, which
// is pid1's own: both are ignored for the duration, so call this before
// they are blocked for a signalfd (a blocked signal is queued even when
// ignored).
int TtyDetach(int fd);

}  // namespace pid1
