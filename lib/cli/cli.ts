#!/usr/bin/env node
// The pid1 command: a drop-in for tini and dumb-init. It spawns the command
// with its own fork+exec, so every child of this process belongs to the
// reaper; forwards signals from the reaper thread; mirrors the child's exit
// status; and stops whatever is left gracefully before it exits.
import { readFileSync } from 'fs';
import { HINT, parseArgs, UsageError, USAGE, CliSettings } from './cli-args';
import { killProcessGroup, pidfdSupported, ProcessHandle } from '../core/kill';
import { startFaultForwarding } from '../kernel/faultfwd';
import { detachTerminal, isTerminal } from '../kernel/tty';
import { descendantsOf, hasDescendants, ProcessInfo } from '../kernel/procfs';
import { reaper, ReapEvent, ReaperSink, SignalEvent } from '../core/reaper';
import { forwardableSignals, signalName, SIGNALS } from '../kernel/signals';
import type * as StopFloor from '../core/stop';
import type { LogFields, Logger, Stop } from '../core/stop';
import { spawn } from '../core/spawn';
import { setChildSubreaper, setParentDeathSignal } from '../kernel/subreaper';
import { hasCode } from '../kernel/validate';

// The signals that start a stop: the child is told (forwarded as they are)
// and, after it, whatever it left behind gets SIGTERM; all within one grace
// period that begins with the signal.
const STOPPING = new Set<number>([SIGNALS.SIGTERM, SIGNALS.SIGINT]);
const JOB_CONTROL = new Set<number>([SIGNALS.SIGTSTP, SIGNALS.SIGTTIN, SIGNALS.SIGTTOU]);
// Signals the reaper cannot take (NOT_FORWARDED), forwarded by a handler
// instead (native/kernel/faultfwd.cc) when another process sent them:
// - Synchronous faults (SEGV, BUS, FPE, ILL, TRAP, SYS, ABRT) may be about
//   pid1 itself: blocked, a real fault kills the process without a core, and
//   a WebAssembly trap would not reach Node's handler.
// - SIGPROF is V8's sampling profiler, sent to the JS thread with tgkill:
//   blocked, the profiler's own ticks would be forwarded to the child. V8
//   installs its own handler while it samples, and puts the previous back.
const FAULTS = [SIGNALS.SIGILL, SIGNALS.SIGTRAP, SIGNALS.SIGABRT, SIGNALS.SIGBUS, SIGNALS.SIGFPE, SIGNALS.SIGSEGV, SIGNALS.SIGSYS, SIGNALS.SIGPROF];

type Level = 'error' | 'warn' | 'info' | 'debug';
const LEVELS: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };
type Log = (level: Level, message: string, fields?: LogFields) => void;

function makeLog(settings: CliSettings): Log {
  return (level, message, fields) => {
    if (LEVELS[level] > settings.verbosity && level !== 'error') return;
    const line = settings.logFormat === 'json'
      ? JSON.stringify({ time: new Date().toISOString(), level, pid: process.pid, message, ...fields })
      : `pid1: ${message}`;
    process.stderr.write(`${line}\n`);
  };
}

function describe(event: ReapEvent): string {
  return event.signal === null ? `exit code ${event.exitCode}` : `signal ${event.signal}`;
}

/** Exit status the shell way: the code, or 128 + the signal number. */
function statusOf(event: ReapEvent): number {
  if (event.signal === null) return event.exitCode ?? 0;
  return 128 + (SIGNALS[event.signal as NodeJS.Signals] ?? 0);
}

/** One run of the command, step by step, in the order run() takes them. */
class CommandRun {
  readonly #settings: CliSettings;
  readonly #log: Log;
  readonly #logger: Logger;
  readonly #forwarded = forwardableSignals();
  readonly #groupTarget: boolean;
  // dumb-init's --setsid: the child's session owns the terminal. Not with
  // -c (--coordinated), where pid1 keeps it so that Ctrl+C reaches pid1,
  // which tells the child alone.
  readonly #handOff: boolean;
  // The fault forwarder's pipe, read by the reaper thread (-1: none yet).
  #faultFd = -1;
  #childPid = 0;
  #child: ProcessHandle | undefined;
  #childStatus: number | undefined;
  // What --forward-delay sent the child, and when (ms, monotonic).
  #delayedSent: { signal: string; at: number } | undefined;
  #stop: Stop | undefined;
  #stopped = false;
  #exiting = false;

  constructor(settings: CliSettings) {
    this.#settings = settings;
    this.#log = makeLog(settings);
    this.#logger = { info: (m, f) => this.#log('info', m, f), warn: (m, f) => this.#log('warn', m, f) };
    this.#groupTarget = settings.killProcessGroup || (settings.setsid && !settings.singleChild);
    this.#handOff = settings.setsid && !settings.singleChild && isTerminal(0);
  }

  /**
   * First of all: from here on, a fault signal another process sends is a
   * request to forward, not pid1's death. Requests wait in the pipe until
   * the reaper thread reads them with its signalfd; it forwards and reports
   * them as it does every other signal (held until the child's pid is
   * known).
   */
  forwardFaults(): void {
    this.#faultFd = startFaultForwarding(FAULTS);
  }

  /**
   * --setsid on a terminal: pid1 gives it up for the child to take. Before
   * the reaper blocks SIGHUP and SIGCONT: letting go sends both to pid1's
   * group when pid1 leads the session (`docker run -it`), and they are not
   * meant for the child.
   */
  releaseTerminal(): void {
    if (!this.#handOff) return;
    try {
      detachTerminal(0);
      this.#log('debug', 'gave up the terminal for the child to take', { event: 'terminal' });
    } catch (error) {
      // Every error is meant: keeping the terminal is a working outcome, and the log says why.
      this.#log('debug', `kept the terminal (${(error as Error).message}): the child takes it only if no other session owns it`, { event: 'terminal' });
    }
  }

  /** -p, and a subreaper wherever pid1 is not PID 1 (or -s asks). */
  configure(): void {
    const settings = this.#settings;
    if (settings.parentDeathSignal !== 0) setParentDeathSignal(settings.parentDeathSignal);
    if (process.pid === 1 && !settings.subreaper) return;
    try {
      setChildSubreaper(true);
    } catch (error) {
      // Every error is meant: pid1 runs on without it, as tini does, and the warning names it.
      this.#log('warn', `not PID 1 and cannot become a child subreaper (${(error as Error).message}): orphans of the command's descendants will be reaped by the real init, not by pid1`);
    }
  }

  /**
   * The reaper thread takes every forwardable signal; JS hears only what it
   * acts on or logs: the child's exit (every reap with -w or -vv),
   * SIGTERM/SIGINT, and job control outside PID 1 (every signal at -v).
   * The rest is forwarded on the reaper thread alone.
   */
  startReaper(): void {
    const settings = this.#settings;
    // Asked now, not in the child's first moments: the first answer costs
    // the main thread a few hundred µs (fs), which would compete with it.
    pidfdSupported();
    // A signal that arrives before the child's pid is known is held, not
    // lost: held from before the thread starts, which may read a fault
    // request queued already in its first pass.
    reaper.holdForward();
    reaper.start(this.#forwarded, this.#sink, { faultFd: this.#faultFd });
    reaper.ref();
    const heard = new Set<number>([...STOPPING, ...(process.pid !== 1 ? JOB_CONTROL : [])]);
    reaper.report(settings.warnOnReap || settings.verbosity >= LEVELS.debug, settings.verbosity >= LEVELS.info ? [] : this.#forwarded.filter((s) => !heard.has(s)));
  }

  /** fork + exec of the command; 127 when it is missing, 126 when it cannot run. */
  spawnChild(): void {
    const settings = this.#settings;
    const [file, ...args] = settings.command;
    try {
      this.#child = spawn(file, args, {
        setsid: settings.setsid,
        setpgid: !settings.setsid,
        foreground: (settings.setsid ? this.#handOff : isTerminal(0)) ? 0 : false,
      });
    } catch (error) {
      const err = error as Error & { code?: string; syscall?: string };
      this.#log('error', `${err.syscall === 'execve' ? 'exec' : err.syscall} ${file} failed: ${err.message.replace(/^\S+ \S+: /, '')}`);
      process.exit(err.code === 'ENOENT' ? 127 : 126);
    }
    this.#childPid = this.#child.pid;
    this.#log('info', `started pid ${this.#childPid}: ${settings.command.join(' ')}`);
    // An init should not pin a directory (a mount) for the life of the
    // container; the child has its own by now. As dumb-init does. Before
    // forwarding starts, so that the child can tell.
    try {
      process.chdir('/');
    } catch {
      // Every error is meant: staying where it was costs nothing the
      // child depends on.
    }
    const rewrite = new Map(settings.rewrite);
    if (settings.forwardDelayMs > 0) rewrite.set(SIGNALS.SIGTERM, 0);
    // A new session's group is orphaned, so the kernel discards a SIGTSTP,
    // SIGTTIN or SIGTTOU it would stop on: SIGSTOP it, as dumb-init does,
    // unless -r says otherwise.
    if (settings.setsid) {
      for (const sig of JOB_CONTROL) if (!rewrite.has(sig)) rewrite.set(sig, SIGNALS.SIGSTOP);
    }
    reaper.forward(this.#groupTarget ? -this.#childPid : this.#childPid, this.#childPid, rewrite);
  }

  readonly #sink: ReaperSink = {
    signal: (event) => this.#onSignal(event),
    reap: (event) => {
      if (event.pid === this.#childPid && this.#childStatus === undefined) this.#onChildExit(event);
      else this.#onOtherReap(event);
    },
    error: (error) => this.#log('error', `${error.message}: reaping may have stopped`, { event: 'error', code: error.code, syscall: error.syscall }),
  };

  #onSignal(event: SignalEvent): void {
    this.#log('info', `received ${event.signal} from pid ${event.pid}`, { event: 'signal', signal: event.signal, from: event.pid });
    if (this.#settings.forwardDelayMs > 0 && event.signo === SIGNALS.SIGTERM) this.#forwardLater(event.signo);
    // A stopping signal that --rewrite drops (S:0) is dropped: no stop either.
    if (STOPPING.has(event.signo) && (this.#settings.rewrite.get(event.signo) ?? event.signo) !== 0) this.#beginStop();
    // dumb-init's job control: the child was told; now pid1 suspends too,
    // unless it is PID 1, which the kernel would not stop anyway.
    if (JOB_CONTROL.has(event.signo) && process.pid !== 1) process.kill(process.pid, 'SIGSTOP');
  }

  #forwardLater(signo: number): void {
    const settings = this.#settings;
    const mapped = settings.rewrite.get(signo) ?? signo;
    if (mapped === 0) return;
    // Counted as sent from now on: the stop must not tell the child first.
    this.#delayedSent ??= { signal: signalName(mapped), at: Number(process.hrtime.bigint()) / 1e6 + settings.forwardDelayMs };
    setTimeout(() => {
      // Never pid 0 or -1: without a started child there is nobody to tell.
      if (this.#childPid <= 1 || this.#childStatus !== undefined) return;
      try {
        if (this.#groupTarget) killProcessGroup(this.#childPid, mapped);
        else this.#child?.kill(mapped);
        this.#log('info', `forwarded ${signalName(mapped)} after ${settings.forwardDelayMs} ms`);
      } catch (error) {
        if (!hasCode(error, 'ESRCH')) throw error; // the child is gone
      }
    }, settings.forwardDelayMs);
  }

  // The stop's targets: the child while it runs, then what it left behind;
  // at the deadline, everything (the child is SIGKILLed with the rest).
  #targets = (atDeadline: boolean): ProcessInfo[] => {
    const all = descendantsOf(process.pid, true);
    const child = all.find((p) => p.pid === this.#childPid && p.exited === undefined);
    if (!this.#settings.killOrphans) return child === undefined ? [] : [child];
    if (child !== undefined && !atDeadline) return [child];
    return all;
  };

  // What the forwarder sent (the child, or its group with -g/--setsid)
  // counts: the stop does not send it again, and its kill line measures
  // from it. The child had the signal that began the stop as it came, or
  // as --rewrite mapped it, or --forward-delay later.
  #alreadySent = (info: ProcessInfo): { signal: string; agoMs: number } | undefined => {
    const child = info.pid === this.#childPid;
    // The rest of the tree counts only a SIGTERM: a SIGINT its group got
    // may be ignored (shell background jobs do).
    const signals = child ? new Set([SIGNALS.SIGTERM, ...[...STOPPING].map((s) => this.#settings.rewrite.get(s) ?? s).filter((s) => s > 0)]) : [SIGNALS.SIGTERM];
    for (const signal of signals) {
      const agoMs = reaper.sentAgo(signal, info);
      if (agoMs !== undefined) return { signal: signalName(signal), agoMs };
    }
    if (child && this.#delayedSent !== undefined) {
      return { signal: this.#delayedSent.signal, agoMs: Number(process.hrtime.bigint()) / 1e6 - this.#delayedSent.at };
    }
    return undefined;
  };

  // One stop for the whole run: its deadline is fixed when it begins (at the
  // first SIGTERM/SIGINT, or at the child's exit).
  #beginStop(): void {
    if (this.#stop !== undefined) return;
    // Loaded here: a run that ends with its child, nothing left, never stops.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Stop } = require('../core/stop') as typeof StopFloor;
    this.#stop = new Stop({
      signal: SIGNALS.SIGTERM,
      gracePeriodMs: this.#settings.gracePeriodMs,
      logger: this.#logger,
      targets: this.#targets,
      alreadySent: this.#alreadySent,
    });
    void this.#stop.promise.then(() => {
      this.#stopped = true;
      this.#exitWhenDone();
    });
  }

  #onChildExit(event: ReapEvent): void {
    this.#child?.close();
    this.#child = undefined;
    this.#childStatus = statusOf(event);
    this.#log('info', `child ${this.#childPid} exited with ${describe(event)}`, { event: 'exit', target: this.#childPid, status: this.#childStatus });
    if (this.#stop === undefined && this.#settings.killOrphans && hasDescendants()) {
      this.#log('info', 'stopping what the child left behind');
      this.#beginStop();
    }
    this.#exitWhenDone();
  }

  #onOtherReap(event: ReapEvent): void {
    const fields = { event: 'reap', target: event.pid, exitCode: event.exitCode, signal: event.signal };
    if (this.#settings.warnOnReap) this.#log('warn', `reaped zombie pid ${event.pid} (${describe(event)})`, fields);
    else this.#log('debug', `reaped pid ${event.pid} (${describe(event)})`, fields);
  }

  // pid1 exits once the child's status is known and any stop is over.
  // Nothing is lost on the way out: the reaper thread stops after a last
  // pass, every event it queued is emitted, and the zombies that arrived
  // after that the core reaps last, under its ownership rule. The signals
  // stay blocked until the exit.
  #exitWhenDone(): void {
    if (this.#exiting || this.#childStatus === undefined || (this.#stop !== undefined && !this.#stopped)) return;
    this.#exiting = true;
    const status = this.#childStatus;
    const code = this.#settings.successCodes.includes(status) ? 0 : status;
    reaper.finish(() => {
      reaper.reapLate();
      process.exit(code);
    });
  }
}

function run(settings: CliSettings): void {
  const command = new CommandRun(settings);
  command.forwardFaults();
  command.configure();
  command.releaseTerminal();
  command.startReaper();
  command.spawnChild();
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(`${__dirname}/../../package.json`, 'utf8')) as { version: string }).version;
}

/** Runs the command line; exits the process. */
export function main(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): void {
  let settings: CliSettings;
  try {
    settings = parseArgs(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(error.noCommand ? HINT : `pid1: ${error.message}\n${HINT}`);
    process.exit(1);
  }
  switch (settings.action) {
    case 'help':
      process.stdout.write(USAGE);
      return;
    case 'version':
      process.stdout.write(`pid1 ${packageVersion()}\n`);
      return;
    case 'license':
      process.stdout.write(readFileSync(`${__dirname}/../../LICENSE`, 'utf8'));
      return;
    default:
      run(settings);
  }
}

if (require.main === module) main();
