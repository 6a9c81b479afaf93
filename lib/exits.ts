// Exit statuses the reaper collected, kept for the handles that wait on
// them. A pidfd says only that its process exited; once init()'s reaper has
// reaped a child, waitid() on the pidfd has nothing left to tell, so the
// status is taken from the reaper's reap event instead. Only pids someone
// wants are kept: the first reap of a wanted pid after it was wanted is its
// process (a pid is not reused before it is reaped).
import type { ReapEvent } from './reaper';

/** How a process ended, as far as this process can know. */
export interface ExitStatus {
  /** The exit code when it exited, else null. */
  exitCode: number | null;
  /** The signal that killed it, else null. */
  signal: string | null;
  /**
   * false when the process is gone but its status cannot be known from here:
   * it was not our child (only a parent can read a status), or someone else
   * reaped it first. exitCode and signal are null then.
   */
  known: boolean;
}

export const UNKNOWN_EXIT: ExitStatus = Object.freeze({ exitCode: null, signal: null, known: false });

const wanted = new Map<number, number>();
const collected = new Map<number, ExitStatus>();
const waiters = new Map<number, ((status: ExitStatus) => void)[]>();

export function want(pid: number): void {
  wanted.set(pid, (wanted.get(pid) ?? 0) + 1);
}

export function unwant(pid: number): void {
  const count = (wanted.get(pid) ?? 0) - 1;
  if (count > 0) {
    wanted.set(pid, count);
    return;
  }
  wanted.delete(pid);
  collected.delete(pid);
}

/** Called by the reaper for each reap, before the face hears of it. */
export function noteReap(event: ReapEvent): void {
  if (!wanted.has(event.pid) || collected.has(event.pid)) return;
  const status: ExitStatus = { exitCode: event.exitCode, signal: event.signal, known: true };
  collected.set(event.pid, status);
  const list = waiters.get(event.pid);
  waiters.delete(event.pid);
  for (const resolve of list ?? []) resolve(status);
}

export function collectedExit(pid: number): ExitStatus | undefined {
  return collected.get(pid);
}

/** Calls `resolve` with the status once the reaper reports `pid` (at once if it has). */
export function whenCollected(pid: number, resolve: (status: ExitStatus) => void): void {
  const status = collected.get(pid);
  if (status !== undefined) {
    resolve(status);
    return;
  }
  const list = waiters.get(pid);
  if (list === undefined) waiters.set(pid, [resolve]);
  else list.push(resolve);
}
