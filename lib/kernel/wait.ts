// waitid(2): its arguments checked, one call, and the drain. The public
// waitpid(), waitid() and reapAll() are in core/wait.ts, which tells
// spawn()'s handles what they reaped.
import { flag, native, NativeWaitResult } from './native';
import { signalName } from './signals';
import { normalizeOptions, rangeError, typeError } from './validate';

/** What a wait found. */
export interface WaitResult {
  pid: number;
  /** The exit code when the process exited, else null. */
  exitCode: number | null;
  /** The signal that killed or stopped it ('SIGCONT' when continued), else null. */
  signal: string | null;
  coreDumped: boolean;
  stopped: boolean;
  continued: boolean;
}

export interface WaitOptions {
  /** Leave the child waitable (WNOWAIT): a peek. @default false */
  noWait?: boolean;
  /** Report stopped children too (WUNTRACED / WSTOPPED). @default false */
  untraced?: boolean;
  /** Report children continued by SIGCONT (WCONTINUED). @default false */
  continued?: boolean;
  /** Wait until a child changes state instead of WNOHANG. Blocks the thread. @default false */
  block?: boolean;
  /** Throw ECHILD when there is no child to wait for, instead of returning null. @default false */
  throwIfNoChildren?: boolean;
}

export function toWaitResult(raw: NativeWaitResult): WaitResult {
  const { pid, exitCode = null, signal, coreDumped, stopped, continued } = raw;
  return { pid, exitCode, signal: signal === undefined ? null : signalName(signal), coreDumped: coreDumped === 1, stopped: stopped === 1, continued: continued === 1 };
}

const OPTION_KEYS = ['noWait', 'untraced', 'continued', 'block', 'throwIfNoChildren'] as const;

function normalizeWaitOptions(value: unknown): Required<WaitOptions> {
  const options = normalizeOptions<WaitOptions>(value, 'options', OPTION_KEYS);
  const out = { noWait: false, untraced: false, continued: false, block: false, throwIfNoChildren: false };
  for (const key of OPTION_KEYS) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw typeError(`options.${key}`, 'of type boolean', v);
    out[key] = v;
  }
  return out;
}

/** One waitid(2) call, its arguments checked. */
export interface WaitCall {
  idtype: WaitIdType;
  id: number;
  options: Required<WaitOptions>;
}

/** Makes one waitid(2) call: null when nothing is ready, and on ECHILD unless `throwIfNoChildren`. */
export function wait({ idtype, id, options }: WaitCall): WaitResult | null {
  const { stopped, continued, noWait } = native.waitFlags;
  const flags = (options.untraced ? stopped : 0) | (options.continued ? continued : 0) | (options.noWait ? noWait : 0);
  const raw = native.waitid(native.idtype[idtype], id, flags, flag(options.block), flag(!options.throwIfNoChildren));
  return raw === undefined || raw === 0 ? null : toWaitResult(raw);
}

const ID_MAX = 4194304;

function normalizeId(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number') throw typeError(name, 'of type number', value);
  if (!Number.isInteger(value) || value < min || value > ID_MAX) throw rangeError(name, `an integer from ${min} to ${ID_MAX}`, value);
  return value;
}

/**
 * The call that waitpid(2) means, over waitid(2): pid > 0 that child, -1
 * any child, 0 any child in our process group, -pgid any child in that
 * group. @throws TypeError or RangeError for bad arguments.
 */
export function waitpidCall(pid: unknown = -1, options?: unknown): WaitCall {
  const id = normalizeId(pid, 'pid', -ID_MAX);
  const opts = normalizeWaitOptions(options);
  if (id > 0) return { idtype: 'pid', id, options: opts };
  if (id === -1) return { idtype: 'all', id: 0, options: opts };
  return { idtype: 'pgid', id: -id, options: opts }; // 0: our own group (Linux 5.4)
}

export type WaitIdType = 'all' | 'pid' | 'pgid';
const ID_TYPES: readonly string[] = ['all', 'pid', 'pgid'] satisfies WaitIdType[];

/** The waitid(2) call for idtype 'all' (id ignored), 'pid' or 'pgid' (0: our group). @throws TypeError or RangeError. */
export function waitidCall(idtype: unknown, id: unknown = 0, options?: unknown): WaitCall {
  if (typeof idtype !== 'string' || !ID_TYPES.includes(idtype)) throw rangeError('idtype', "'all', 'pid' or 'pgid'", idtype);
  const checked = normalizeId(id, 'id', idtype === 'pid' ? 1 : 0);
  return { idtype: idtype as WaitIdType, id: checked, options: normalizeWaitOptions(options) };
}

/**
 * Whether this process has any child, running or zombie: one waitid(P_ALL,
 * WNOHANG | WNOWAIT), which fails with ECHILD only when there is none. A
 * process with no child has no descendant either, so this spares a walk of
 * /proc in the common case.
 */
export function hasChildren(): boolean {
  return native.waitid(native.idtype.all, 0, native.waitFlags.noWait, 0, 1) !== 0;
}

/** waitid(P_ALL, WEXITED | WNOHANG) until nothing is ready or ECHILD, in one native call. */
export function reapEvery(): WaitResult[] {
  return native.reapAll().map(toWaitResult);
}
