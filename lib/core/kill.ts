// Sending signals, guarded so that pid 0 and -1 are never signalled by
// accident, and through pidfds so that a recycled pid is never signalled.
import { closeSync } from 'fs';
import { ExitSlot, ExitStatus, holdLoopFor, release, UNKNOWN_EXIT, want, whenCollected } from './exits';
import { native, NativeFdWatcher, NativeWaitResult } from '../kernel/native';
import { readStat } from '../kernel/procfs';
import { normalizeSignal, Signal, signalName } from '../kernel/signals';
import { hasCode, normalizeFd, normalizePid, pid1Error, rangeError, typeError } from '../kernel/validate';

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
      if (!hasCode(error, 'ENOSYS')) throw error;
      pidfdSupport = false;
    }
  }
  return pidfdSupport;
}

// Set by spawn() while it wraps its own child (see ownChildHandle).
let adopting: number | undefined;

/**
 * The handle spawn() returns: its pidfd is opened on first use, and the
 * start time read while the child could not yet be reaped proves that the
 * pid still names it (no fd is held for a child nobody looks at).
 * @internal
 */
export function ownChildHandle<T extends ProcessHandle>(startTime: number, make: () => T): T {
  adopting = startTime;
  try {
    return make();
  } finally {
    adopting = undefined;
  }
}

const registry = new FinalizationRegistry<ExitSlot>((slot) => release(slot));

function gone(pid: number): Error {
  const error = pid1Error('ESRCH', `Process ${pid} has exited and been reaped`) as Error & { code: string; syscall: string };
  error.syscall = 'pidfd_open';
  return error;
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
  /** spawn()'s own child: the pidfd is opened lazily, checked by this start time. */
  readonly #startTime: number | undefined;
  /** spawn()'s child: its claim on the reaper's report of its exit. */
  readonly #slot: ExitSlot | undefined;
  #reaped = false;
  #exited: Promise<ExitStatus> | undefined;
  #watcher: NativeFdWatcher | null = null;
  #abandon: ((error: Error) => void) | null = null;
  #refed = true;
  /** `exited` waits for the reaper's report of a reap made before the watch looked. */
  #awaitingReport = false;
  /** This handle holds the event loop open for that report (holdLoopFor). */
  #holdsLoop = false;

  /** @throws Error with code 'ESRCH' when the process does not exist. */
  constructor(pid: number) {
    this.pid = normalizePid(pid);
    this.#fd = -1;
    this.#startTime = adopting;
    if (this.#startTime !== undefined) {
      this.#slot = want(this.pid, this.#startTime, () => this.#isZombie());
      registry.register(this, this.#slot, this);
      // init()'s reaper may reap it any moment from now: hold its pidfd at
      // once (the pid cannot have been reused yet: spawn() is in flight).
      // The reaper's report of the reap closes it, whether or not anyone
      // waits: no fd watch (and none of the Node-API look-ups a watch costs)
      // for a child nobody asks about.
      if (native.reaperRunning() && pidfdSupported()) {
        // No start-time check here: while spawn() is in flight the pid names the child.
        this.#fd = native.pidfdOpen(this.pid);
        whenCollected(this.#slot, () => this.#collected());
      }
      return;
    }
    if (pidfdSupported()) {
      this.#fd = native.pidfdOpen(this.pid);
    } else {
      native.kill(this.pid, 0);
    }
  }

  // spawn()'s child under init(): the reaper reported its reap, so the pid
  // may name another process from now on. A watch of `exited` closes the
  // pidfd itself when it fires (libuv must stop polling an fd before it is
  // closed); else it is closed here.
  #collected(): void {
    this.#reaped = true;
    if (this.#watcher === null && this.#fd >= 0) {
      closeSync(this.#fd);
      this.#fd = -1;
    }
  }

  /** The pidfd, or -1 on kernels without pidfds (or once closed). */
  get fd(): number {
    this.#open();
    return this.#fd;
  }

  // spawn()'s child: open its pidfd now, unless it has been reaped (then
  // the pid may name another process already).
  #open(): boolean {
    if (this.#fd >= 0) return true;
    if (this.#startTime === undefined || this.#closed || this.#reaped || !pidfdSupported()) return false;
    let fd: number;
    try {
      fd = native.pidfdOpen(this.pid);
    } catch (error) {
      if (!hasCode(error, 'ESRCH')) throw error;
      this.#reaped = true;
      return false;
    }
    if (readStat(this.pid)?.startTime !== this.#startTime) {
      closeSync(fd);
      this.#reaped = true;
      return false;
    }
    this.#fd = fd;
    return true;
  }

  // The zombie its pidfd shows, left unreaped (WNOWAIT): null when it has
  // not exited, 0 when it is reaped already (or not our child: ECHILD),
  // undefined without P_PIDFD (EINVAL, before Linux 5.4).
  #peek(): NativeWaitResult | null | 0 | undefined {
    try {
      const raw = native.waitid(native.idtype.pidfd, this.#fd, native.waitFlags.noWait, 0, 1);
      return raw === undefined ? null : raw;
    } catch (error) {
      if (hasCode(error, 'EINVAL')) return undefined;
      throw error;
    }
  }

  // Whether the process is a zombie now, from its pidfd: undefined without one.
  #isZombie(): boolean | undefined {
    if (this.#fd < 0) return undefined;
    const raw = this.#peek();
    return raw === undefined ? undefined : raw !== null && raw !== 0;
  }

  /** Sends a signal. @throws Error with code 'ESRCH' once the process has been reaped. */
  kill(signal: Signal = 'SIGTERM'): void {
    const sig = normalizeSignal(signal, 'signal', true);
    if (this.#closed) throw pid1Error('ERR_PID1_HANDLE_CLOSED', `The handle of process ${this.pid} is closed`);
    if (this.#open()) {
      native.pidfdSendSignal(this.#fd, sig);
      return;
    }
    if (this.#startTime !== undefined) {
      // Without pidfds, the start time is the only check that the pid is still ours.
      if (this.#reaped || readStat(this.pid)?.startTime !== this.#startTime) throw gone(this.pid);
    }
    native.kill(this.pid, sig);
  }

  /**
   * Resolves once the process has exited, with its status where this process
   * can know it (`known`): for our own children, through waitid(P_PIDFD,
   * WNOWAIT) (Linux 5.4), which leaves the child to be reaped by whoever
   * reaps it; for spawn()'s children under init(), from the reaper too. For
   * any other process the kernel tells only that it exited: `{ exitCode:
   * null, signal: null, known: false }`. A process that exited before anyone
   * asked resolves as well (its pidfd stays readable). Never rejects for an
   * exit; rejects with 'ERR_PID1_NO_PIDFD' on kernels without pidfds (before
   * Linux 5.3), where an exit cannot be watched without polling, and with
   * 'ERR_PID1_HANDLE_CLOSED' once the handle is closed.
   * Waiting keeps the event loop alive, as a ChildProcess does; see unref().
   */
  get exited(): Promise<ExitStatus> {
    this.#exited ??= this.#watch();
    return this.#exited;
  }

  /** Lets the process exit while `exited` is pending. */
  unref(): this {
    this.#refed = false;
    this.#watcher?.unref();
    this.#holdLoop();
    return this;
  }

  /** Waiting on `exited` keeps the event loop alive again (the default). */
  ref(): this {
    this.#refed = true;
    this.#watcher?.ref();
    this.#holdLoop();
    return this;
  }

  // Whatever `exited` waits on holds the loop while the handle is ref'd: the
  // watch itself, or the reaper's wake-up that brings the report.
  #holdLoop(): void {
    const hold = this.#awaitingReport && this.#refed;
    if (hold === this.#holdsLoop) return;
    this.#holdsLoop = hold;
    holdLoopFor('report', hold);
  }

  #watch(): Promise<ExitStatus> {
    if (this.#closed) return Promise.reject(pid1Error('ERR_PID1_HANDLE_CLOSED', `The handle of process ${this.pid} is closed`));
    if (!pidfdSupported()) {
      return Promise.reject(
        pid1Error('ERR_PID1_NO_PIDFD', `Waiting for process ${this.pid} to exit needs pidfds (Linux 5.3); this kernel has none. Use waitpid() for a child, or init()'s 'reap' events.`),
      );
    }
    return new Promise((resolve, reject) => {
      if (!this.#open()) {
        this.#fromReaper(resolve, reject);
        return;
      }
      const watcher = new native.FdWatcher(this.#fd, () => {
        watcher.close();
        this.#watcher = null;
        this.#abandon = null;
        try {
          this.#settle(resolve, reject);
        } catch (error) {
          reject(error);
        }
        // spawn()'s pidfd is its own to close: an exited child needs none.
        if (this.#startTime !== undefined && this.#fd >= 0) {
          closeSync(this.#fd);
          this.#fd = -1;
          this.#reaped = true;
        }
      });
      this.#watcher = watcher;
      this.#abandon = reject;
      watcher.start();
      if (!this.#refed) watcher.unref();
    });
  }

  #settle(resolve: (status: ExitStatus) => void, reject: (error: Error) => void): void {
    const raw = this.#peek();
    if (raw) {
      resolve({ exitCode: raw.exitCode ?? null, signal: raw.signal === undefined ? null : signalName(raw.signal), known: true });
      return;
    }
    this.#fromReaper(resolve, reject);
  }

  // Reaped before we looked: only the reaper of init() can still know how,
  // and its report may still be on its way to JS.
  #fromReaper(resolve: (status: ExitStatus) => void, reject: (error: Error) => void): void {
    const slot = this.#slot;
    if (slot?.status !== undefined) {
      resolve(slot.status);
      return;
    }
    if (slot === undefined || !native.reaperRunning()) {
      resolve(UNKNOWN_EXIT);
      return;
    }
    this.#awaitingReport = true;
    this.#abandon = reject;
    this.#holdLoop();
    whenCollected(slot, (status) => {
      this.#awaitingReport = false;
      this.#abandon = null;
      this.#holdLoop();
      resolve(status);
    });
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = null;
    this.#abandon?.(pid1Error('ERR_PID1_HANDLE_CLOSED', `The handle of process ${this.pid} was closed while waiting for its exit`));
    this.#abandon = null;
    this.#awaitingReport = false;
    this.#holdLoop();
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
    if (this.#slot !== undefined && !this.#closed) {
      registry.unregister(this);
      release(this.#slot);
    }
    this.#closed = true;
  }
}
