// The public waits: waitpid(), waitid() and reapAll(). They reap as
// waitid(2) does, and tell spawn()'s handles what they reaped. A handle
// whose child the app reaped itself has no other way to learn how it ended:
// waitid() on its pidfd finds nothing left, and init()'s reaper never saw it.
import { reapEvery, wait, WaitCall, waitidCall, WaitIdType, WaitOptions, waitpidCall, WaitResult } from '../kernel/wait';
import { anyWanted, claimOf, settle } from './exits';

/**
 * waitpid(2) semantics over waitid(2): pid > 0 waits for that child, -1 for
 * any child, 0 for any child in our process group, -pgid for any child in
 * that group. Non-blocking unless `block`: returns null when nothing is
 * ready, and null on ECHILD unless `throwIfNoChildren`.
 */
export function waitpid(pid: number = -1, options?: WaitOptions): WaitResult | null {
  return reap(waitpidCall(pid, options));
}

/** waitid(2): idtype 'all' (id ignored), 'pid' or 'pgid' (0: our group). */
export function waitid(idtype: WaitIdType, id: number = 0, options?: WaitOptions): WaitResult | null {
  return reap(waitidCall(idtype, id, options));
}

/**
 * Reaps every zombie child: waitid(P_ALL, WNOHANG) until nothing is ready or
 * ECHILD. In a process that also uses child_process this steals libuv's
 * children; init() uses the ownership-aware reaper instead.
 */
export function reapAll(): WaitResult[] {
  if (!anyWanted()) return reapEvery();
  const reaped: WaitResult[] = [];
  for (let next = reap(waitpidCall(-1)); next !== null; next = reap(waitpidCall(-1))) reaped.push(next);
  return reaped;
}

function reap(call: WaitCall): WaitResult | null {
  if (call.options.noWait || !anyWanted()) return wait(call);
  // A handle waits for a spawn() child. Peek first, and find whose claim
  // the reap is while the zombie is still there: a reap of that pid must
  // reach the handle of that process, not of an older one (exits.ts).
  for (;;) {
    const seen = wait({ ...call, options: { ...call.options, noWait: true } });
    if (seen === null) return null;
    const exited = !seen.stopped && !seen.continued;
    const claim = exited ? claimOf(seen.pid) : undefined;
    const got = wait({ idtype: 'pid', id: seen.pid, options: { ...call.options, block: false, throwIfNoChildren: false } });
    if (got === null) continue; // init()'s reaper took it in between
    if (claim !== undefined && !got.stopped && !got.continued) settle(claim, got.exitCode, got.signal);
    return got;
  }
}
