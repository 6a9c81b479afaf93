// What /proc says about processes: the tree below us, commands, identity.
import { readdirSync, readFileSync } from 'fs';
import { hasCode } from './validate';
import { hasChildren } from './wait';

// What reading /proc/PID/... says once the process (or thread) is gone.
const GONE = ['ENOENT', 'ESRCH'];

/** A live process below this one. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  /** The command line as one line (arguments quoted where needed), or the name in brackets. */
  command: string;
  /** Start time in clock ticks since boot: with pid, it names one process. */
  startTime: number;
  /**
   * Only in listings for a stop: listed, but exited (a zombie, or gone) by
   * the time its stat was read. It may have forked first, and what it
   * forked came after the listing: a stop looks again.
   */
  exited?: true;
}

export interface Stat {
  ppid: number;
  pgrp: number;
  session: number;
  state: string;
  startTime: number;
  comm: string;
}

/** Parses /proc/PID/stat; undefined when the process is gone. */
export function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch (error) {
    if (!hasCode(error, ...GONE)) throw error;
    return undefined;
  }
  // comm may hold spaces and parentheses: split after the last ')'.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return {
    comm: text.slice(text.indexOf('(') + 1, close),
    state: fields[0],
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    session: Number(fields[3]),
    startTime: Number(fields[19]),
  };
}

/**
 * The ProcessInfo of each pid of a listing read elsewhere (a cgroup's
 * cgroup.procs), in its order. A pid that has exited since the listing is
 * kept, marked `exited`: whoever acts on the listing (a stop) must learn
 * that it vanished, since what it forked just before it exited joined after
 * the read, and shows only on the next one.
 */
export function infoOfListed(pids: readonly number[]): ProcessInfo[] {
  return pids.map((pid) => infoOf(pid, readStat(pid)));
}

// A process's ProcessInfo from its stat; `exited` when it is a zombie, or
// gone (no stat: start time NaN, which matches no process).
function infoOf(pid: number, stat: Stat | undefined): ProcessInfo {
  if (stat === undefined) return { pid, ppid: 0, pgrp: 0, command: '[exited]', startTime: Number.NaN, exited: true };
  const info: ProcessInfo = { pid, ppid: stat.ppid, pgrp: stat.pgrp, command: commandOf(pid, stat.comm), startTime: stat.startTime };
  if (stat.state === 'Z' || stat.state === 'X') info.exited = true;
  return info;
}

// An argument as a shell would need it, so that a command stays one line
// and its words stay apart: a multi-line `sh -c` script is one quoted word.
function quote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  if (!/['\n\r\t\\]/.test(arg)) return `'${arg}'`;
  return JSON.stringify(arg);
}

/** The command line of a process now (after any exec), as one line, or '[comm]'. */
export function commandOf(pid: number, comm?: string): string {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const args = cmdline.split('\0');
    if (args[args.length - 1] === '') args.pop();
    if (args.length > 0) return args.map(quote).join(' ');
  } catch (error) {
    if (!hasCode(error, ...GONE)) throw error; // a kernel thread reads empty, not as an error
  }
  return `[${comm ?? readStat(pid)?.comm ?? '?'}]`;
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57)
    .map(Number);
}

/**
 * The live (not zombie) processes below `root`. As PID 1 of a namespace that
 * is every other process in it; otherwise the tree found through each
 * process's parent in /proc. With `withExited` (a stop's listing), also
 * those the walk found exited, marked `exited`: zombies in the tree, and,
 * as PID 1, pids that /proc listed and whose stat was gone when read (a
 * walk reads every stat after listing /proc, and a process that forked and
 * exited in between left a child the listing could not show).
 */
export function descendantsOf(root: number, withExited = false): ProcessInfo[] {
  const stats = new Map<number, Stat>();
  const gone: number[] = [];
  for (const pid of allPids()) {
    const stat = readStat(pid);
    if (stat !== undefined) stats.set(pid, stat);
    else gone.push(pid);
  }
  const children = new Map<number, number[]>();
  for (const [pid, stat] of stats) {
    const list = children.get(stat.ppid);
    if (list === undefined) children.set(stat.ppid, [pid]);
    else list.push(pid);
  }
  const out: ProcessInfo[] = [];
  const queue = root === 1 ? [...stats.keys()].filter((pid) => pid !== 1) : [...(children.get(root) ?? [])];
  const seen = new Set<number>(queue);
  // An index, not shift(): trees of thousands of processes are common here.
  for (let next = 0; next < queue.length; next++) {
    const pid = queue[next];
    const info = infoOf(pid, stats.get(pid));
    if (withExited || info.exited === undefined) out.push(info);
    if (root === 1) continue;
    for (const child of children.get(pid) ?? []) {
      if (!seen.has(child)) {
        seen.add(child);
        queue.push(child);
      }
    }
  }
  if (withExited && root === 1) for (const pid of gone) out.push(infoOf(pid, undefined));
  return out;
}

/**
 * Whether this process has a live descendant. First one waitid: with no
 * child at all there is no descendant, and the walk of /proc (the first
 * file read of a process costs about 1.8 ms of start-up) is spared.
 */
export function hasDescendants(): boolean {
  return hasChildren() && descendantsOf(process.pid).length > 0;
}

/** The direct children of `pid`, every thread's, from /proc (a hint: proc(5) says it may skip some). */
export function childrenOf(pid: number): number[] {
  const out = new Set<number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch (error) {
    if (!hasCode(error, ...GONE)) throw error;
    return [];
  }
  for (const tid of tids) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ')) {
        if (child.trim() !== '') out.add(Number(child));
      }
    } catch (error) {
      if (!hasCode(error, ...GONE)) throw error; // the thread exited
    }
  }
  return [...out];
}

/** Whether `pid` is still the process that started at `startTime`. */
export function sameProcess(pid: number, startTime: number): boolean {
  return readStat(pid)?.startTime === startTime;
}
