// The JS half of the core: starts the native reaper thread on a set of
// signals blocked in every thread, keeps it told which signals have a JS
// listener behind them, and hands its events to the face that started it.
//
// Events wait in a native queue; the thread only tells JS that some wait.
// JS takes them and emits them from setImmediate, never from inside the
// Node-API callback: a listener that throws then reaches the app as any
// uncaught exception does, and the events after it still go out.
import type * as Util from 'util';
import { holdLoopFor, noteReap, reaperStarted } from './exits';
import { flag, native, NativeReaperProtocol } from '../kernel/native';
import './ownership';
import { ProcessInfo } from '../kernel/procfs';
import { maskSignals, signalMask, signalName, SIGNALS } from '../kernel/signals';
import { pid1Error } from '../kernel/validate';

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
  /** A JS listener (process.on) was behind it, and got it. */
  handedOn: boolean;
  /** The reaper forwarded it. */
  forwarded: boolean;
}

/** What a face does with the reaper's events: called on the JS thread, in order. */
export interface ReaperSink {
  reap(event: ReapEvent): void;
  signal(event: SignalEvent): void;
  /** The reaper thread's own failure: an Error with code, errno and syscall. */
  error(error: Error & { code: string; errno: number; syscall: string }): void;
}

/** When a signal the reaper reads is forwarded (see Reaper.start). */
export type ForwardWhen = keyof NativeReaperProtocol['forwardWhen'];

export interface ReaperOptions {
  /** Forward to every direct child (init()); the CLI names one target with forward(). */
  forwardChildren?: boolean;
  /** Per signal; 'always' where not given. */
  forwardWhen?: ReadonlyMap<number, ForwardWhen>;
  /**
   * The fault forwarder's pipe (kernel/faultfwd.ts): the thread reads its
   * requests as signals, forwarded and reported like those of the
   * signalfd, never handed on. The fd stays the caller's.
   */
  faultFd?: number;
}

const SIGCHLD = SIGNALS.SIGCHLD;
// Read from the addon on first use: off Linux there is none, and loading
// pid1 must still work there.
let cachedProtocol: NativeReaperProtocol | undefined;
const wire = (): NativeReaperProtocol => (cachedProtocol ??= native.reaperProtocol);
// Events emitted per turn of the event loop: a storm of thousands of orphans
// is reported in slices, so the app's other callbacks run in between.
const SLICE = 256;

interface Chunk {
  sink: ReaperSink;
  events: Int32Array;
  offset: number;
}

function reaperError(errno: number, syscall: string): Error & { code: string; errno: number; syscall: string } {
  // Loaded with the first error: a start that has none does not pay for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const code = (require('util') as typeof Util).getSystemErrorName(-errno);
  const error = new Error(`pid1's reaper thread: ${syscall} ${code}`) as Error & { code: string; errno: number; syscall: string };
  error.code = code;
  error.errno = -errno;
  error.syscall = syscall;
  return error;
}

/**
 * Blocks or unblocks `signals` in every thread; returns what the calling
 * thread blocked before. The signals are the reaper's own (validated by
 * the face), so the addon is called without sigprocmask()'s checks and
 * name conversions.
 */
function processMask(how: 'block' | 'unblock', signals: readonly number[]): number[] {
  return maskSignals(native.processMask(native.maskHow[how], ...signalMask(signals)).previous);
}

/** The process-wide reaper. Start it once; stop() restores every mask it changed. */
export class Reaper {
  #signals: number[] = [];
  #sink: ReaperSink | undefined;
  // Each start is a generation: a wake-up queued by an earlier one is ignored.
  #generation = 0;
  #queue: Chunk[] = [];
  #scheduled = false;
  #onIdle: (() => void)[] = [];
  #addedToMask: number[] = [];
  #onNewListener = (event: string | symbol): void => this.#listenersChanged(event, 1);
  #onRemoveListener = (event: string | symbol): void => this.#listenersChanged(event, 0);
  #listening = false;

  get running(): boolean {
    return native.reaperRunning() === 1;
  }

  /** The native thread's id, 0 when not running. */
  get threadId(): number {
    return native.reaperTid();
  }

  /**
   * Blocks `signals` and SIGCHLD in every thread and starts the thread, which
   * first reaps the zombies that exist already. Everything the thread reads
   * goes to `sink`.
   * @throws Error with code 'ERR_PID1_REAPER_RUNNING' when a reaper runs already.
   */
  start(signals: readonly number[], sink: ReaperSink, options: ReaperOptions = {}): void {
    if (native.reaperRunning()) throw pid1Error('ERR_PID1_REAPER_RUNNING', 'The pid1 reaper is running already in this process');
    const set = [...new Set([SIGCHLD, ...signals])].sort((a, b) => a - b);
    // Configured before the thread starts: the first signal it reads obeys it.
    native.reaperSetForwardChildren(flag(options.forwardChildren === true));
    native.reaperSetFaultFd(options.faultFd ?? -1);
    for (const [signal, when] of options.forwardWhen ?? []) native.reaperSetForwardWhen(signal, wire().forwardWhen[when]);
    for (const signal of set) if (signal !== SIGCHLD) native.reaperSetHandOn(signal, flag(process.listenerCount(signalName(signal)) > 0));
    // What this thread blocked before: stop() leaves those blocked.
    const before = new Set(processMask('block', set));
    const generation = ++this.#generation;
    try {
      native.reaperStart(
        ...signalMask(set),
        () => {
          if (generation === this.#generation) this.#take();
        },
        'pid1-reaper',
      );
    } catch (error) {
      processMask('unblock', set.filter((s) => !before.has(s)));
      throw error;
    }
    reaperStarted();
    this.#sink = sink;
    this.#signals = set;
    this.#addedToMask = set.filter((s) => !before.has(s));
    this.#listen(true);
  }

  /**
   * Whether the reaper holds the event loop open for the face (it does not
   * by default; it does while a spawn() handle's `exited` waits for its report).
   */
  ref(on = true): void {
    holdLoopFor('face', on);
  }

  /**
   * Stops the thread after a last reap pass and unblocks what start()
   * blocked. Its last events are queued for the sink; flush() emits them.
   */
  stop(): void {
    this.#listen(false);
    if (!native.reaperRunning()) return;
    this.#halt();
    // Signals that arrived meanwhile stay pending and reach Node's handlers now.
    if (this.#addedToMask.length > 0) processMask('unblock', this.#addedToMask);
    this.#addedToMask = [];
  }

  /**
   * For a process about to exit: stops the thread after a last reap pass
   * and calls `onDrained` once every event has been emitted. The signals
   * stay blocked: unblocked now, a late SIGTERM would end the process by
   * signal instead of with the status it is about to exit with. Without
   * `onDrained` (in 'exit', where no later turn comes) nothing is scheduled:
   * flush() emits what is left.
   *
   * Nothing here that a process about to exit does not need: the listeners
   * on `process` stay (they do nothing once the thread stopped), and no
   * turn is scheduled that will not come. Removing a listener or calling
   * setImmediate() for the first time in a process costs Node about 0.2 ms
   * each, which an app that never did either would pay at every exit.
   */
  finish(onDrained?: () => void): void {
    if (native.reaperRunning()) this.#halt();
    if (onDrained === undefined) return;
    this.#onIdle.push(onDrained);
    this.#schedule();
  }

  /**
   * For a face about to exit, once finish() has drained: reaps the zombies
   * that arrived after the thread's last pass, here and under the same
   * ownership rule (a libuv child is left to libuv), and emits them to the
   * sink now.
   */
  reapLate(): void {
    this.#enqueue(native.reaperReapStopped());
    this.#emit(Infinity);
  }

  /**
   * Emits every event taken so far, now. A listener that throws: the
   * exception leaves flush(), and the events after it go out on the next
   * turn of the event loop.
   */
  flush(): void {
    this.#take();
    this.#emit(Infinity);
  }

  /** Takes what the thread queued; for a face whose event loop is about to empty. */
  collect(): boolean {
    this.#take();
    return this.#queue.length > 0;
  }

  /**
   * Forward owned signals to `target` (a pid, or -pgid) from the reaper
   * thread, without waiting for JS; `rewrite` maps signal numbers (0 drops).
   * Stops when the reaper collects `leader`.
   */
  forward(target: number, leader: number, rewrite: ReadonlyMap<number, number> = new Map()): void {
    const table: number[] = [];
    for (let sig = 0; sig <= native.SIGRTMAX; sig++) table.push(rewrite.get(sig) ?? sig);
    native.reaperSetForward(target, leader, String.fromCharCode(...table));
  }

  /** How long ago the forwarder sent `signal` to `process`, if it did. */
  sentAgo(signal: number, process: ProcessInfo): number | undefined {
    const ms = native.reaperSentAgo(signal, process.pid, process.pgrp, process.startTime);
    return ms < 0 ? undefined : ms;
  }

  /**
   * Narrows what reaches JS, for a face that needs little of it: with
   * `allReaps` false only the forward() leader's reap is emitted; signals in
   * `quiet` are forwarded but not emitted. Waking JS costs more than reaping.
   */
  report(allReaps: boolean, quiet: readonly number[] = []): void {
    native.reaperSetReporting(flag(allReaps), ...signalMask(quiet));
  }

  /**
   * Holds the signals to forward until forward() names the target: call it
   * before starting the process they are for, so none is dropped meanwhile.
   */
  holdForward(): void {
    native.reaperHoldForward();
  }

  // After it #listenersChanged finds no signal of ours: #signals is empty.
  #halt(): void {
    this.#generation++;
    this.#take();
    this.#enqueue(native.reaperStop());
    this.#signals = [];
  }

  // Whether the thread hears of the app's signal listeners (see below).
  // finish() leaves them: a process about to exit does not need them gone.
  #listen(on: boolean): void {
    if (on === this.#listening) return;
    this.#listening = on;
    const method = on ? 'on' : 'off';
    process[method]('newListener', this.#onNewListener);
    process[method]('removeListener', this.#onRemoveListener);
  }

  // Node's process.on(sig) installs libuv's handler before 'newListener'
  // listeners added later run, and removes it when the last one goes.
  // SIGCHLD is not among them: libuv's child watcher needs it whatever the
  // app listens for, and the native side always hands it on.
  #listenersChanged(event: string | symbol, adding: number): void {
    if (typeof event !== 'string' || !event.startsWith('SIG')) return;
    const signal = SIGNALS[event as NodeJS.Signals];
    if (signal === undefined || signal === SIGCHLD || !this.#signals.includes(signal)) return;
    // 'removeListener' fires after removal, 'newListener' before adding.
    native.reaperSetHandOn(signal, flag(process.listenerCount(event) + adding > 0));
  }

  #take(): void {
    this.#enqueue(native.reaperTake());
    if (this.#queue.length > 0) this.#schedule();
  }

  // The addon hands events over as a Buffer of int32s (native/napi/reaper_binding.cc).
  #enqueue(buffer: Uint8Array): void {
    if (buffer.length === 0 || this.#sink === undefined) return;
    const events = new Int32Array(buffer.buffer, buffer.byteOffset, buffer.length >> 2);
    this.#queue.push({ sink: this.#sink, events, offset: 0 });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#drain);
  }

  // A slice per turn; when the queue is empty, whoever waits for that.
  #drain = (): void => {
    this.#scheduled = false;
    this.#emit(SLICE);
    if (this.#queue.length > 0 || this.#scheduled) return;
    for (const callback of this.#onIdle.splice(0)) callback();
  };

  #emit(budget: number): void {
    try {
      while (this.#queue.length > 0 && budget-- > 0) {
        const chunk = this.#queue[0];
        const at = chunk.offset;
        // Moved past first: an event whose listener throws is not emitted again.
        chunk.offset += wire().eventInts;
        if (chunk.offset >= chunk.events.length) this.#queue.shift();
        this.#dispatch(chunk.sink, chunk.events, at);
      }
    } finally {
      if (this.#queue.length > 0) this.#schedule();
    }
  }

  #dispatch(sink: ReaperSink, b: Int32Array, i: number): void {
    const { kinds: KIND, signalFlags: FLAG, syscalls } = wire();
    switch (b[i]) {
      case KIND.reap: {
        const event = { pid: b[i + 1], exitCode: b[i + 2] < 0 ? null : b[i + 2], signal: b[i + 3] === 0 ? null : signalName(b[i + 3]), coreDumped: b[i + 4] === 1 };
        noteReap(event); // the status a spawn() handle's `exited` waits for
        sink.reap(event);
        break;
      }
      case KIND.signal:
        sink.signal({
          signal: signalName(b[i + 1]),
          signo: b[i + 1],
          pid: b[i + 2],
          uid: b[i + 3],
          code: b[i + 4],
          handedOn: (b[i + 5] & FLAG.handedOn) !== 0,
          forwarded: (b[i + 5] & FLAG.forwarded) !== 0,
        });
        break;
      case KIND.error:
        sink.error(reaperError(b[i + 1], Object.keys(syscalls).find((name) => syscalls[name] === b[i + 2]) ?? 'unknown'));
        break;
      default:
        throw pid1Error('ERR_PID1_PROTOCOL', `unknown reaper event kind ${b[i]}`);
    }
  }
}

/** The one reaper of this process. */
export const reaper = new Reaper();
