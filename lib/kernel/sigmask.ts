// Signal masks of the calling thread, or of every thread of the process.
import { native, NativeHow, NativeThreadMask } from './native';
import { maskSignals, normalizeSignalSet, Signal, signalMask, signalNames } from './signals';
import { normalizeOptions, rangeError } from './validate';

export type MaskHow = 'block' | 'unblock' | 'set';
export type MaskScope = 'thread' | 'process';

/** One thread's mask, read from /proc/self/task/TID/status. */
export interface ThreadMask {
  tid: number;
  /** The thread's name (comm), e.g. 'node', 'V8Worker', 'libuv-worker'. */
  name: string;
  blocked: string[];
}

/** What a process-wide change did. */
export interface ProcessMaskResult {
  /** The calling thread's mask before the change. */
  previous: string[];
  /** How many threads carry the new mask, the caller included. */
  reached: number;
  /**
   * Threads that could not be changed because they block the carrier
   * signal (Node's inspector thread blocks every signal) and whose mask does
   * not already match. Empty when every thread carries the change.
   */
  skipped: ThreadMask[];
}

const HOWS: readonly string[] = ['block', 'unblock', 'set'] satisfies MaskHow[];

function normalizeHow(value: unknown): NativeHow {
  if (typeof value !== 'string' || !HOWS.includes(value)) throw rangeError('how', "'block', 'unblock' or 'set'", value);
  return native.maskHow[value as MaskHow];
}

function normalizeScope(options: unknown): MaskScope {
  const { scope = 'thread' } = normalizeOptions<{ scope: MaskScope }>(options, 'options', ['scope']);
  if (scope !== 'thread' && scope !== 'process') throw rangeError('options.scope', "'thread' or 'process'", scope);
  return scope;
}

/**
 * Changes the signal mask. With scope 'thread' (the default) only the calling
 * thread changes and the previous mask is returned. With scope 'process'
 * every thread changes, those that exist already (V8 platform threads, the
 * libuv threadpool, Workers) included: each is sent a real-time carrier
 * signal whose handler edits the mask that sigreturn installs. Threads
 * created later inherit the mask of the thread that creates them.
 * @throws RangeError for SIGKILL, SIGSTOP, the carrier signal or an unknown signal.
 */
export function sigprocmask(how: MaskHow, signals: Signal | readonly Signal[], options?: { scope?: 'thread' }): string[];
export function sigprocmask(how: MaskHow, signals: Signal | readonly Signal[], options: { scope: 'process' }): ProcessMaskResult;
export function sigprocmask(how: MaskHow, signals: Signal | readonly Signal[], options?: { scope?: MaskScope }): string[] | ProcessMaskResult {
  const nativeHow = normalizeHow(how);
  const mask = signalMask(normalizeSignalSet(signals));
  const scope = normalizeScope(options);
  if (scope === 'thread') return signalNames(maskSignals(native.threadMask(nativeHow, ...mask)));
  const result = native.processMask(nativeHow, ...mask);
  return {
    previous: signalNames(maskSignals(result.previous)),
    reached: result.reached,
    skipped: (result.skipped ?? []).map(toThreadMask),
  };
}

function toThreadMask(thread: NativeThreadMask): ThreadMask {
  return { tid: thread.tid, name: thread.name, blocked: signalNames(maskSignals(thread.blocked)) };
}

/** The blocked signals of the calling thread, or of every thread. */
export function blockedSignals(options?: { scope?: 'thread' }): string[];
export function blockedSignals(options: { scope: 'process' }): ThreadMask[];
export function blockedSignals(options?: { scope?: MaskScope }): string[] | ThreadMask[] {
  // Blocking nothing reads the mask.
  if (normalizeScope(options) === 'thread') return signalNames(maskSignals(native.threadMask(native.maskHow.block, 0, 0)));
  return native.threadMasks().map(toThreadMask);
}
