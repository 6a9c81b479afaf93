// Fault signals (SIGSEGV, SIGBUS, ...) that another process sends, taken as
// requests to forward instead of as this process's own fault. The addon's
// handler queues each request in a pipe, which the reaper thread reads with
// its signalfd (ReaperOptions.faultFd): a request is then a signal like any
// other it reads, forwarded and reported the same way.
import { native } from './native';
import { signalMask } from './signals';

/**
 * Installs the handler for these signals, once per process, and returns the
 * read end of its requests' pipe (non-blocking, close-on-exec). Requests
 * that come before the reaper reads them wait in the pipe.
 */
export function startFaultForwarding(signals: readonly number[]): number {
  return native.faultForwardStart(...signalMask(signals));
}
