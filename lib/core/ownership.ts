// Tells the native ownership registry which children libuv spawned, so the
// reaper never reaps them (docs/runtime-facts.md: a stolen libuv child makes
// its ChildProcess hang forever, or aborts Node when exec failed). The
// registry knows which JS thread registered each pid: when a Worker ends,
// its children become the reaper's.
//
// Every JS spawn goes through one of two bindings, both looked up at call
// time, so wrapping them here covers child_process's own captured references.
// Installed once per JS thread (main, each Worker) that loads pid1.
import { flag, native, nativeSupported } from '../kernel/native';
import { typeError } from '../kernel/validate';

interface ProcessHandleWrap {
  pid?: number;
  onexit?: (...args: unknown[]) => unknown;
  spawn(...args: unknown[]): number;
}

interface SpawnSyncBinding {
  spawn(...args: unknown[]): unknown;
}

// Whether children started by child_process are spawned detached (a session
// of their own). Process-wide; the face that wants it says when and why.
let detachChildren = false;

/** Spawn child_process's children detached from now on (or not). */
export function setDetachChildren(on: boolean): void {
  detachChildren = on;
}

// Node up to 22 passes one options object to the binding; Node 24 passes
// (file, args, cwd, envPairs, stdio, flags, uid, gid) with a flags word.
// Arguments are passed through untouched unless a child must be detached.
let detachedFlag = 1;

function withDetach(args: unknown[]): unknown[] {
  if (!detachChildren) return args;
  if (args.length === 1 && args[0] !== null && typeof args[0] === 'object') return [{ ...(args[0] as object), detached: true }];
  if (args.length >= 6 && typeof args[5] === 'number') {
    const copy = [...args];
    copy[5] = (args[5] as number) | detachedFlag;
    return copy;
  }
  return args;
}

// Releases `pid` when libuv has collected it: onexit runs right after libuv's
// waitpid. An accessor, so a handler assigned after spawn() is wrapped too.
function releaseOnExit(handle: ProcessHandleWrap, pid: number): void {
  let current = handle.onexit;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    native.release(pid);
    return current?.apply(this, args);
  };
  Object.defineProperty(handle, 'onexit', {
    configurable: true,
    enumerable: true,
    get: () => wrapped,
    set: (value) => {
      current = value;
    },
  });
}

// process.binding() is deprecated (DEP0111): with --pending-deprecation it
// warns on pid1's behalf, and with --throw-deprecation as well it throws.
// The two spawn bindings are reachable only through it: looked up with
// deprecation warnings off for those calls, which neither warn nor throw,
// and leave the app's own process.binding() calls warning as before.
// (A ChildProcess's handle would give the async one too, but loading
// child_process costs the pid1 command, which never uses it, 1.8 MiB.)
function spawnBindings(): { proto: ProcessHandleWrap; spawnSync: SpawnSyncBinding; detached?: number } {
  const quiet = process as unknown as { noDeprecation?: boolean; binding(name: string): unknown };
  const before = quiet.noDeprecation;
  quiet.noDeprecation = true;
  try {
    const processWrap = quiet.binding('process_wrap') as { Process: { prototype: ProcessHandleWrap }; constants?: { kProcessFlagDetached?: number } };
    return {
      proto: processWrap.Process.prototype,
      spawnSync: quiet.binding('spawn_sync') as SpawnSyncBinding,
      detached: processWrap.constants?.kProcessFlagDetached,
    };
  } finally {
    quiet.noDeprecation = before;
  }
}

function install(): void {
  const { proto, spawnSync, detached } = spawnBindings();
  detachedFlag = detached ?? detachedFlag;
  const originalSpawn = proto.spawn;
  const originalSpawnSync = spawnSync.spawn;
  if ((originalSpawn as { pid1?: boolean }).pid1) return;

  const spawn = function (this: ProcessHandleWrap, ...args: unknown[]): number {
    native.spawnBegin();
    let pid = 0;
    try {
      const err = originalSpawn.apply(this, withDetach(args));
      if (err === 0 && typeof this.pid === 'number') pid = this.pid;
      return err;
    } finally {
      native.spawnEnd(pid);
      if (pid > 0) releaseOnExit(this, pid);
    }
  };
  // A sync spawn never registers its pid: the reaper reaps nothing while it
  // runs, and libuv's private loop collects the child.
  const spawnSyncWrapped = function (this: unknown, ...args: unknown[]): unknown {
    native.spawnBegin();
    try {
      return originalSpawnSync.apply(this, withDetach(args));
    } finally {
      native.spawnEnd(0);
    }
  };
  Object.defineProperty(spawn, 'pid1', { value: true });
  proto.spawn = spawn;
  spawnSync.spawn = spawnSyncWrapped;
}

// Children child_process started before pid1 was loaded (an ESM app's
// imports run before its body) are libuv's too: registered from the handles
// the loop holds, so the reaper never takes them. An unref()'d child is not
// among those handles; loading pid1 first (node -r pid1/register) covers it.
function adoptExisting(): void {
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  for (const handle of handles) {
    const wrap = (handle as { _handle?: ProcessHandleWrap | null })._handle;
    const pid = (handle as { pid?: unknown }).pid;
    if (wrap === null || wrap === undefined || typeof wrap.onexit !== 'function' || typeof pid !== 'number' || pid <= 0) continue;
    native.spawnBegin();
    native.spawnEnd(pid);
    releaseOnExit(wrap, pid);
  }
}

// Not Linux: nothing to register with, and child_process must keep working.
if (nativeSupported) {
  install();
  adoptExisting();
}

/** Hands a child forked by other native code back to its owner. */
export function exempt(pid: number, on = true): void {
  native.setExempt(pid, flag(on));
}

/**
 * Runs a foreign native fork with reaping paused and exempts the pid it
 * returns before reaping resumes (see Init.exemptSpawn).
 */
export function runExempt<T>(spawn: () => T): T {
  native.spawnBegin();
  try {
    const result = spawn();
    const pid = typeof result === 'number' ? result : (result as { pid?: unknown } | null)?.pid;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) {
      throw typeError('spawn()', 'a function that returns a pid or an object with a pid', result);
    }
    native.setExempt(pid, 1);
    // node-pty's IPty: onExit fires once its own waitpid has collected the child.
    const onExit = (result as { onExit?: unknown }).onExit;
    if (typeof onExit === 'function') onExit.call(result, () => native.setExempt(pid, 0));
    return result;
  } finally {
    native.spawnEnd(0);
  }
}
