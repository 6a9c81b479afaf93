// The terminal on a descriptor: whether there is one, and giving it up.
import { native } from './native';

/** isatty(3). */
export function isTerminal(fd: number): boolean {
  return native.isatty(fd) === 1;
}

/** TIOCNOTTY, with SIGHUP and SIGCONT ignored around it (letting go sends both to the session leader's group). */
export function detachTerminal(fd: number): void {
  native.ttyDetach(fd);
}
