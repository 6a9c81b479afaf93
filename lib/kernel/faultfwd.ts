// Fault signals (SIGSEGV, SIGBUS, ...) that another process sends, taken as
// requests to forward instead of as this process's own fault. The addon's
// handler queues each request in a pipe; libuv says when it is readable.
import { native, NativeFdWatcher } from './native';
import { signalMask } from './signals';

/** Keeps the handler's pipe watched; close() ends that. */
export type FaultWatcher = NativeFdWatcher;

/**
 * Installs the handler for these signals; onRequest is called, on the
 * event loop, once per signal received, with its number and its sender.
 * Requests that come before anyone listens wait in the pipe. The watcher
 * does not keep the loop alive.
 */
export function forwardFaults(signals: number[], onRequest: (signo: number, from: number) => void): FaultWatcher {
  const fd = native.faultForwardStart(signalMask(signals));
  const watcher = new native.FdWatcher(fd, () => {
    // signal, sender pid, sender uid, si_code: four numbers a request.
    const requests = native.faultForwardRead(fd);
    for (let i = 0; i < requests.length; i += 4) onRequest(requests[i], requests[i + 1]);
  });
  watcher.start();
  watcher.unref();
  return watcher;
}
