// Signal names and numbers. Every API takes either ('SIGTERM' or 15) and
// returns names where one exists. Real-time signals are named SIGRTMIN+n.
import type * as Os from 'os';
import { MaskBytes, native, nativeSupported, SignalMask } from './native';
import { rangeError, typeError } from './validate';

/**
 * A signal by name ('SIGTERM', 'SIGRTMIN+2') or by number (15). Names are
 * checked by the compiler: 'SIGNOPE' is a type error.
 */
export type SignalName = NodeJS.Signals | 'SIGRTMIN' | 'SIGRTMAX' | `SIGRTMIN+${number}` | `SIGRTMAX-${number}`;
export type Signal = SignalName | number;

/**
 * The signals by name, as os.constants.signals has them (aliases included):
 * on Linux the addon's copy (the same table, from the same headers; test:
 * kernel/protocol.test.js), so that loading pid1 does not load the os
 * module (docs/runtime-facts.md, 40); elsewhere Node's own.
 */
export const SIGNALS: typeof Os.constants.signals = nativeSupported
  ? native.signals
  : // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('os') as typeof Os).constants.signals;

const byName = new Map<string, number>();
const byNumber = new Map<number, string>();
for (const [name, number] of Object.entries(SIGNALS)) {
  // Aliases (SIGIOT = SIGABRT, SIGPOLL = SIGIO) resolve by name; the
  // canonical name is the first one listed.
  byName.set(name, number);
  if (!byNumber.has(number)) byNumber.set(number, name);
}

// Not Linux: there are no such signals, and NaN matches no signal number.
// The functions below read the addon instead, so that a primitive called
// there throws ERR_PID1_UNSUPPORTED_PLATFORM rather than a misleading
// RangeError.
/** The first real-time signal (34 with glibc, 35 with musl); NaN where pid1 does not load (not Linux). */
export const SIGRTMIN: number = nativeSupported ? native.SIGRTMIN : NaN;
/** The last real-time signal (64); NaN where pid1 does not load (not Linux). */
export const SIGRTMAX: number = nativeSupported ? native.SIGRTMAX : NaN;
/** The real-time signal pid1 uses to change other threads' masks; NaN where pid1 does not load. */
export const CARRIER_SIGNAL: number = nativeSupported ? native.carrierSignal : NaN;

/** The name of a signal number: 'SIGTERM', 'SIGRTMIN+3', or the number. */
export function signalName(signal: number): string {
  const name = byNumber.get(signal);
  if (name !== undefined) return name;
  if (signal >= SIGRTMIN && signal <= SIGRTMAX) return signal === SIGRTMIN ? 'SIGRTMIN' : `SIGRTMIN+${signal - SIGRTMIN}`;
  return String(signal);
}

function parseName(name: string): number | undefined {
  const upper = name.toUpperCase();
  const known = byName.get(upper) ?? byName.get(`SIG${upper}`);
  if (known !== undefined) return known;
  const rt = /^(?:SIG)?RT(MIN|MAX)(?:([+-])(\d{1,2}))?$/.exec(upper);
  if (rt === null) return undefined;
  const base = rt[1] === 'MIN' ? native.SIGRTMIN : native.SIGRTMAX;
  const offset = rt[3] === undefined ? 0 : Number(rt[3]) * (rt[2] === '+' ? 1 : -1);
  const number = base + offset;
  return number >= native.SIGRTMIN && number <= native.SIGRTMAX ? number : undefined;
}

/**
 * A signal as a number, from a name or a number. 0 is accepted only with
 * `allowZero` (kill's existence check, clearing the parent-death signal).
 */
export function normalizeSignal(value: unknown, name = 'signal', allowZero = false): number {
  if (typeof value === 'string') {
    const number = parseName(value);
    if (number === undefined) throw rangeError(name, 'a known signal name such as "SIGTERM" or "SIGRTMIN+1"', value);
    return number;
  }
  if (typeof value !== 'number') throw typeError(name, 'a signal name or number', value);
  const min = allowZero ? 0 : 1;
  const max = native.SIGRTMAX;
  if (!Number.isInteger(value) || value < min || value > max) throw rangeError(name, `a signal number from ${min} to ${max}`, value);
  // 32 and 33 (34 on musl) below SIGRTMIN belong to the C library.
  if (value > 31 && value < native.SIGRTMIN) throw rangeError(name, `a signal the C library does not reserve (not ${value})`, value);
  return value;
}

/**
 * A list of signals for a mask. SIGKILL and SIGSTOP cannot be blocked; the
 * carrier signal is pid1's own.
 */
export function normalizeSignalSet(value: unknown, name = 'signals'): number[] {
  const list = typeof value === 'string' || typeof value === 'number' ? [value] : value;
  if (!Array.isArray(list)) throw typeError(name, 'a signal or an array of signals', value);
  const out = new Set<number>();
  list.forEach((item, i) => {
    const signal = normalizeSignal(item, `${name}[${i}]`);
    if (signal === SIGNALS.SIGKILL || signal === SIGNALS.SIGSTOP) {
      throw rangeError(`${name}[${i}]`, 'a signal that can be blocked (not SIGKILL or SIGSTOP)', item);
    }
    if (signal === CARRIER_SIGNAL) {
      throw rangeError(`${name}[${i}]`, `a signal other than ${signalName(CARRIER_SIGNAL)}, which pid1 uses to change thread masks`, item);
    }
    out.add(signal);
  });
  return [...out].sort((a, b) => a - b);
}

/** A signal set (1 to 64) as the addon takes it: the low and high 32 bits of the mask, bit n-1 for signal n. */
export function signalMask(signals: readonly number[]): SignalMask {
  const mask = [0, 0];
  for (const signal of signals) mask[(signal - 1) >> 5] |= 1 << ((signal - 1) & 31);
  return [mask[0] >>> 0, mask[1] >>> 0];
}

/** The signals of a mask from the addon (8 bytes, little-endian), in ascending order. */
export function maskSignals(mask: MaskBytes): number[] {
  const signals: number[] = [];
  for (let bit = 0; bit < 64; bit++) if ((mask[bit >> 3] >> (bit & 7)) & 1) signals.push(bit + 1);
  return signals;
}

export function signalNames(signals: readonly number[]): string[] {
  return signals.map(signalName);
}

const FAULT = 'a synchronous fault: it concerns pid1 itself, and blocking it would turn a crash into a silent kill';

/**
 * The signals pid1 never takes over or forwards, each with why. Both faces
 * read this one table: the CLI forwards every other signal, and init()
 * refuses these in its `forward` option.
 */
export const NOT_FORWARDED: ReadonlyMap<number, string> = new Map([
  [SIGNALS.SIGCHLD, "the reaper's own"],
  [SIGNALS.SIGKILL, 'it cannot be caught'],
  [SIGNALS.SIGSTOP, 'it cannot be caught'],
  [SIGNALS.SIGSEGV, FAULT],
  [SIGNALS.SIGBUS, FAULT],
  [SIGNALS.SIGFPE, FAULT],
  [SIGNALS.SIGILL, FAULT],
  [SIGNALS.SIGTRAP, FAULT],
  [SIGNALS.SIGSYS, FAULT],
  [SIGNALS.SIGABRT, FAULT],
  [SIGNALS.SIGPROF, "V8's sampling profiler, sent to one thread with tgkill"],
  [CARRIER_SIGNAL, "pid1's own carrier for changing other threads' masks"],
]);

/** Every signal pid1 may forward: 1-31 and the real-time ones, less NOT_FORWARDED. */
export function forwardableSignals(): number[] {
  const out: number[] = [];
  for (let sig = 1; sig <= SIGRTMAX; sig++) if ((sig <= 31 || sig >= SIGRTMIN) && !NOT_FORWARDED.has(sig)) out.push(sig);
  return out;
}
