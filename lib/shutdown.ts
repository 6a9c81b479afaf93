// Stops a set of processes gracefully: the signal, a grace period, SIGKILL
// for the late ones (each logged), and a report. Exits are seen through
// pidfds becoming readable (Linux 5.3), so nothing is polled.
import { native, NativeFdWatcher } from './native';
import { ProcessHandle, pidfdSupported } from './kill';
import { ProcessInfo, sameProcess } from './procfs';
import { normalizeSignal, signalName } from './signals';

/** One process a shutdown dealt with. */
export interface StoppedProcess {
  pid: number;
  command: string;
}

/** What shutdown() did. */
export interface ShutdownReport {
  signal: string;
  gracePeriodMs: number;
  /** Processes that exited within the grace period. */
  exited: StoppedProcess[];
  /** Processes still running when it ended, sent SIGKILL. */
  killed: StoppedProcess[];
  durationMs: number;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export interface StopOptions {
  /** The processes to stop; called again whenever every known one is gone. */
  targets: () => ProcessInfo[];
  signal: string | number;
  gracePeriodMs: number;
  logger: Logger;
}

interface Tracked {
  info: ProcessInfo;
  handle: ProcessHandle;
  watcher: NativeFdWatcher | null;
  killed: boolean;
}

/** Sends the signal, waits up to the grace period, SIGKILLs the rest. */
export function stopProcesses(options: StopOptions): Promise<ShutdownReport> {
  const signal = normalizeSignal(options.signal);
  const started = process.hrtime.bigint();
  const alive = new Map<number, Tracked>();
  const done = new Set<string>();
  const exited: StoppedProcess[] = [];
  const killed: StoppedProcess[] = [];
  const watchable = pidfdSupported();
  let killing = false;
  let timer: NodeJS.Timeout | undefined;
  let finish: (report: ShutdownReport) => void = () => {};

  const report = (): ShutdownReport => ({
    signal: signalName(signal),
    gracePeriodMs: options.gracePeriodMs,
    exited,
    killed,
    durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
  });

  const kill = (tracked: Tracked): void => {
    tracked.killed = true;
    const { pid, command } = tracked.info;
    killed.push({ pid, command });
    options.logger.warn(`killed pid ${pid} (${command}) with SIGKILL: still running ${options.gracePeriodMs} ms after ${signalName(signal)}`);
    try {
      tracked.handle.kill('SIGKILL');
    } catch {
      // ESRCH: it exited in between
    }
  };

  const gone = (tracked: Tracked): void => {
    const { pid, command } = tracked.info;
    tracked.watcher?.close();
    tracked.handle.close();
    alive.delete(pid);
    if (!tracked.killed) exited.push({ pid, command });
    if (alive.size === 0) scan();
  };

  const track = (info: ProcessInfo): void => {
    const key = `${info.pid}:${info.startTime}`;
    if (alive.has(info.pid) || done.has(key)) return;
    done.add(key);
    let handle: ProcessHandle;
    try {
      handle = new ProcessHandle(info.pid);
    } catch {
      return; // gone already
    }
    // The pid may have been reused between the /proc scan and the open.
    if (!sameProcess(info.pid, info.startTime)) {
      handle.close();
      return;
    }
    const tracked: Tracked = { info, handle, watcher: null, killed: false };
    alive.set(info.pid, tracked);
    if (killing) {
      kill(tracked);
    } else {
      try {
        handle.kill(signal);
      } catch {
        // ESRCH: exiting already; its pidfd says when
      }
    }
    if (watchable) {
      tracked.watcher = new native.FdWatcher(handle.fd, () => gone(tracked));
      tracked.watcher.start();
    }
  };

  const scan = (): void => {
    for (const info of options.targets()) track(info);
    if (alive.size === 0) {
      if (timer !== undefined) clearTimeout(timer);
      finish(report());
    }
  };

  return new Promise<ShutdownReport>((resolve) => {
    finish = resolve;
    timer = setTimeout(() => {
      killing = true;
      for (const tracked of alive.values()) kill(tracked);
      scan();
      // Without pidfds (before Linux 5.3) exits of processes that are not
      // our children cannot be seen without polling: report and stop here.
      if (!watchable) {
        for (const tracked of alive.values()) tracked.handle.close();
        alive.clear();
        finish(report());
      }
    }, options.gracePeriodMs);
    scan();
  });
}
