// Stopping processes gracefully, the one way both faces do it. A stop fixes
// its deadline when it begins; sends its signal (SIGTERM) to each target
// that has not had it already, once; at the deadline SIGKILLs only what is
// really still alive, checked without waiting; kills at once what turns up
// after the deadline; and logs each kill with what is running now and the
// time that really passed. Exits are seen through pidfds becoming readable
// (Linux 5.3), watched by libuv: nothing is polled.
import { native, NativeFdWatcher } from '../kernel/native';
import { ProcessHandle, pidfdSupported } from './kill';
import { commandOf, ProcessInfo, readStat } from '../kernel/procfs';
import { signalName } from '../kernel/signals';
import { hasCode } from '../kernel/validate';
import { debuglog } from 'util';

// NODE_DEBUG=pid1 traces each step of every stop on stderr: what each look
// listed, what became of each listed process, each exit, the deadline and
// the end. Off, it costs one function call per step.
const trace = debuglog('pid1');

/** One process a stop dealt with. */
export interface StoppedProcess {
  pid: number;
  command: string;
}

/** What a stop did. */
export interface ShutdownReport {
  signal: string;
  gracePeriodMs: number;
  /** Processes that exited before the deadline. */
  exited: StoppedProcess[];
  /** Processes alive at the deadline, or found after it, sent SIGKILL. */
  killed: StoppedProcess[];
  durationMs: number;
}

/**
 * Structured fields of a log line, for loggers that keep them (JSON):
 * `event` ('kill', 'signal', 'exit', 'reap', 'error', 'warning'), and
 * `target` (the pid concerned), `command`, `signal`, `afterMs` where they apply.
 */
export interface LogFields {
  event: string;
  [field: string]: unknown;
}

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
}

/** A signal a target had already, from the forwarder, and how long ago. */
export interface AlreadySent {
  signal: string;
  agoMs: number;
}

export interface StopOptions {
  signal: number;
  gracePeriodMs: number;
  logger: Logger;
  /**
   * Who to stop; asked again whenever every known target is gone, until the
   * deadline, and once at the deadline (`atDeadline` true). An entry marked
   * `exited` (listed, then found exited) is not stopped: it makes the stop
   * look again, once, for what it may have forked.
   */
  targets: (atDeadline: boolean) => ProcessInfo[];
  /** Whether a target got the signal already (so it is not sent twice). */
  alreadySent?: (info: ProcessInfo) => AlreadySent | undefined;
  /**
   * Aborting ends the grace period at once: the deadline's work (SIGKILL
   * what still runs, and whatever turns up) is done now. Aborted before the
   * stop begins: nothing is sent the first signal, everything is killed.
   */
  abortSignal?: AbortSignal;
  /**
   * Whether a target still belongs to the stop, asked once its pidfd is
   * open: if the process is still running after a yes, the yes was about
   * the process the pidfd names, so a pid recycled since `targets()` looked
   * is never signalled (not even within the same clock tick).
   */
  confirm?: (info: ProcessInfo) => boolean;
}

interface Tracked {
  info: ProcessInfo;
  handle: ProcessHandle;
  watcher: NativeFdWatcher | null;
  /** When it was sent the stop's signal (ms, monotonic), and which; undefined: never. */
  sentAt: number | undefined;
  sentSignal: string;
  killed: boolean;
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

function isRunning(pid: number): boolean {
  const state = readStat(pid)?.state;
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** A stop under way; `promise` resolves with its report. */
export class Stop {
  readonly promise: Promise<ShutdownReport>;
  readonly #options: StopOptions;
  readonly #started = nowMs();
  readonly #watchable = pidfdSupported();
  readonly #alive = new Map<number, Tracked>();
  readonly #seen = new Set<string>();
  readonly #exited: StoppedProcess[] = [];
  readonly #killed: StoppedProcess[] = [];
  #timer: NodeJS.Timeout;
  #passed = false;
  #aborted = false;
  #finished = false;
  readonly #onAbort = (): void => {
    if (this.#passed || this.#finished) return;
    this.#aborted = true;
    clearTimeout(this.#timer);
    this.#atDeadline();
  };
  #resolve: (report: ShutdownReport) => void = () => {};

  constructor(options: StopOptions) {
    this.#options = options;
    this.promise = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.#timer = setTimeout(() => this.#deadlineTimer(), options.gracePeriodMs);
    if (options.abortSignal?.aborted) {
      this.#onAbort();
      return;
    }
    options.abortSignal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#scan();
  }

  /** What an abort does: the deadline now. */
  abort(): void {
    this.#onAbort();
  }

  #report(): ShutdownReport {
    return {
      signal: signalName(this.#options.signal),
      gracePeriodMs: this.#options.gracePeriodMs,
      exited: this.#exited,
      killed: this.#killed,
      durationMs: Math.round(nowMs() - this.#started),
    };
  }

  #scan(): void {
    if (this.#finished) return;
    let vanished = false;
    const listed = this.#options.targets(false);
    if (trace.enabled) trace('stop: look lists %j', listed.map((info) => info.pid));
    for (const info of listed) vanished = this.#track(info) || vanished;
    if (this.#alive.size > 0) return;
    // A target that exited between the listing and its check may have
    // forked first: what it started shows on the next look, taken once the
    // loop has turned (the deadline can still come in between).
    if (vanished) {
      trace('stop: nothing tracked, a listed process vanished: looking again');
      setImmediate(() => this.#scan());
    } else {
      this.#finish();
    }
  }

  /** Returns true when the listed process had exited by the time it was checked. */
  #track(info: ProcessInfo): boolean {
    if (this.#alive.has(info.pid)) return false;
    const key = `${info.pid}:${info.startTime}`;
    if (info.exited === true) {
      // Exited between the listing and its stat: it vanished, once (a
      // zombie that stays is listed again, and counts no more).
      if (this.#seen.has(key)) return false;
      this.#seen.add(key);
      trace('stop: %d exited after the listing', info.pid);
      return true;
    }
    // Seen before and not tracked now: that process has exited. A zombie
    // of it is skipped; a running process is another one, given the same
    // pid within the same clock tick (start times are in ticks, and pids
    // come round that fast under a small pid_max): it is stopped as well.
    if (this.#seen.has(key) && !isRunning(info.pid)) {
      trace('stop: %d seen before, not running: skipped', info.pid);
      return false;
    }
    this.#seen.add(key);
    let handle: ProcessHandle;
    try {
      handle = new ProcessHandle(info.pid);
    } catch (error) {
      if (hasCode(error, 'ESRCH')) {
        trace('stop: %d gone before its pidfd opened', info.pid);
        return true;
      }
      this.#options.logger.warn(`cannot watch pid ${info.pid} (${info.command}): ${(error as Error).message}`, { event: 'error', target: info.pid });
      return false;
    }
    // The pid may have been reused between the /proc scan and the open.
    if (readStat(info.pid)?.startTime !== info.startTime) {
      trace('stop: %d gone or reused before its pidfd opened', info.pid);
      handle.close();
      return true;
    }
    const confirm = this.#options.confirm;
    if (confirm !== undefined) {
      const member = confirm(info);
      // Asked after the check: a process that has exited meanwhile has
      // vanished, whatever the check said (reaped by its parent, it has no
      // /proc entry to say where it belonged), and what it left behind is
      // for the next look. A running one is the process the pidfd names,
      // and only then does a no mean outside.
      if (handle.fd >= 0 && native.pidfdExited(handle.fd)) {
        trace('stop: %d exited before its check', info.pid);
        handle.close();
        return true;
      }
      if (!member) {
        trace('stop: %d is not a target', info.pid);
        handle.close();
        return false;
      }
    }
    const tracked: Tracked = { info, handle, watcher: null, sentAt: undefined, sentSignal: signalName(this.#options.signal), killed: false };
    this.#alive.set(info.pid, tracked);
    if (this.#watchable) {
      tracked.watcher = new native.FdWatcher(handle.fd, () => this.#gone(tracked));
      tracked.watcher.start();
    }
    if (this.#passed) {
      this.#kill(tracked);
      return false;
    }
    const prior = this.#options.alreadySent?.(info);
    trace('stop: %d tracked (%s)%s', info.pid, info.command, prior === undefined ? '' : `, sent ${prior.signal} already`);
    if (prior !== undefined) {
      tracked.sentAt = nowMs() - prior.agoMs;
      tracked.sentSignal = prior.signal;
      return false;
    }
    try {
      handle.kill(this.#options.signal);
      tracked.sentAt = nowMs();
    } catch (error) {
      if (!hasCode(error, 'ESRCH')) throw error; // exiting already: its pidfd says when
      trace('stop: %d exiting already (ESRCH)', info.pid);
    }
    return false;
  }

  #gone(tracked: Tracked, settling = false): void {
    if (!this.#alive.has(tracked.info.pid)) return;
    tracked.watcher?.close();
    tracked.handle.close();
    this.#alive.delete(tracked.info.pid);
    trace('stop: %d exited, %d tracked left', tracked.info.pid, this.#alive.size);
    if (!tracked.killed) this.#exited.push({ pid: tracked.info.pid, command: tracked.info.command });
    if (this.#alive.size > 0 || settling) return;
    // Before the deadline, whoever turned up meanwhile is stopped too; after
    // it, the stop ends: nothing can keep it going for ever.
    if (this.#passed) this.#finish();
    else this.#scan();
  }

  // Checked right before a SIGKILL, without waiting: the event loop may have
  // been too busy to hear a pidfd that became readable long ago.
  #exitedAlready(tracked: Tracked): boolean {
    if (tracked.handle.fd >= 0) return native.pidfdExited(tracked.handle.fd) === 1;
    const stat = readStat(tracked.info.pid);
    return stat === undefined || stat.startTime !== tracked.info.startTime || stat.state === 'Z' || stat.state === 'X';
  }

  #kill(tracked: Tracked): void {
    const { pid } = tracked.info;
    const command = commandOf(pid, undefined);
    tracked.killed = true;
    this.#killed.push({ pid, command });
    const fields: LogFields = { event: 'kill', target: pid, command, signal: 'SIGKILL' };
    let reason: string;
    if (tracked.sentAt === undefined) {
      reason = `never sent ${signalName(this.#options.signal)}: ${this.#aborted ? 'the stop was aborted' : 'found after the grace period ended'}`;
    } else {
      const afterMs = Math.round(nowMs() - tracked.sentAt);
      reason = `still running ${afterMs} ms after ${tracked.sentSignal}`;
      Object.assign(fields, { afterMs, after: tracked.sentSignal });
    }
    this.#options.logger.warn(`killed pid ${pid} (${command}) with SIGKILL: ${reason}`, fields);
    try {
      tracked.handle.kill('SIGKILL');
    } catch (error) {
      if (!hasCode(error, 'ESRCH')) throw error; // it exited in between
    }
  }

  // libuv counts timers from its loop time, which may lag behind (it is read
  // from CLOCK_MONOTONIC_COARSE and kept in whole ms): the timer can fire a
  // millisecond or two before the grace period has really passed. It is
  // the stop's own clock that says when it has.
  #deadlineTimer(): void {
    const left = this.#started + this.#options.gracePeriodMs - nowMs();
    if (left > 0) this.#timer = setTimeout(() => this.#deadlineTimer(), Math.ceil(left) + 1);
    else this.#atDeadline();
  }

  #atDeadline(): void {
    this.#passed = true;
    trace('stop: deadline%s, %d tracked', this.#aborted ? ' (aborted)' : '', this.#alive.size);
    for (const tracked of [...this.#alive.values()]) {
      if (this.#exitedAlready(tracked)) this.#gone(tracked, true);
      else this.#kill(tracked);
    }
    // Once: what appeared since the last look is killed at once.
    for (const info of this.#options.targets(true)) this.#track(info);
    // Without pidfds (before Linux 5.3) exits of processes that are not our
    // children cannot be seen without polling: report and stop here.
    if (!this.#watchable || this.#alive.size === 0) this.#finish();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    trace('stop: finished, %d exited, %d killed', this.#exited.length, this.#killed.length);
    clearTimeout(this.#timer);
    this.#options.abortSignal?.removeEventListener('abort', this.#onAbort);
    for (const tracked of this.#alive.values()) {
      tracked.watcher?.close();
      tracked.handle.close();
    }
    this.#alive.clear();
    this.#resolve(this.#report());
  }
}
