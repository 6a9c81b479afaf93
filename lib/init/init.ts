// init(): makes the running Node app a correct PID 1 or subreaper. The reaper
// thread reaps orphans, forwards signals to the children and hands them on
// to the app's listeners; this face reports what it reaped, applies the
// signal policy, and stops descendants gracefully through the core's stop.
import { EventEmitter } from 'events';
import type * as Inert from './inert';
import { runExempt, exempt as exemptPid, setDetachChildren } from '../core/ownership';
import { descendantsOf, hasDescendants, ProcessInfo } from '../kernel/procfs';
import { ForwardWhen, reaper, ReapEvent, ReaperSink, SignalEvent } from '../core/reaper';
import { NOT_FORWARDED, normalizeSignal, signalName, Signal, SIGNALS } from '../kernel/signals';
import type * as StopFloor from '../core/stop';
import type { Logger, ShutdownReport, Stop } from '../core/stop';
import { isChildSubreaper, setChildSubreaper } from '../kernel/subreaper';
import { nativeSupported } from '../kernel/platform';
import { isTerminal } from '../kernel/tty';
import { hasCode, normalizeMs, normalizeOptions, normalizePid, pid1Error, rangeError, typeError } from '../kernel/validate';

export type { Logger, LogFields, ShutdownReport, StoppedProcess } from '../core/stop';
export type { ReapEvent, SignalEvent } from '../core/reaper';
export type { ProcessInfo } from '../kernel/procfs';

export interface InitOptions {
  /**
   * Become a child subreaper, so orphans below this process are reparented
   * to it. 'auto' does so unless this process is PID 1 (which adopts them
   * anyway). Where prctl answers EPERM, init() warns once and goes on.
   * @default 'auto'
   */
  subreaper?: 'auto' | boolean;
  /**
   * How long a stop waits after SIGTERM before SIGKILL. Inside Docker's 10 s
   * stop timeout, so pid1's own SIGKILL and its log come first.
   * @default 8000
   */
  gracePeriodMs?: number;
  /** Signals passed on to the direct children. @default ['SIGTERM','SIGINT','SIGHUP','SIGQUIT','SIGUSR2','SIGWINCH'] */
  forward?: Signal[];
  /**
   * 'auto': a SIGTERM, SIGINT, SIGHUP or SIGQUIT that the app does not
   * listen for stops the descendants (with SIGTERM, whatever the trigger)
   * and exits with 128 + n; it is not forwarded. 'manual': pid1 only
   * forwards and emits 'signal'.
   * @default 'auto'
   */
  onSignal?: 'auto' | 'manual';
  /**
   * Give each child_process child a session of its own (detached), so a
   * terminal's Ctrl+C, which signals the whole foreground process group,
   * reaches the children only through the coordinated stop. 'auto' does
   * so when stdin is a terminal.
   * @default 'auto'
   */
  isolateChildren?: 'auto' | boolean;
  /**
   * Stop the descendants gracefully when the event loop empties with some
   * left. 'auto': only as PID 1, where the kernel would SIGKILL them when
   * this process exits; elsewhere they are reparented and run on.
   * @default 'auto'
   */
  stopOnExit?: 'auto' | boolean;
  /** Where pid1 logs kills and warnings; false for nowhere. @default lines on stderr prefixed "pid1: " */
  logger?: Logger | false;
}

const OPTION_KEYS = ['subreaper', 'gracePeriodMs', 'forward', 'onSignal', 'isolateChildren', 'stopOnExit', 'logger'] as const;
const DEFAULT_FORWARD: Signal[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGWINCH'];

// The signal policy of onSignal 'auto', by whether the app listens for it.
// A listening app is in charge: its listener runs and pid1 forwards. Without
// a listener these four would end a plain Node process (as PID 1 they would
// be ignored): pid1 stops the descendants with SIGTERM, whatever the
// trigger (shell background jobs ignore INT and QUIT, daemons reload on
// HUP), and exits with 128 + n. Any other signal is only forwarded: an init
// is not ended by a signal meant for its children.
const STOPPING = new Set<number>([SIGNALS.SIGTERM, SIGNALS.SIGINT, SIGNALS.SIGHUP, SIGNALS.SIGQUIT]);
const SIGTERM = SIGNALS.SIGTERM;

const stderrLogger: Logger = {
  info: (message) => process.stderr.write(`pid1: ${message}\n`),
  warn: (message) => process.stderr.write(`pid1: ${message}\n`),
};

const silentLogger: Logger = { info: () => {}, warn: () => {} };

interface Settings {
  subreaper: 'auto' | boolean;
  gracePeriodMs: number;
  forward: number[];
  onSignal: 'auto' | 'manual';
  isolateChildren: boolean;
  stopOnExit: boolean;
  logger: Logger;
}

function normalizeTriState(value: unknown, name: string): 'auto' | boolean {
  if (value !== 'auto' && typeof value !== 'boolean') throw rangeError(name, "'auto', true or false", value);
  return value;
}

function normalizeInitOptions(value: unknown): Settings {
  const options = normalizeOptions<InitOptions>(value, 'options', OPTION_KEYS);
  const { subreaper = 'auto', gracePeriodMs = 8000, forward = DEFAULT_FORWARD, onSignal = 'auto', isolateChildren = 'auto', stopOnExit = 'auto', logger } = options;
  normalizeTriState(subreaper, 'options.subreaper');
  if (onSignal !== 'auto' && onSignal !== 'manual') throw rangeError('options.onSignal', "'auto' or 'manual'", onSignal);
  const isolate = normalizeTriState(isolateChildren, 'options.isolateChildren');
  const stop = normalizeTriState(stopOnExit, 'options.stopOnExit');
  if (!Array.isArray(forward)) throw typeError('options.forward', 'an array of signals', forward);
  const signals = forward.map((s, i) => normalizeSignal(s, `options.forward[${i}]`));
  for (const [i, s] of signals.entries()) {
    const why = NOT_FORWARDED.get(s);
    if (why !== undefined) throw rangeError(`options.forward[${i}]`, `a signal pid1 may forward (not ${signalName(s)}: ${why})`, forward[i]);
  }
  let log: Logger = stderrLogger;
  if (logger === false) log = silentLogger;
  else if (logger !== undefined) {
    if (logger === null || typeof logger.info !== 'function' || typeof logger.warn !== 'function') {
      throw typeError('options.logger', 'false or an object with info() and warn() methods', logger);
    }
    log = logger;
  }
  return {
    subreaper,
    gracePeriodMs: normalizeMs(gracePeriodMs, 'options.gracePeriodMs'),
    forward: [...new Set(signals)].sort((a, b) => a - b),
    onSignal,
    isolateChildren: isolate === 'auto' ? isTerminal(0) : isolate,
    stopOnExit: stop === 'auto' ? process.pid === 1 : stop,
    logger: log,
  };
}

// The options in which two settings differ, for a second init().
function differences(a: Settings, b: Settings): string[] {
  return (Object.keys(a) as (keyof Settings)[]).filter((key) => (key === 'forward' ? a.forward.join() !== b.forward.join() : a[key] !== b[key]));
}

/**
 * The events of an Init, by name, with the arguments each listener receives:
 * on/once/off accept only these, typed (@types/node's generic EventEmitter).
 */
export interface InitEvents {
  reap: [event: ReapEvent];
  signal: [event: SignalEvent];
  error: [error: Error];
}

/**
 * The running init. Events:
 * - 'reap' (ReapEvent): a process the reaper collected: an adopted orphan
 *   or a child forked by native code (child_process children report their
 *   own 'exit' instead);
 * - 'signal' (SignalEvent): every signal received among those it owns;
 * - 'error' (Error with code, errno, syscall): the reaper thread failed.
 *   It is always logged; emitted only when the app listens for it, so that
 *   an init does not die of it by default.
 * A listener that throws behaves as with any event source: the exception
 * is the app's uncaught exception, and later events still come.
 */
export class Init extends EventEmitter<InitEvents> {
  readonly gracePeriodMs: number;
  readonly forwarded: string[];
  readonly #settings: Settings;
  #subreaperBefore: boolean;
  #closed = false;
  #exiting = false;
  #stopping: Promise<ShutdownReport> | undefined;
  #stop: Stop | undefined;
  #onBeforeExit = (): void => this.#beforeExit();
  #onExit = (): void => this.#lastEvents();

  /** @internal use init() */
  constructor(settings: Settings) {
    super();
    this.#settings = settings;
    this.gracePeriodMs = settings.gracePeriodMs;
    this.forwarded = settings.forward.map(signalName);
    this.#subreaperBefore = isChildSubreaper();
    if (settings.subreaper === true || (settings.subreaper === 'auto' && process.pid !== 1)) {
      try {
        setChildSubreaper(true);
      } catch (error) {
        if (!hasCode(error, 'EPERM')) throw error;
        settings.logger.warn('cannot become a child subreaper here (prctl EPERM): orphans of descendants will be reaped by the real init, not by this process', { event: 'warning' });
      }
    }
    const auto = settings.onSignal === 'auto';
    const owned = auto ? [...new Set([...settings.forward, ...STOPPING])] : settings.forward;
    const when = new Map<number, ForwardWhen>();
    for (const signal of owned) {
      if (!settings.forward.includes(signal)) when.set(signal, 'never');
      else if (auto && STOPPING.has(signal)) when.set(signal, 'listening');
    }
    try {
      reaper.start(owned, this.#sink, { forwardChildren: true, forwardWhen: when });
    } catch (error) {
      // Nothing is left half-done: reaper.start() restored the masks.
      this.#restoreSubreaper();
      throw error;
    }
    // isolateChildren: a terminal's Ctrl+C goes to the whole foreground
    // process group; in sessions of their own the children wait for the
    // coordinated shutdown instead of dying first.
    setDetachChildren(settings.isolateChildren);
    process.on('beforeExit', this.#onBeforeExit);
    process.on('exit', this.#onExit);
  }

  /** The reaper thread's id (diagnostics: /proc/self/task/ID). */
  get reaperThreadId(): number {
    return reaper.threadId;
  }

  /** The live processes below this one (as PID 1: every other process in the namespace). */
  descendants(): ProcessInfo[] {
    return descendantsOf(process.pid);
  }

  /**
   * Leaves `pid` to its owner: a child forked by other native code that will
   * wait for it itself. `on = false` gives it back once the owner has waited.
   * Prefer exemptSpawn(): a child can exit before its pid reaches exempt().
   */
  exempt(pid: number, on = true): void {
    exemptPid(normalizePid(pid), on);
  }

  /**
   * Runs `spawn`, which forks through other native code (node-pty, say), with
   * reaping paused, and exempts the pid it returns (a number, or an object
   * with a `pid`) before reaping resumes: the child is never taken from its
   * owner, even if it exits at once. When the result has node-pty's
   * `onExit(listener)`, the pid is given back once the owner has waited;
   * otherwise call exempt(pid, false) then.
   * @throws TypeError when `spawn` returns no pid (the child, if any, stays exempt of nothing).
   */
  exemptSpawn<T>(spawn: () => T): T {
    if (typeof spawn !== 'function') throw typeError('spawn', 'a function', spawn);
    return runExempt(spawn);
  }

  /**
   * Stops every descendant: SIGTERM (or `signal`) to each that has not had it
   * from the forwarder already, the grace period from now, then SIGKILL for
   * what is really still alive (each logged). Resolves with who exited and
   * who was killed. A second call while one runs returns the same promise.
   */
  shutdown(options?: { signal?: Signal; gracePeriodMs?: number; abortSignal?: AbortSignal }): Promise<ShutdownReport> {
    const { signal = 'SIGTERM', gracePeriodMs = this.gracePeriodMs, abortSignal } = normalizeOptions<{ signal: Signal; gracePeriodMs: number; abortSignal: AbortSignal }>(options, 'options', ['signal', 'gracePeriodMs', 'abortSignal']);
    const sig = normalizeSignal(signal, 'options.signal');
    const grace = normalizeMs(gracePeriodMs, 'options.gracePeriodMs');
    if (abortSignal !== undefined && !(abortSignal instanceof AbortSignal)) throw typeError('options.abortSignal', 'an AbortSignal', abortSignal);
    // A later call joins the stop under way; its abortSignal ends that stop's grace period too.
    if (this.#stopping !== undefined) {
      const running = this.#stop;
      if (abortSignal?.aborted) running?.abort();
      else abortSignal?.addEventListener('abort', () => running?.abort(), { once: true });
      return this.#stopping;
    }
    const name = signalName(sig);
    // Loaded at the first stop: an app that never stops its children does not pay for it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Stop } = require('../core/stop') as typeof StopFloor;
    const stop = new Stop({
      signal: sig,
      gracePeriodMs: grace,
      logger: this.#settings.logger,
      targets: () => descendantsOf(process.pid, true),
      alreadySent: (info) => {
        const agoMs = reaper.sentAgo(sig, info);
        return agoMs === undefined ? undefined : { signal: name, agoMs };
      },
      abortSignal,
    });
    this.#stop = stop;
    this.#stopping = stop.promise.finally(() => {
      this.#stopping = undefined;
      this.#stop = undefined;
    });
    return this.#stopping;
  }

  /**
   * Stops the reaper thread after a last reap pass, restores masks, handlers
   * and the subreaper flag, and emits every event reaped before it.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    process.off('beforeExit', this.#onBeforeExit);
    process.off('exit', this.#onExit);
    setDetachChildren(false);
    reaper.stop();
    this.#restoreSubreaper();
    if (current === this) current = undefined;
    reaper.flush();
  }

  #restoreSubreaper(): void {
    if (isChildSubreaper() === this.#subreaperBefore) return;
    try {
      setChildSubreaper(this.#subreaperBefore);
    } catch (error) {
      // It was never changed: prctl refused it (EPERM) at start.
      if (!hasCode(error, 'EPERM')) throw error;
    }
  }

  // What the reaper thread reports, policy first: nothing a listener does
  // can keep a stop from starting.
  readonly #sink: ReaperSink = {
    reap: (event: ReapEvent) => {
      this.emit('reap', event);
    },
    signal: (event: SignalEvent) => {
      if (this.#settings.onSignal === 'auto' && !event.handedOn && STOPPING.has(event.signo)) this.#stopAndExit(event.signo);
      this.emit('signal', event);
    },
    error: (error) => {
      this.#settings.logger.warn(`${error.message}: reaping may have stopped`, { event: 'error', code: error.code, syscall: error.syscall });
      if (this.listenerCount('error') > 0) this.emit('error', error);
    },
  };

  // Joins a stop under way, then exits 128 + signo once every event of
  // the stopped processes has been emitted.
  #stopAndExit(signo: number): void {
    if (this.#exiting) return;
    this.#exiting = true;
    const exit = (): void => reaper.finish(() => process.exit(128 + signo));
    this.shutdown({ signal: SIGTERM }).then(exit, exit);
  }

  // The loop is empty. Events the thread queued first (its wake-up does not
  // keep the loop open); then, as PID 1 (or with stopOnExit), a graceful
  // stop of what is left, which the kernel would otherwise SIGKILL.
  #beforeExit(): void {
    if (reaper.collect()) return;
    if (!this.#settings.stopOnExit || this.#stopping !== undefined) return;
    if (!hasDescendants()) return;
    void this.shutdown();
  }

  // process.exit() or the end: every event reaped before it is emitted.
  #lastEvents(): void {
    reaper.finish();
    reaper.flush();
  }
}

let current: Init | undefined;
// What a second init() is compared with.
let currentSettings: Settings | undefined;

/**
 * Makes this process a correct init: one line at the top of an app. Options
 * are checked on every call. While it runs, init() without options returns
 * it, and so does init() with the same options; other options throw.
 * @throws TypeError or RangeError for bad options, before anything changes;
 *   Error 'ERR_PID1_ALREADY_INITIALIZED' for other options while one runs.
 */
export function init(options?: InitOptions): Init {
  // Not Linux (a developer's macOS or Windows): one log line, an inert Init.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!nativeSupported) return (require('./inert') as typeof Inert).inertInit(options);
  const settings = normalizeInitOptions(options);
  if (current !== undefined) {
    const changed = options === undefined ? [] : differences(currentSettings as Settings, settings);
    if (changed.length === 0) return current;
    throw pid1Error('ERR_PID1_ALREADY_INITIALIZED', `init() runs already with other options (${changed.join(', ')}): close() it first, or call init() without options to get it`);
  }
  if (reaper.running) throw pid1Error('ERR_PID1_REAPER_RUNNING', 'The pid1 reaper is running already in this process (another thread called init())');
  current = new Init(settings);
  currentSettings = settings;
  return current;
}
