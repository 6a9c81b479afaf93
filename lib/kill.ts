// Sending signals, guarded so that pid 0 and -1 are never signalled by
// accident, and through pidfds so that a recycled pid is never signalled.
import { closeSync } from 'fs';
import { native } from './native';
import { normalizeSignal, Signal } from './signals';
import { normalizeFd, normalizePid, pid1Error, rangeError, typeError } from './validate';

/**
 * Sends a signal to one process. pid must be positive: a process group goes
 * through killProcessGroup(). -1 (every process we may signal) is accepted
 * only when this process is PID 1 of its namespace, where it means the
 * namespace; anywhere else it would mean the whole machine.
 * @throws Error with code 'ESRCH', 'EPERM' from kill(2).
 */
export function kill(pid: number, signal: Signal = 'SIGTERM'): void {
  if (pid === -1) {
    const sig = normalizeSignal(signal, 'signal', true);
    if (process.pid !== 1) {
      throw pid1Error('ERR_PID1_NOT_INIT', 'kill(-1) signals every process on the machine unless this process is PID 1 of its own PID namespace; it is refused here');
    }
    native.kill(-1, sig);
    return;
  }
  if (typeof pid === 'number' && Number.isInteger(pid) && pid <= 0) {
    throw rangeError('pid', 'a positive process id (use killProcessGroup() for a process group)', pid);
  }
  const checked = normalizePid(pid);
  native.kill(checked, normalizeSignal(signal, 'signal', true));
}

/**
 * Sends a signal to every process of a group: kill(-pgid). pgid 0 means our
 * own group. pgid 1 is refused: kill(-1) is not a group.
 */
export function killProcessGroup(pgid: number, signal: Signal = 'SIGTERM'): void {
  if (typeof pgid !== 'number') throw typeError('pgid', 'of type number', pgid);
  if (pgid === 0) {
    native.kill(0, normalizeSignal(signal, 'signal', true));
    return;
  }
  if (pgid === 1) throw rangeError('pgid', 'a process group id other than 1 (kill(-1) would signal every process)', pgid);
  const checked = normalizePid(pgid, 'pgid');
  native.kill(-checked, normalizeSignal(signal, 'signal', true));
}

/**
 * pidfd_open(2) (Linux 5.3): an fd that refers to this process and no other,
 * even after its pid is reused. Close-on-exec. Readable once the process
 * has exited.
 * @throws Error with code 'ENOSYS' on older kernels, 'ESRCH' when there is no such process.
 */
export function pidfdOpen(pid: number): number {
  return native.pidfdOpen(normalizePid(pid));
}

/** pidfd_send_signal(2) (Linux 5.1). */
export function pidfdSendSignal(fd: number, signal: Signal = 'SIGTERM'): void {
  native.pidfdSendSignal(normalizeFd(fd), normalizeSignal(signal, 'signal', true));
}

let pidfdSupport: boolean | undefined;

/** Whether the kernel has pidfd_open and pidfd_send_signal. */
export function pidfdSupported(): boolean {
  if (pidfdSupport === undefined) {
    try {
      closeSync(native.pidfdOpen(process.pid));
      pidfdSupport = true;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOSYS') throw error;
      pidfdSupport = false;
    }
  }
  return pidfdSupport;
}

/**
 * A reference to one process that survives pid reuse where the kernel has
 * pidfds; elsewhere (before Linux 5.3) it falls back to kill(pid), which is
 * safe only for our own unreaped children.
 */
export class ProcessHandle {
  readonly pid: number;
  #fd: number;
  #closed = false;

  /** @throws Error with code 'ESRCH' when the process does not exist. */
  constructor(pid: number) {
    this.pid = normalizePid(pid);
    this.#fd = -1;
    if (pidfdSupported()) {
      this.#fd = native.pidfdOpen(this.pid);
    } else {
      native.kill(this.pid, 0);
    }
  }

  /** The pidfd, or -1 on kernels without pidfds (or once closed). */
  get fd(): number {
    return this.#fd;
  }

  /** Sends a signal. @throws Error with code 'ESRCH' once the process has been reaped. */
  kill(signal: Signal = 'SIGTERM'): void {
    const sig = normalizeSignal(signal, 'signal', true);
    if (this.#closed) throw pid1Error('ERR_PID1_HANDLE_CLOSED', `The handle of process ${this.pid} is closed`);
    if (this.#fd >= 0) native.pidfdSendSignal(this.#fd, sig);
    else native.kill(this.pid, sig);
  }

  close(): void {
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
    this.#closed = true;
  }
}
