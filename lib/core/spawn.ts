// fork + exec written for a multi-threaded parent (see native/kernel/spawn.cc). The
// child starts with an empty signal mask and default dispositions.
import { ownChildHandle, ProcessHandle } from './kill';
import { cStringList, flag, native } from '../kernel/native';
import type * as CgroupFloor from '../kernel/cgroup';
import type { TreeCgroup } from '../kernel/cgroup';
import { commandOf, descendantsOf, infoOfListed, ProcessInfo, readStat } from '../kernel/procfs';
import { normalizeSignal, Signal } from '../kernel/signals';
import type * as StopFloor from './stop';
import type { Logger, ShutdownReport, Stop, StopOptions } from './stop';
import { normalizeBoolean, normalizeFd, normalizeOptions, rangeError, typeError } from '../kernel/validate';

export interface SpawnOptions {
  /** The child's environment. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The child's working directory. @default the parent's */
  cwd?: string;
  /** fds to put on the child's 0, 1, 2; 'inherit' keeps the parent's. @default ['inherit', 'inherit', 'inherit'] */
  stdio?: [number | 'inherit', number | 'inherit', number | 'inherit'];
  /** Start a new session (setsid). @default false */
  setsid?: boolean;
  /** Start a new process group led by the child (setpgid). @default false */
  setpgid?: boolean;
  /**
   * Make the child's process group the foreground group of this terminal fd;
   * true means fd 0 when it is a terminal. Implies setpgid. With setsid the
   * child takes the terminal as its controlling terminal (TIOCSCTTY), which
   * works only when no other session owns it: give it up first.
   * @default false
   */
  foreground?: boolean | number;
  /**
   * Put the child, before it runs anything, into a new cgroup v2 of its
   * own (below this process's cgroup), so that stopTree() finds and kills
   * every descendant it ever had, daemonized or not. Needs a writable
   * cgroup v2 (root, or a delegated cgroup) and Linux 5.14; elsewhere
   * spawn() throws ERR_PID1_NO_CGROUP and starts nothing.
   * @default false
   */
  cgroup?: boolean;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function normalizeString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw typeError(name, 'of type string', value);
  if (value.includes('\0')) throw typeError(name, 'a string without null bytes', value);
  return value;
}

/**
 * The paths execvp would try for `command`, resolved before fork: each
 * directory, a slash and the name, as execvp joins them (an empty entry is
 * the current directory).
 */
export function commandCandidates(command: string, envPath: string | undefined): string[] {
  if (command.includes('/')) return [command];
  const dirs = (envPath ?? DEFAULT_PATH).split(':');
  return dirs.map((dir) => (dir === '' ? command : `${dir}/${command}`));
}

function normalizeEnv(value: unknown): string[] {
  if (value === undefined) value = process.env;
  if (value === null || typeof value !== 'object') throw typeError('options.env', 'of type object', value);
  const out: string[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (key.includes('=') || key.includes('\0')) throw typeError('options.env', 'an object whose keys have no "=" or null bytes', key);
    let text: string;
    try {
      text = String(v);
    } catch {
      // Every error is meant: whatever the value's toString() throws, it has no string form.
      throw typeError(`options.env.${key}`, 'a value with a string form', v);
    }
    out.push(`${key}=${normalizeString(text, `options.env.${key}`)}`);
  }
  return out;
}

function normalizeStdio(value: unknown): [number, number, number] {
  if (value === undefined) return [-1, -1, -1];
  if (!Array.isArray(value) || value.length !== 3) throw typeError('options.stdio', 'an array of three fds or "inherit"', value);
  return value.map((v, i) => (v === 'inherit' ? -1 : normalizeFd(v, `options.stdio[${i}]`))) as [number, number, number];
}

function normalizeForeground(value: unknown): number {
  if (value === undefined || value === false) return -1;
  if (value === true) return native.isatty(0) ? 0 : -1;
  return normalizeFd(value, 'options.foreground');
}

export interface StopProcessOptions {
  /** The first signal. @default 'SIGTERM' */
  signal?: Signal;
  /** How long to wait after it before SIGKILL. @default 8000 */
  gracePeriodMs?: number;
  /**
   * Ends the grace period now: what is still running gets SIGKILL at once
   * (already aborted: SIGKILL without the first signal).
   */
  abortSignal?: AbortSignal;
  /** Where each SIGKILL is logged. @default silent */
  logger?: Logger;
}

// The start time and cgroup of the child spawn() is wrapping (see SpawnedProcess).
let startOfNext = -1;
let cgroupOfNext: TreeCgroup | null = null;

// A stop and a tree's cgroup are loaded when first asked for: the pid1
// command runs neither unless it has to stop something or is given
// --cgroup, and `pid1 -- true` does not pay for them.
function newStop(options: StopOptions): Stop {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return new (require('./stop') as typeof StopFloor).Stop(options);
}

function newTreeCgroup(): TreeCgroup {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return new (require('../kernel/cgroup') as typeof CgroupFloor).TreeCgroup();
}

const SILENT: Logger = { info() {}, warn() {} };
const asyncDispose: typeof Symbol.asyncDispose = (Symbol as { asyncDispose?: typeof Symbol.asyncDispose }).asyncDispose ?? (Symbol.for('nodejs.asyncDispose') as typeof Symbol.asyncDispose);

export interface NormalizedStop {
  signal: number;
  gracePeriodMs: number;
  abortSignal: AbortSignal | undefined;
  logger: Logger;
}

/** @internal Checks the options of a stop before anything is signalled. */
export function normalizeStopOptions(options: unknown, extra: readonly string[] = []): NormalizedStop {
  const opts = normalizeOptions<StopProcessOptions>(options, 'options', ['signal', 'gracePeriodMs', 'abortSignal', 'logger', ...(extra as (keyof StopProcessOptions)[])]);
  const grace = opts.gracePeriodMs ?? 8000;
  if (typeof grace !== 'number') throw typeError('options.gracePeriodMs', 'of type number', grace);
  if (!Number.isInteger(grace) || grace < 0 || grace > 2 ** 31 - 1) throw rangeError('options.gracePeriodMs', 'an integer from 0 to 2147483647', grace);
  const abortSignal = opts.abortSignal;
  if (abortSignal !== undefined && !(abortSignal instanceof AbortSignal)) throw typeError('options.abortSignal', 'an AbortSignal', abortSignal);
  const logger = opts.logger ?? SILENT;
  if (logger === null || typeof logger !== 'object' || typeof logger.warn !== 'function' || typeof logger.info !== 'function') throw typeError('options.logger', 'an object with info() and warn()', logger);
  return { signal: normalizeSignal(opts.signal ?? 'SIGTERM', 'options.signal', true), gracePeriodMs: grace, abortSignal, logger };
}

/**
 * A child started by spawn(): a ProcessHandle (pid, `exited`, kill() through
 * its pidfd) that can also stop it gracefully. `await using child =
 * spawn(...)` stops it when the scope ends.
 */
export class SpawnedProcess extends ProcessHandle {
  readonly #started = startOfNext;
  readonly #cgroup = cgroupOfNext;

  /**
   * SIGTERM (or `signal`), then SIGKILL if it still runs after the grace
   * period, through lib/core/stop.ts like init().shutdown(); resolves with the
   * same report once it has exited.
   */
  stop(options?: StopProcessOptions): Promise<ShutdownReport> {
    const settings = normalizeStopOptions(options);
    return newStop({ ...settings, targets: () => this.#self() }).promise;
  }

  #self(): ProcessInfo[] {
    const stat = readStat(this.pid);
    if (stat === undefined || stat.startTime !== this.#started || stat.state === 'Z' || stat.state === 'X') return [];
    return [{ pid: this.pid, ppid: stat.ppid, pgrp: stat.pgrp, command: commandOf(this.pid, stat.comm), startTime: stat.startTime }];
  }

  /**
   * Stops the child and every descendant it ever had, as stop() does (the
   * first signal, the grace period, then SIGKILL; an abort ends the grace
   * period), and resolves with the same report once none is left.
   * With `cgroup: true` at spawn, "every" is exact: the kernel kept them all
   * in the child's cgroup, and at the deadline cgroup.kill takes whatever
   * is left at once, forks under way included; the cgroup is removed once
   * empty. Without it, the tree is what /proc shows now: the child's
   * descendants through their parents, and the members of its own process
   * group or session (setpgid/setsid at spawn). A descendant that left both
   * and whose parent died (a daemon: double fork and setsid) is out of
   * reach then; see README.md, "How the tree is known, and the limits".
   */
  async stopTree(options?: StopProcessOptions): Promise<ShutdownReport> {
    const settings = normalizeStopOptions(options);
    const cgroup = this.#cgroup;
    if (cgroup === null) {
      return newStop({ ...settings, targets: () => this.#tree(), confirm: (info) => this.#inTree(info.pid) }).promise;
    }
    const report = await newStop({
      ...settings,
      targets: (atDeadline) => {
        // At the deadline the kernel kills every member at once; the stop
        // then waits for the ones it lists, as for any SIGKILL.
        if (atDeadline) cgroup.kill();
        return infoOfListed(cgroup.pids());
      },
      confirm: (info) => cgroup.has(info.pid),
    }).promise;
    await cgroup.whenEmpty();
    cgroup.remove();
    return report;
  }

  // Whether the pid names the root, alive (not reaped), or nothing: the
  // root's group and session ids cannot be taken by another process then.
  #rootHoldsPid(): boolean {
    const stat = readStat(this.pid);
    return stat === undefined || stat.startTime === this.#started;
  }

  #tree(): ProcessInfo[] {
    const out = new Map<number, ProcessInfo>();
    for (const info of this.#self()) out.set(info.pid, info);
    if (out.size > 0) for (const info of descendantsOf(this.pid)) out.set(info.pid, info);
    if (this.#rootHoldsPid()) {
      for (const info of descendantsOf(1)) {
        if (info.pid !== process.pid && (info.pgrp === this.pid || readStat(info.pid)?.session === this.pid)) out.set(info.pid, info);
      }
    }
    return [...out.values()];
  }

  #inTree(pid: number): boolean {
    return this.#tree().some((info) => info.pid === pid);
  }

  /**
   * Done with the handle. A tree's cgroup (spawn() with `cgroup: true`) is
   * removed as well: now if the tree has ended, else once it has.
   */
  override close(): void {
    super.close();
    this.#cgroup?.release();
  }

  /** Stops it gracefully (stop() with its defaults), then closes the handle. */
  async [asyncDispose](): Promise<void> {
    try {
      await this.stop();
    } finally {
      this.close();
    }
  }
}

/**
 * Starts `command` with `args` and returns its handle (see SpawnedProcess;
 * `.pid` is the pid). The child is not registered anywhere: wait for it with
 * `exited` or waitpid(), or let the reaper of init() collect it. Exec errors
 * are reported by the parent: the call throws an Error with code 'ENOENT' or
 * 'EACCES', syscall 'execve' and path, and the failed child has been reaped
 * already.
 */
export function spawn(command: string, args: readonly string[] = [], options?: SpawnOptions): SpawnedProcess {
  const file = normalizeString(command, 'command');
  if (file === '') throw typeError('command', 'a non-empty string', file);
  if (!Array.isArray(args)) throw typeError('args', 'an array of strings', args);
  const argv = [file, ...args.map((a, i) => normalizeString(a, `args[${i}]`))];
  const opts = normalizeOptions<SpawnOptions>(options, 'options', ['env', 'cwd', 'stdio', 'setsid', 'setpgid', 'foreground', 'cgroup']);
  const env = normalizeEnv(opts.env);
  const envPath = env.find((e) => e.startsWith('PATH='))?.slice(5);
  const foregroundFd = normalizeForeground(opts.foreground);
  const candidates = commandCandidates(file, envPath);
  const cwd = opts.cwd === undefined ? '' : normalizeString(opts.cwd, 'options.cwd');
  const stdio = normalizeStdio(opts.stdio);
  const setsid = opts.setsid === undefined ? false : normalizeBoolean(opts.setsid, 'options.setsid');
  const setpgid = foregroundFd >= 0 || (opts.setpgid === undefined ? false : normalizeBoolean(opts.setpgid, 'options.setpgid'));
  const cgroup = opts.cgroup === undefined || !normalizeBoolean(opts.cgroup, 'options.cgroup') ? null : newTreeCgroup();
  // The reaper takes nothing while a spawn is in flight: the child cannot be
  // reaped, nor its pid reused, before its start time is read.
  native.spawnBegin();
  try {
    const { pid, startTime } = native.spawn(
      cStringList(candidates),
      cStringList(argv),
      cStringList(env),
      cwd,
      ...stdio,
      flag(setsid),
      flag(setpgid),
      foregroundFd,
      cgroup === null ? -1 : cgroup.procsFd,
    );
    startOfNext = startTime;
    cgroupOfNext = cgroup;
    return ownChildHandle(startOfNext, () => new SpawnedProcess(pid));
  } catch (error) {
    cgroup?.remove();
    throw error;
  } finally {
    cgroup?.closeProcs();
    cgroupOfNext = null;
    native.spawnEnd(0);
  }
}
