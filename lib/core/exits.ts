// Exit statuses the reaper collected, kept for the handles that wait on
// them. A pidfd says only that its process exited; once init()'s reaper has
// reaped a child, waitid() on the pidfd has nothing left to tell, so the
// status is taken from the reap instead: init()'s reaper reports each one,
// and so do the public waits (core/wait.ts) that the app may call itself.
// Only pids someone wants are kept: the first reap of a wanted pid after it
// was wanted is its process (a pid is not reused before it is reaped).
import { flag, native } from '../kernel/native';
import { readStat } from '../kernel/procfs';
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

/** One handle's claim on the next reap of its pid. */
export interface ExitSlot {
  readonly pid: number;
  /** The process's start time (/proc/<pid>/stat, in clock ticks), when known. */
  readonly startTime: number | undefined;
  /**
   * Whether this handle's process is the zombie at its pid now (its pidfd
   * says so); undefined when the handle holds no pidfd.
   */
  readonly isZombie: () => boolean | undefined;
  status: ExitStatus | undefined;
  /** Told once, when the reaper reports the reap (the handle's own clean-up, and `exited`). */
  waiters: ((status: ExitStatus) => void)[];
  released: boolean;
}

// Per pid, the claims in the order the handles were made. A pid is not
// reused before it is reaped, and the reaper emits its reaps in order, so
// the n-th reap of a pid belongs to the n-th claim: a reap event that
// reaches JS after a new child got the same pid still goes to the old one.
const slots = new Map<number, ExitSlot[]>();

export function want(pid: number, startTime: number | undefined, isZombie: () => boolean | undefined): ExitSlot {
  const slot: ExitSlot = { pid, startTime, isZombie, status: undefined, waiters: [], released: false };
  const list = slots.get(pid);
  if (list === undefined) slots.set(pid, [slot]);
  else list.push(slot);
  return slot;
}

function drop(slot: ExitSlot): void {
  const list = slots.get(slot.pid);
  if (list === undefined) return;
  const at = list.indexOf(slot);
  if (at >= 0) list.splice(at, 1);
  if (list.length === 0) slots.delete(slot.pid);
}

/**
 * The handle is closed or gone. A claim still waiting for its reap keeps
 * its place (the reap is its, not the next handle's) and is dropped then.
 */
export function release(slot: ExitSlot): void {
  slot.released = true;
  slot.waiters = [];
  if (slot.status !== undefined) drop(slot);
}

/** Whether any handle waits for a reap: else a reap has nobody to tell. */
export function anyWanted(): boolean {
  return slots.size > 0;
}

/** Called by the reaper for each reap, before the face hears of it. */
export function noteReap(event: ReapEvent): void {
  const slot = slots.get(event.pid)?.find((s) => s.status === undefined);
  if (slot !== undefined) settle(slot, event.exitCode, event.signal);
}

/**
 * The claim that a reap of the zombie at `pid`, about to be made by the app
 * itself, belongs to; asked while the zombie is still there. An older
 * process with the same pid may have been reaped by init()'s reaper with
 * its event still on the way to JS, so the oldest open claim is not always
 * the one: the claim whose pidfd shows the zombie is, else the one with its
 * start time (clock ticks: two processes of the same tick look alike), else
 * the oldest. Only a choice between claims costs a look at pidfds or /proc.
 */
export function claimOf(pid: number): ExitSlot | undefined {
  const open = slots.get(pid)?.filter((s) => s.status === undefined) ?? [];
  if (open.length <= 1) return open[0];
  const zombie = open.map((s) => s.isZombie());
  const at = zombie.indexOf(true);
  if (at >= 0) return open[at];
  const unknown = open.filter((_, i) => zombie[i] === undefined);
  const startTime = readStat(pid)?.startTime;
  return unknown.find((s) => startTime !== undefined && s.startTime === startTime) ?? unknown[0] ?? open[0];
}

/** The claim's process was reaped, so: tells its waiters. */
export function settle(slot: ExitSlot, exitCode: number | null, signal: string | null): void {
  if (slot.status !== undefined) return;
  const status: ExitStatus = { exitCode, signal, known: true };
  slot.status = status;
  if (slot.released) {
    drop(slot);
    return;
  }
  const waiters = slot.waiters;
  slot.waiters = [];
  for (const waiter of waiters) waiter(status);
}

/** Calls `resolve` with the status once the reaper reports the slot's reap (at once if it has). */
export function whenCollected(slot: ExitSlot, resolve: (status: ExitStatus) => void): void {
  if (slot.status !== undefined) resolve(slot.status);
  else slot.waiters.push(resolve);
}

// The reaper's wake-up does not hold the event loop open by itself. It does
// while the pid1 command waits on it for its child (holdLoopFor('face')),
// and while a handle's `exited` waits for a report that only it can bring
// (holdLoopFor('report')): the pidfd's watch held the loop until it fired,
// and a reap the reaper made just before must not let the process end
// with the report on its way.
let faceHolds = false;
let reportHolds = 0;
const held = (): boolean => faceHolds || reportHolds > 0;

/** Holds the loop open for the face (on/off), or one more (or one fewer) awaited report. */
export function holdLoopFor(who: 'face' | 'report', on: boolean): void {
  const before = held();
  if (who === 'face') faceHolds = on;
  else reportHolds += on ? 1 : -1;
  if (before !== held()) native.reaperRef(flag(held()));
}

/** A new reaper thread's wake-up starts unref'd: ref it when something holds the loop. */
export function reaperStarted(): void {
  if (held()) native.reaperRef(1);
}
