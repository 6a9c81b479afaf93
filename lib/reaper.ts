// The JS half of the core: starts the native reaper thread on a set of
// signals blocked in every thread, keeps it told which signals have a JS
// listener behind them, and turns its batches into events.
import { EventEmitter } from 'events';
import { constants } from 'os';
import { native, NativeReaperBatch } from './native';
import './ownership';
import { sigprocmask } from './sigmask';
import { normalizeSignal, signalName } from './signals';
import { pid1Error } from './validate';

/** A process the reaper collected: an adopted orphan or a child it owns. */
export interface ReapEvent {
  pid: number;
  exitCode: number | null;
  signal: string | null;
  coreDumped: boolean;
}

/** A signal the reaper read. */
export interface SignalEvent {
  signal: string;
  signo: number;
  /** The sender's pid (0 from the kernel, e.g. a terminal's Ctrl+C). */
  pid: number;
  uid: number;
  /** si_code: 0 SI_USER (kill), 0x80 SI_KERNEL (terminal), -6 SI_TKILL... */
  code: number;
}

const SIGCHLD = constants.signals.SIGCHLD;
const EVENT_INTS = 6;
// Events emitted per turn of the event loop: a storm of thousands of orphans
// is reported in slices, so the app's other callbacks run in between.
const SLICE = 256;

/**
 * The process-wide reaper. Events: 'reap' (ReapEvent), 'signal' (SignalEvent).
 * Start it once; stop() restores every mask it changed.
 */
export class Reaper extends EventEmitter {
  #signals: number[] = [];
  #pending: NativeReaperBatch[] = [];
  #offset = 0;
  #draining = false;
  #onIdle: (() => void)[] = [];
  #addedToMask: number[] = [];
  #onNewListener = (event: string | symbol): void => this.#listenersChanged(event, 1);
  #onRemoveListener = (event: string | symbol): void => this.#listenersChanged(event, 0);

  get running(): boolean {
    return native.reaperRunning();
  }

  /** The native thread's id, 0 when not running. */
  get threadId(): number {
    return native.reaperTid();
  }

  /** The signals the reaper owns, SIGCHLD included. */
  get signals(): number[] {
    return [...this.#signals];
  }

  /**
   * Blocks `signals` and SIGCHLD in every thread and starts the thread.
   * @throws Error with code 'ERR_PID1_REAPER_RUNNING' when a reaper runs already.
   */
  start(signals: readonly number[]): void {
    if (native.reaperRunning()) throw pid1Error('ERR_PID1_REAPER_RUNNING', 'The pid1 reaper is running already in this process');
    const set = [...new Set([SIGCHLD, ...signals])].sort((a, b) => a - b);
    const before = new Set(sigprocmask('block', [], { scope: 'thread' }).map((name) => normalizeSignal(name)));
    sigprocmask('block', set, { scope: 'process' });
    try {
      native.reaperStart(set, (batch) => this.#deliver(batch));
    } catch (error) {
      sigprocmask('unblock', set.filter((s) => !before.has(s)), { scope: 'process' });
      throw error;
    }
    this.#signals = set;
    this.#addedToMask = set.filter((s) => !before.has(s));
    for (const signal of set) if (signal !== SIGCHLD) this.#syncHandOn(signal);
    process.on('newListener', this.#onNewListener);
    process.on('removeListener', this.#onRemoveListener);
  }

  /** Whether the reaper holds the event loop open (it does not by default). */
  ref(on = true): void {
    native.reaperRef(on);
  }

  /**
   * Stops the thread and unblocks what start() blocked. `onDrained` runs
   * once every event the thread produced has been emitted.
   */
  stop(onDrained?: () => void): void {
    const running = native.reaperRunning();
    this.#halt(onDrained);
    // Signals that arrived meanwhile stay pending and reach Node's handlers now.
    if (running && this.#addedToMask.length > 0) sigprocmask('unblock', this.#addedToMask, { scope: 'process' });
    this.#signals = [];
    this.#addedToMask = [];
  }

  /**
   * For a process about to exit: stops the thread after a last reap pass
   * and calls `onDrained` once every event has been emitted. The signals
   * stay blocked: unblocked now, a late SIGTERM would end the process by
   * signal instead of with the status it is about to exit with.
   */
  finish(onDrained: () => void): void {
    this.#halt(onDrained);
  }

  #halt(onDrained?: () => void): void {
    if (!native.reaperRunning()) {
      if (onDrained !== undefined) process.nextTick(() => this.#whenIdle(onDrained));
      return;
    }
    process.off('newListener', this.#onNewListener);
    process.off('removeListener', this.#onRemoveListener);
    // A caller that waits must keep the loop open until the finaliser runs,
    // or Node may exit first with nothing else to do.
    if (onDrained !== undefined) native.reaperRef(true);
    // Drained means the native queue is empty and every slice was emitted.
    native.reaperStop(onDrained === undefined ? undefined : () => this.#whenIdle(onDrained));
  }

  /**
   * Forward owned signals to `target` (a pid, or -pgid) from the reaper
   * thread, without waiting for JS; `rewrite` maps signal numbers (0 drops).
   * Stops when the reaper collects `leader`.
   */
  forward(target: number, leader: number, rewrite: ReadonlyMap<number, number> = new Map()): void {
    const table: number[] = [];
    for (let sig = 0; sig <= native.SIGRTMAX; sig++) table.push(rewrite.get(sig) ?? sig);
    native.reaperSetForward(target, leader, table);
  }

  /**
   * Narrows what reaches JS, for a face that needs little of it: with
   * `allReaps` false only the forward() leader's reap is emitted; signals in
   * `quiet` are forwarded but not emitted. Waking JS costs more than reaping.
   */
  report(allReaps: boolean, quiet: readonly number[] = []): void {
    native.reaperSetReporting(allReaps, [...quiet]);
  }

  /**
   * Holds the signals to forward until forward() names the target: call it
   * before starting the process they are for, so none is dropped meanwhile.
   */
  holdForward(): void {
    native.reaperHoldForward();
  }

  // Node's process.on(sig) installs libuv's handler before 'newListener'
  // listeners added later run, and removes it when the last one goes.
  #listenersChanged(event: string | symbol, adding: number): void {
    if (typeof event !== 'string' || !event.startsWith('SIG')) return;
    const signal = constants.signals[event as NodeJS.Signals];
    if (signal === undefined || !this.#signals.includes(signal)) return;
    // 'removeListener' fires after removal, 'newListener' before adding.
    native.reaperSetHandOn(signal, process.listenerCount(event) + adding > 0);
  }

  #syncHandOn(signal: number): void {
    native.reaperSetHandOn(signal, process.listenerCount(signalName(signal)) > 0);
  }

  #deliver(batch: NativeReaperBatch): void {
    this.#pending.push(batch);
    if (!this.#draining) this.#drain();
  }

  // Emits up to SLICE events, then yields to the event loop if more wait.
  #drain = (): void => {
    this.#draining = true;
    let budget = SLICE;
    while (this.#pending.length > 0 && budget > 0) {
      const batch = this.#pending[0];
      for (; this.#offset < batch.length && budget > 0; this.#offset += EVENT_INTS, budget--) this.#emitAt(batch, this.#offset);
      if (this.#offset >= batch.length) {
        this.#pending.shift();
        this.#offset = 0;
      }
    }
    if (this.#pending.length > 0) {
      setImmediate(this.#drain);
      return;
    }
    this.#draining = false;
    for (const callback of this.#onIdle.splice(0)) callback();
  };

  #whenIdle(callback: () => void): void {
    if (this.#draining) this.#onIdle.push(callback);
    else callback();
  }

  #emitAt(b: NativeReaperBatch, i: number): void {
    if (b[i] === 0) {
      const event: ReapEvent = { pid: b[i + 1], exitCode: b[i + 2] < 0 ? null : b[i + 2], signal: b[i + 3] === 0 ? null : signalName(b[i + 3]), coreDumped: b[i + 4] === 1 };
      this.emit('reap', event);
    } else {
      const event: SignalEvent = { signal: signalName(b[i + 1]), signo: b[i + 1], pid: b[i + 2], uid: b[i + 3], code: b[i + 4] };
      this.emit('signal', event);
    }
  }
}

/** The one reaper of this process. */
export const reaper = new Reaper();
