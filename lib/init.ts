// init(): makes the running Node app a correct PID 1 or subreaper. It reaps
// orphans on the reaper thread, reports them, hands signals on to the app's
// listeners, forwards them to children, and stops descendants gracefully.
import { EventEmitter } from 'events';
import { constants } from 'os';
import { inertInit } from './inert';
import { ProcessHandle } from './kill';
import { native, nativeSupported } from './native';
import { exempt as exemptPid, setDetachChildren } from './ownership';
import { childrenOf, descendantsOf, ProcessInfo, readStat } from './procfs';
import { reaper, ReapEvent, SignalEvent } from './reaper';
import { CARRIER_SIGNAL, normalizeSignal, signalName, Signal } from './signals';
import { Logger, ShutdownReport, stopProcesses } from './shutdown';
import { isChildSubreaper, setChildSubreaper } from './subreaper';
import { normalizeMs, normalizeOptions, normalizePid, pid1Error, rangeError, typeError } from './validate';

export type { Logger, ShutdownReport, StoppedProcess } from './shutdown';
export type { ReapEvent, SignalEvent } from './reaper';
export type { ProcessInfo } from './procfs';

export interface InitOptions {
  /**
   * Become a child subreaper, so orphans below this process are reparented
   * to it. 'auto' does so unless this process is PID 1 (which adopts them
   * anyway). Where prctl answers EPERM, init() warns once and goes on.
   * @default 'auto'
   */
  subreaper?: 'auto' | boolean;
  /**
   * How long shutdown() waits after the signal before SIGKILL. Inside
   * Docker's 10 s stop timeout, so pid1's own SIGKILL and its log come first.
   * @default 8000
   */
  gracePeriodMs?: number;
  /** Signals passed on to children. @default ['SIGTERM','SIGINT','SIGHUP','SIGQUIT','SIGUSR2','SIGWINCH'] */
  forward?: Signal[];
  /**
   * 'auto': a SIGTERM, SIGINT, SIGHUP or SIGQUIT that the app does not
   * listen for stops the descendants gracefully and exits with 128 + n.
   * 'manual': pid1 only forwards and emits 'signal'.
   * @default 'auto'
   */
  onSignal?: 'auto' | 'manual';
  /**
   * Give each child_process child a session of its own (detached), so a
   * terminal's Ctrl+C, which signals the whole foreground process group,
   * reaches the children only through the coordinated shutdown. 'auto' does
   * so when stdin is a terminal.
   * @default 'auto'
   */
  isolateChildren?: 'auto' | boolean;
  /** Where pid1 logs kills and warnings; false for nowhere. @default lines on stderr prefixed "pid1: " */
  logger?: Logger | false;
}

const DEFAULT_FORWARD: Signal[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGWINCH'];

// What a signal the reaper read does, by whether the app listens for it.
// A listening app is in charge: its listener runs (the reaper hands the
// signal on to libuv's handler) and pid1 forwards. Without a listener:
//  - these four would terminate a plain Node process (SIGTERM and SIGINT
//    through Node's own handler), and as PID 1 they would be ignored: pid1
//    stops the descendants gracefully, then exits with 128 + n;
//  - any other forwarded signal is only forwarded: an init is not
//    terminated by a signal meant for its children.
const STOPPING = new Set<number>(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'].map((s) => constants.signals[s as NodeJS.Signals]));

const SI_KERNEL = 0x80;

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
  logger: Logger;
}

function normalizeInitOptions(value: unknown): Settings {
  const options = normalizeOptions<InitOptions>(value);
  const { subreaper = 'auto', gracePeriodMs = 8000, forward = DEFAULT_FORWARD, onSignal = 'auto', isolateChildren = 'auto', logger } = options;
  if (subreaper !== 'auto' && typeof subreaper !== 'boolean') throw rangeError('options.subreaper', "'auto', true or false", subreaper);
  if (onSignal !== 'auto' && onSignal !== 'manual') throw rangeError('options.onSignal', "'auto' or 'manual'", onSignal);
  if (isolateChildren !== 'auto' && typeof isolateChildren !== 'boolean') throw rangeError('options.isolateChildren', "'auto', true or false", isolateChildren);
  if (!Array.isArray(forward)) throw typeError('options.forward', 'an array of signals', forward);
  const signals = forward.map((s, i) => normalizeSignal(s, `options.forward[${i}]`));
  for (const [i, s] of signals.entries()) {
    if (s === constants.signals.SIGKILL || s === constants.signals.SIGSTOP || s === constants.signals.SIGCHLD || s === CARRIER_SIGNAL) {
      throw rangeError(`options.forward[${i}]`, `a signal that can be caught, other than SIGCHLD and ${signalName(CARRIER_SIGNAL)} (pid1's own)`, forward[i]);
    }
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
    forward: [...new Set(signals)],
    onSignal,
    isolateChildren: isolateChildren === 'auto' ? native.isatty(0) : isolateChildren,
    logger: log,
  };
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
 * - 'signal' (SignalEvent): every signal received among those it owns.
 */
export class Init extends EventEmitter<InitEvents> {
  readonly gracePeriodMs: number;
  readonly forwarded: string[];
  #settings: Settings;
  #subreaperBefore: boolean;
  #closed = false;
  #exiting = false;
  #stopping: Promise<ShutdownReport> | undefined;
  #onReap = (event: ReapEvent): void => {
    this.emit('reap', event);
  };
  #onSignal = (event: SignalEvent): void => this.#handleSignal(event);
  #onBeforeExit = (): void => this.#beforeExit();

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
        if ((error as { code?: string }).code !== 'EPERM') throw error;
        settings.logger.warn('cannot become a child subreaper here (prctl EPERM): orphans of descendants will be reaped by the real init, not by this process');
      }
    }
    reaper.on('reap', this.#onReap);
    reaper.on('signal', this.#onSignal);
    try {
      reaper.start(settings.forward);
    } catch (error) {
      // Nothing is left half-done: reaper.start() restored the masks.
      this.#detach();
      this.#restoreSubreaper();
      throw error;
    }
    setDetachChildren(settings.isolateChildren);
    process.on('beforeExit', this.#onBeforeExit);
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
   * Leaves `pid` to its owner: a child forked by other native code (node-pty,
   * say) that will wait for it itself. `on = false` gives it back.
   */
  exempt(pid: number, on = true): void {
    exemptPid(normalizePid(pid), on);
  }

  /**
   * Sends `signal` to every descendant, waits until all are gone or the grace
   * period ends, SIGKILLs the rest (each logged), and resolves with who
   * exited and who was killed. A second call while one runs returns the same
   * promise.
   */
  shutdown(options?: { signal?: Signal; gracePeriodMs?: number }): Promise<ShutdownReport> {
    if (this.#stopping !== undefined) return this.#stopping;
    const { signal = 'SIGTERM', gracePeriodMs = this.gracePeriodMs } = normalizeOptions<{ signal: Signal; gracePeriodMs: number }>(options);
    const sig = normalizeSignal(signal, 'options.signal');
    const grace = normalizeMs(gracePeriodMs, 'options.gracePeriodMs');
    this.#stopping = stopProcesses({
      targets: () => descendantsOf(process.pid),
      signal: sig,
      gracePeriodMs: grace,
      logger: this.#settings.logger,
    }).finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  /** Stops the reaper thread and restores masks, handlers and the subreaper flag. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    process.off('beforeExit', this.#onBeforeExit);
    setDetachChildren(false);
    reaper.stop();
    this.#detach();
    this.#restoreSubreaper();
    if (current === this) current = undefined;
  }

  #restoreSubreaper(): void {
    if (isChildSubreaper() === this.#subreaperBefore) return;
    try {
      setChildSubreaper(this.#subreaperBefore);
    } catch {
      // it was never changed (EPERM)
    }
  }

  #detach(): void {
    reaper.off('reap', this.#onReap);
    reaper.off('signal', this.#onSignal);
  }

  // Forwards to each direct child. A signal a terminal sent (SI_KERNEL)
  // reached the children of our own process group already.
  #forward(event: SignalEvent): void {
    // Our own group matters only for a signal a terminal sent.
    const ownGroup = event.code === SI_KERNEL ? readStat(process.pid)?.pgrp : undefined;
    for (const pid of childrenOf(process.pid)) {
      const stat = readStat(pid);
      if (stat === undefined || stat.ppid !== process.pid || stat.state === 'Z') continue;
      if (event.code === SI_KERNEL && stat.pgrp === ownGroup) continue;
      try {
        const handle = new ProcessHandle(pid);
        try {
          handle.kill(event.signo);
        } finally {
          handle.close();
        }
      } catch {
        // ESRCH: it exited meanwhile
      }
    }
  }

  #handleSignal(event: SignalEvent): void {
    this.emit('signal', event);
    const listens = process.listenerCount(event.signal) > 0;
    if (this.#settings.onSignal === 'auto' && !listens && STOPPING.has(event.signo)) {
      this.#stopAndExit(event.signo);
      return;
    }
    this.#forward(event);
  }

  // Joins a shutdown under way (its signal stands), then exits 128 + signo
  // once every 'reap' of the stopped processes has been emitted.
  #stopAndExit(signo: number): void {
    if (this.#exiting) return;
    this.#exiting = true;
    this.shutdown({ signal: signo }).finally(() => reaper.finish(() => process.exit(128 + signo)));
  }

  // As PID 1, exiting makes the kernel SIGKILL everything left in the
  // namespace: stop it gracefully first. Elsewhere leftovers are reparented.
  #beforeExit(): void {
    if (process.pid !== 1 || this.#stopping !== undefined) return;
    if (descendantsOf(1).length === 0) return;
    void this.shutdown();
  }
}

let current: Init | undefined;

/**
 * Makes this process a correct init: one line at the top of an app. Calling
 * it again returns the same instance (with the first call's options) until
 * close().
 * @throws TypeError or RangeError for bad options, before anything changes.
 */
export function init(options?: InitOptions): Init {
  // Not Linux (a developer's macOS or Windows): one log line, an inert Init.
  if (!nativeSupported) return inertInit(options);
  if (current !== undefined) return current;
  const settings = normalizeInitOptions(options);
  if (reaper.running) throw pid1Error('ERR_PID1_REAPER_RUNNING', 'The pid1 reaper is running already in this process (another thread called init())');
  current = new Init(settings);
  return current;
}
