// PR_SET_CHILD_SUBREAPER and PR_SET_PDEATHSIG.
import { flag, native } from './native';
import { normalizeSignal, Signal, signalName } from './signals';
import { normalizeBoolean } from './validate';

/**
 * Makes this process a child subreaper (Linux 3.4): orphaned descendants are
 * reparented to it instead of to PID 1.
 * @throws Error with code 'EPERM' where a sandbox forbids it (AWS Lambda).
 */
export function setChildSubreaper(enabled: boolean = true): void {
  native.setChildSubreaper(flag(normalizeBoolean(enabled, 'enabled')));
}

/** Whether this process is a child subreaper. */
export function isChildSubreaper(): boolean {
  return native.getChildSubreaper() === 1;
}

/**
 * The signal this process gets when its parent thread dies; 0 clears it.
 * The kernel sends it when the thread that forked us exits, not the process.
 */
export function setParentDeathSignal(signal: Signal | 0): void {
  native.setParentDeathSignal(normalizeSignal(signal, 'signal', true));
}

/** The parent-death signal by name, or 0 when none is set. */
export function getParentDeathSignal(): string | 0 {
  const signal = native.getParentDeathSignal();
  return signal === 0 ? 0 : signalName(signal);
}
