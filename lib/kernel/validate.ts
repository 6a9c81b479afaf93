// Argument checks shared by every wrapper. Each throws before any system call
// and names the argument, the value received and what would be right.
import type * as Util from 'util';

/** Renders a received value for an error message. */
export function show(value: unknown): string {
  // Loaded with the first bad argument: a start that has none does not pay for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { inspect } = require('util') as typeof Util;
  return inspect(value, { depth: 1, maxStringLength: 60, maxArrayLength: 8, breakLength: Infinity });
}

export function typeError(name: string, expected: string, value: unknown): TypeError {
  const error = new TypeError(`The "${name}" argument must be ${expected}. Received ${show(value)}`) as TypeError & {
    code: string;
  };
  error.code = 'ERR_INVALID_ARG_TYPE';
  return error;
}

export function rangeError(name: string, expected: string, value: unknown): RangeError {
  const error = new RangeError(`The value of "${name}" is out of range. It must be ${expected}. Received ${show(value)}`) as RangeError & {
    code: string;
  };
  error.code = 'ERR_OUT_OF_RANGE';
  return error;
}

/** An Error with a pid1 code, for misuse that is neither a type nor a range. */
export function pid1Error(code: string, message: string): Error & { code: string } {
  const error = new Error(message) as Error & { code: string };
  error.code = code;
  return error;
}

const PID_MAX = 4194304; // PID_MAX_LIMIT on 64-bit Linux

/** A process id: an integer from 1 to 2^22. */
/** Whether `error` carries one of `codes` (a Node-style errno error): catch blocks let the rest through. */
export function hasCode(error: unknown, ...codes: string[]): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && codes.includes(code);
}

export function normalizePid(value: unknown, name = 'pid'): number {
  if (typeof value !== 'number') throw typeError(name, 'of type number', value);
  if (!Number.isInteger(value) || value < 1 || value > PID_MAX) throw rangeError(name, `an integer from 1 to ${PID_MAX}`, value);
  return value;
}

export function normalizeBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw typeError(name, 'of type boolean', value);
  return value;
}

export function normalizeFd(value: unknown, name = 'fd'): number {
  if (typeof value !== 'number') throw typeError(name, 'of type number', value);
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw rangeError(name, 'an integer >= 0', value);
  return value;
}

/**
 * An options bag: undefined becomes {}, anything but a plain object throws,
 * and so does a key not in `keys` (a misspelt option would silently do
 * nothing).
 */
export function normalizeOptions<T extends object>(value: unknown, name: string, keys: readonly (keyof T & string)[]): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw typeError(name, 'of type object', value);
  const unknown = Object.keys(value).filter((key) => !(keys as readonly string[]).includes(key));
  if (unknown.length > 0) {
    const error = new TypeError(
      `The "${name}" argument has ${unknown.length === 1 ? 'an unknown property' : 'unknown properties'} ${unknown.map((k) => `"${k}"`).join(', ')}. It may have: ${keys.join(', ')}`,
    ) as TypeError & { code: string };
    error.code = 'ERR_INVALID_ARG_VALUE';
    throw error;
  }
  return value as Partial<T>;
}

/** A non-negative duration in milliseconds. */
export function normalizeMs(value: unknown, name: string): number {
  if (typeof value !== 'number') throw typeError(name, 'of type number', value);
  if (!Number.isFinite(value) || value < 0 || value > 2 ** 31 - 1) throw rangeError(name, 'a finite number of milliseconds from 0 to 2^31-1', value);
  return value;
}
