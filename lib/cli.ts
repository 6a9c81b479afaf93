#!/usr/bin/env node
// The pid1 command: a drop-in for tini and dumb-init. It spawns the command
// with its own fork+exec, so every child of this process belongs to the
// reaper; forwards signals from the reaper thread; mirrors the child's exit
// status; and stops whatever is left gracefully before it exits.
import { readFileSync } from 'fs';
import { constants } from 'os';
import * as path from 'path';
import { parseArgs, UsageError, USAGE, CliSettings } from './cli-args';
import { killProcessGroup, ProcessHandle } from './kill';
import { native } from './native';
import { descendantsOf, sameProcess } from './procfs';
import { reaper, ReapEvent, SignalEvent } from './reaper';
import { CARRIER_SIGNAL, SIGRTMAX, SIGRTMIN, signalName } from './signals';
import { Logger, stopProcesses } from './shutdown';
import { spawn } from './spawn';
import { setChildSubreaper, setParentDeathSignal } from './subreaper';
import { reapAll } from './wait';

const S = constants.signals;

// Signals pid1 takes and forwards: every catchable one but these.
// - SIGCHLD is the reaper's own.
// - Synchronous faults (SEGV, BUS, FPE, ILL, TRAP, SYS, ABRT) are about pid1
//   itself: blocking them would turn a crash into a silent kill.
// - SIGPROF is V8's sampling profiler, sent to one thread with tgkill.
// - SIGKILL and SIGSTOP cannot be caught.
// Real-time signals are forwarded too, except pid1's mask carrier.
const NOT_FORWARDED = new Set<number>([S.SIGCHLD, S.SIGKILL, S.SIGSTOP, S.SIGSEGV, S.SIGBUS, S.SIGFPE, S.SIGILL, S.SIGTRAP, S.SIGSYS, S.SIGABRT, S.SIGPROF]);
const STOPPING = new Set<number>([S.SIGTERM, S.SIGINT]);
const JOB_CONTROL = new Set<number>([S.SIGTSTP, S.SIGTTIN, S.SIGTTOU]);

function forwardedSignals(): number[] {
  const out: number[] = [];
  for (let sig = 1; sig <= 31; sig++) if (!NOT_FORWARDED.has(sig)) out.push(sig);
  for (let sig = SIGRTMIN; sig <= SIGRTMAX; sig++) if (sig !== CARRIER_SIGNAL) out.push(sig);
  return out;
}

type Level = 'error' | 'warn' | 'info' | 'debug';
const LEVELS: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };

function makeLog(settings: CliSettings): (level: Level, message: string) => void {
  return (level, message) => {
    if (LEVELS[level] > settings.verbosity && level !== 'error') return;
    const line = settings.logFormat === 'json'
      ? JSON.stringify({ time: new Date().toISOString(), level, pid: process.pid, message })
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
  return 128 + (S[event.signal as NodeJS.Signals] ?? 0);
}

function run(settings: CliSettings): void {
  const log = makeLog(settings);
  const logger: Logger = { info: (m) => log('info', m), warn: (m) => log('warn', m) };
  if (settings.parentDeathSignal !== 0) setParentDeathSignal(settings.parentDeathSignal);
  if (process.pid !== 1 || settings.subreaper) {
    try {
      setChildSubreaper(true);
    } catch (error) {
      log('warn', `not PID 1 and cannot become a child subreaper (${(error as Error).message}): orphans of the command's descendants will be reaped by the real init, not by pid1`);
    }
  }

  let mainPid = 0;
  let main: ProcessHandle | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let stoppingSince = 0;
  let finishing = false;

  const groupTarget = settings.killProcessGroup || (settings.setsid && !settings.singleChild);
  // Nothing is lost on the way out: the reaper thread stops after a last
  // pass, every event it queued is emitted, and zombies that arrived after
  // that are reaped here (all children are pid1's own: no libuv child to
  // steal). The signals stay blocked until the exit.
  const exitWith = (status: number): void => {
    const code = settings.successCodes.includes(status) ? 0 : status;
    reaper.finish(() => {
      for (const event of reapAll()) onOtherReap(event);
      process.exit(code);
    });
  };

  // The grace period after SIGTERM/SIGINT is over: SIGKILL whoever is left,
  // the child included, each logged.
  const killLeft = (): void => {
    if (main !== undefined) {
      log('warn', `killed pid ${mainPid} (${settings.command.join(' ')}) with SIGKILL: still running ${settings.gracePeriodMs} ms after the stop signal`);
      try {
        main.kill('SIGKILL');
      } catch {
        // it exited in between; its reap is on its way
      }
    }
    for (const info of descendantsOf(process.pid)) {
      if (info.pid === mainPid) continue;
      try {
        const handle = new ProcessHandle(info.pid);
        // The pid may have been reused between the /proc scan and the open.
        if (sameProcess(info.pid, info.startTime)) {
          log('warn', `killed pid ${info.pid} (${info.command}) with SIGKILL: still running ${settings.gracePeriodMs} ms after the stop signal`);
          handle.kill('SIGKILL');
        }
        handle.close();
      } catch {
        // gone already
      }
    }
  };

  const startStopping = (): void => {
    if (deadline !== undefined || finishing) return;
    stoppingSince = Date.now();
    deadline = setTimeout(killLeft, settings.gracePeriodMs);
  };

  const forwardLater = (signo: number): void => {
    const mapped = settings.rewrite.get(signo) ?? signo;
    if (mapped === 0) return;
    setTimeout(() => {
      // Never pid 0 or -1: without a started child there is nobody to tell.
      if (mainPid <= 1) return;
      try {
        if (groupTarget) killProcessGroup(mainPid, mapped);
        else main?.kill(mapped);
        log('info', `forwarded ${signalName(mapped)} after ${settings.forwardDelayMs} ms`);
      } catch {
        // the child is gone
      }
    }, settings.forwardDelayMs);
  };

  const onSignal = (event: SignalEvent): void => {
    log('info', `received ${event.signal} from pid ${event.pid}`);
    if (settings.forwardDelayMs > 0 && event.signo === S.SIGTERM) forwardLater(event.signo);
    if (STOPPING.has(event.signo)) startStopping();
    // dumb-init's job control: the child was told; now pid1 suspends too,
    // unless it is PID 1, which the kernel would not stop anyway.
    if (JOB_CONTROL.has(event.signo) && process.pid !== 1) process.kill(process.pid, 'SIGSTOP');
  };

  const onChildExit = (event: ReapEvent): void => {
    finishing = true;
    main?.close();
    main = undefined;
    const status = statusOf(event);
    log('info', `child ${mainPid} exited with ${describe(event)}`);
    const left = settings.killOrphans ? descendantsOf(process.pid) : [];
    if (left.length === 0) {
      exitWith(status);
      return;
    }
    // What the child left behind gets the rest of the grace period.
    const used = stoppingSince === 0 ? 0 : Date.now() - stoppingSince;
    if (deadline !== undefined) clearTimeout(deadline);
    log('info', `stopping ${left.length} process(es) the child left behind`);
    void stopProcesses({
      targets: () => descendantsOf(process.pid),
      signal: 'SIGTERM',
      gracePeriodMs: Math.max(0, settings.gracePeriodMs - used),
      logger,
    }).then(() => exitWith(status));
  };

  reaper.on('signal', onSignal);
  const onOtherReap = (event: ReapEvent): void => {
    if (settings.warnOnReap) log('warn', `reaped zombie pid ${event.pid} (${describe(event)})`);
    else log('debug', `reaped pid ${event.pid} (${describe(event)})`);
  };
  reaper.on('reap', (event: ReapEvent) => {
    if (event.pid === mainPid && !finishing) onChildExit(event);
    else onOtherReap(event);
  });
  const forwarded = forwardedSignals();
  reaper.start(forwarded);
  reaper.ref();
  // JS hears only what it acts on or logs: the child's exit (every reap with
  // -w or -vv), SIGTERM/SIGINT, and job control outside PID 1 (every signal
  // at -v). The rest is forwarded on the reaper thread alone.
  const heard = new Set<number>([...STOPPING, ...(process.pid !== 1 ? JOB_CONTROL : [])]);
  reaper.report(settings.warnOnReap || settings.verbosity >= LEVELS.debug, settings.verbosity >= LEVELS.info ? [] : forwarded.filter((s) => !heard.has(s)));
  // A signal that arrives before the child's pid is known is held, not lost.
  reaper.holdForward();

  const [file, ...args] = settings.command;
  try {
    mainPid = spawn(file, args, {
      setsid: settings.setsid,
      setpgid: !settings.setsid,
      foreground: !settings.setsid && native.isatty(0) ? 0 : false,
    });
  } catch (error) {
    const err = error as Error & { code?: string; syscall?: string };
    log('error', `${err.syscall === 'execve' ? 'exec' : err.syscall} ${file} failed: ${err.message.replace(/^\S+ \S+: /, '')}`);
    process.exit(err.code === 'ENOENT' ? 127 : 126);
  }
  log('info', `started pid ${mainPid}: ${settings.command.join(' ')}`);
  try {
    main = new ProcessHandle(mainPid);
  } catch {
    // It exited already: its reap event is queued.
  }
  const rewrite = new Map(settings.rewrite);
  if (settings.forwardDelayMs > 0) rewrite.set(S.SIGTERM, 0);
  reaper.forward(groupTarget ? -mainPid : mainPid, mainPid, rewrite);
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** Runs the command line; exits the process. */
export function main(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): void {
  let settings: CliSettings;
  try {
    settings = parseArgs(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`pid1: ${error.message}\n${USAGE}`);
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
      process.stdout.write(readFileSync(path.join(__dirname, '..', 'LICENSE'), 'utf8'));
      return;
    default:
      run(settings);
  }
}

if (require.main === module) main();
