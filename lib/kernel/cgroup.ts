// A cgroup v2 leaf per process tree: the kernel keeps every descendant in
// it, whatever it does (double fork, setsid, reparenting to a subreaper),
// and cgroup.kill (Linux 5.14) SIGKILLs all of it at once, forks under way
// included. Used only where this process may create cgroups below its own
// (root, or a delegated cgroup): elsewhere spawn() says so with
// ERR_PID1_NO_CGROUP.
import { closeSync, existsSync, watch, mkdirSync, openSync, constants as fsConstants, readFileSync, rmdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { hasCode, pid1Error } from './validate';
import { debuglog } from 'util';

const trace = debuglog('pid1'); // NODE_DEBUG=pid1, as in core/stop.ts

/** Where this process's own cgroup v2 directory is, and its path as /proc/PID/cgroup writes it. */
interface Place {
  dir: string;
  relative: string;
}

let place: Place | null | undefined;

function ownPlace(): Place | null {
  if (place !== undefined) return place;
  place = null;
  let relative: string | undefined;
  try {
    relative = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((line) => line.startsWith('0::'))?.slice(3);
  } catch (error) {
    if (!hasCode(error, 'ENOENT')) throw error; // no cgroups in this kernel, or no /proc
    return place;
  }
  if (relative === undefined || relative.endsWith(' (deleted)')) return place;
  // mountinfo: id parent major:minor root mountpoint options - fstype source superoptions
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (right === undefined || !right.startsWith('cgroup2 ')) continue;
    const fields = left.split(' ');
    const root = fields[3];
    const mountPoint = fields[4].replace(/\\040/g, ' ');
    if (root !== '/' && relative !== root && !relative.startsWith(`${root}/`)) continue;
    place = { dir: path.join(mountPoint, root === '/' ? relative : relative.slice(root.length)), relative };
    break;
  }
  return place;
}

let sequence = 0;

/** One process tree's cgroup. */
export class TreeCgroup {
  readonly dir: string;
  /** The path /proc/PID/cgroup shows for a member. */
  readonly relative: string;
  #procsFd: number;

  /** @throws Error with code 'ERR_PID1_NO_CGROUP' where no cgroup v2 can be made here. */
  constructor() {
    const own = ownPlace();
    if (own === null) throw pid1Error('ERR_PID1_NO_CGROUP', 'No cgroup v2 hierarchy is mounted here (or this process is in none): a tree cannot be given its own cgroup');
    // Unique across PID namespaces too: every container's init is pid 1, and
    // two of them (two test files, two apps) share one cgroup tree.
    // crypto is loaded here, not with the module: it adds about 200 KiB to
    // the heap of every process that loads spawn(), the pid1 command's too.
    const { randomBytes } = require('crypto') as typeof import('crypto');
    const name = `pid1-${process.pid}-${randomBytes(6).toString('hex')}-${++sequence}`;
    this.dir = path.join(own.dir, name);
    this.relative = path.posix.join(own.relative, name);
    let made = false;
    try {
      mkdirSync(this.dir);
      made = true;
      if (!existsSync(path.join(this.dir, 'cgroup.kill'))) throw pid1Error('ENOENT', 'cgroup.kill needs Linux 5.14');
      // libuv opens every file close-on-exec; the child writes to it before its exec.
      this.#procsFd = openSync(path.join(this.dir, 'cgroup.procs'), fsConstants.O_WRONLY);
    } catch (cause) {
      // Only a cgroup this call made is removed: a name that existed
      // already belongs to somebody else.
      if (made) {
        try {
          rmdirSync(this.dir);
        } catch {
          // Every error is meant: this is cleanup on the way out of a
          // failure, and `cause`, the error that matters, is thrown below.
        }
      }
      throw Object.assign(
        pid1Error('ERR_PID1_NO_CGROUP', `Cannot make the cgroup ${this.dir} for a process tree (${(cause as Error).message}); cgroup v2 must be writable here (root, or a delegated cgroup), with Linux 5.14 for cgroup.kill`),
        { cause },
      );
    }
  }

  /** The fd the spawned child writes "0" to, to join before it runs anything. */
  get procsFd(): number {
    return this.#procsFd;
  }

  /** Done with spawning into it. */
  closeProcs(): void {
    if (this.#procsFd >= 0) closeSync(this.#procsFd);
    this.#procsFd = -1;
  }

  /** The pids in it now (zombies are not members). */
  pids(): number[] {
    try {
      const pids = readFileSync(path.join(this.dir, 'cgroup.procs'), 'latin1').split('\n').filter((l) => l !== '').map(Number);
      trace('cgroup %s: procs %j', this.relative, pids);
      return pids;
    } catch (error) {
      if (!hasCode(error, 'ENOENT')) throw error; // removed already
      return [];
    }
  }

  /** Whether `pid` is in it now. */
  has(pid: number): boolean {
    try {
      return readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').includes(`0::${this.relative}`);
    } catch (error) {
      if (!hasCode(error, 'ENOENT', 'ESRCH')) throw error; // the process is gone
      return false;
    }
  }

  #empty(): boolean {
    try {
      return /^populated 0$/m.test(readFileSync(path.join(this.dir, 'cgroup.events'), 'latin1'));
    } catch (error) {
      if (!hasCode(error, 'ENOENT')) throw error; // removed, so empty
      return true;
    }
  }

  // Calls `then` once no process is left in it: cgroup.events, watched
  // through inotify from before the first look, so that no change falls in
  // between. `persistent` false: the watch does not keep the process alive.
  #onceEmpty(persistent: boolean, then: () => void): void {
    const watcher = watch(path.join(this.dir, 'cgroup.events'), { persistent }, () => {
      if (!this.#empty()) return;
      watcher.close();
      then();
    });
    if (this.#empty()) {
      watcher.close();
      then();
    }
  }

  /** Resolves once no process is left in it. */
  whenEmpty(): Promise<void> {
    trace('cgroup %s: waiting until it is empty', this.relative);
    return new Promise((resolve) => this.#onceEmpty(true, resolve));
  }

  /**
   * Removes it now if no process is left in it, else once the last one has
   * gone, as long as this process runs (it is not kept running for that).
   */
  release(): void {
    if (this.remove()) return;
    this.#onceEmpty(false, () => {
      try {
        this.remove();
      } catch (error) {
        process.emitWarning(`pid1: cannot remove the cgroup ${this.dir}: ${(error as Error).message}`);
      }
    });
  }

  /** SIGKILL to every member, atomically against forks. */
  kill(): void {
    writeFileSync(path.join(this.dir, 'cgroup.kill'), '1');
  }

  /** Removes it once empty; false while it still has members. */
  remove(): boolean {
    this.closeProcs();
    try {
      rmdirSync(this.dir);
      return true;
    } catch (error) {
      if (hasCode(error, 'ENOENT')) return true;
      if (hasCode(error, 'EBUSY')) return false;
      throw error;
    }
  }
}
