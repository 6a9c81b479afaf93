// The pid1 command's flags: tini's first, then dumb-init's, then pid1's own.
// Parsing is pure (argv and env in, settings or an error out), so it can be
// tested as a table and fuzzed.
import { normalizeSignal, SIGNALS } from '../kernel/signals';
import { typeError } from '../kernel/validate';

export interface CliSettings {
  command: string[];
  subreaper: boolean;
  killProcessGroup: boolean;
  /** Exit statuses of the child that become 0 (-e). */
  successCodes: number[];
  parentDeathSignal: number;
  verbosity: number;
  warnOnReap: boolean;
  /** signal -> signal, 0 drops it (-r). */
  rewrite: Map<number, number>;
  singleChild: boolean;
  setsid: boolean;
  gracePeriodMs: number;
  forwardDelayMs: number;
  logFormat: 'text' | 'json';
  killOrphans: boolean;
  action: 'run' | 'help' | 'version' | 'license';
}

/** A usage error: the command prints it with the usage and exits 1. */
export class UsageError extends Error {
  readonly code = 'ERR_PID1_USAGE';
  /** No command at all: the hint says enough on its own. */
  readonly noCommand: boolean;

  constructor(message: string, { noCommand = false } = {}) {
    super(message);
    this.noCommand = noCommand;
  }
}

const SYNOPSIS = 'Usage: pid1 [OPTIONS] [--] COMMAND [ARG...]\n';

/** What a usage error or a bare `pid1` prints: two lines, as dumb-init does. */
export const HINT = `${SYNOPSIS}Try 'pid1 --help' for the options.\n`;

export const USAGE = `${SYNOPSIS}
Runs COMMAND as the only child of an init that reaps every zombie, forwards
signals, mirrors the child's exit status, and stops every process left
gracefully (SIGTERM, a grace period, then SIGKILL, each kill logged).

Options (tini):
  -s                   Become a child subreaper. pid1 does so anyway when it
                       is not PID 1, where allowed.
  -g                   Forward signals to the child's process group.
  -e CODE              Exit status CODE of the child becomes 0 (repeatable).
  -p SIGNAL            Parent-death signal for pid1 itself.
  -v, --verbose        More logging (repeatable).
  -w                   Warn about every reaped zombie that is not the child.
  -l                   Print the license and exit.
  -h, --help           Print this help and exit.
  -V, --version        Print the version and exit.
Options (dumb-init):
  -r, --rewrite S:R    Send signal R when S arrives (R = 0 drops S; repeatable).
  --setsid             Start the child in a new session that owns the
                       terminal (job control works), and signal its whole
                       process group; SIGTSTP, SIGTTIN and SIGTTOU become
                       SIGSTOP, which its orphaned group cannot ignore.
  -c, --single-child   With --setsid, signal the child only, not its group,
                       and keep the terminal: see --coordinated.
Options (pid1):
  --coordinated        For an app whose parent coordinates its workers: the
                       child gets a session of its own, pid1 keeps the
                       terminal, and Ctrl+C (every signal) reaches the child
                       alone, not its workers. Same as --setsid -c.
  --grace-period MS    How long processes get after SIGTERM before SIGKILL
                       (default 8000: inside Docker's 10 s stop timeout).
  --forward-delay MS   Hold SIGTERM this long before forwarding it (default 0).
  --log-format F       text (default) or json.
  --no-kill-orphans    When the child exits, leave the processes it left behind
                       to the kernel instead of stopping them gracefully.

Environment variables:
  TINI_SUBREAPER       Set and not empty: as -s.
  TINI_KILL_PROCESS_GROUP  Set and not empty: as -g.
  TINI_VERBOSITY N     Logging level: 0 errors, 1 warnings (default), 2 info,
                       3 debug; flags add to it.
  DUMB_INIT_SETSID     1: as --setsid. (0 is the default already.)
  DUMB_INIT_DEBUG      1: as -v.

Exit status:
  The child's exit status (0 for one listed with -e), or:
  1                    a usage error
  126                  COMMAND cannot be run
  127                  COMMAND is not found
  128 + N              signal N killed the child
`;

const MAX_MS = 2 ** 31 - 1;

function integer(value: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`${what} must be an integer from ${min} to ${max}, not '${value}'`);
  }
  return Number(value);
}

function signal(value: string, what: string, allowZero = false): number {
  const asNumber = /^\d+$/.test(value) ? Number(value) : value;
  if (allowZero && asNumber === 0) return 0;
  try {
    return normalizeSignal(asNumber, what);
  } catch {
    // Every error is meant: normalizeSignal only rejects the value, and the user is told so.
    throw new UsageError(`${what} must be a signal name or number, not '${value}'`);
  }
}

function rewriteRule(value: string, into: Map<number, number>): void {
  const match = /^([^:]+):([^:]+)$/.exec(value);
  if (match === null) throw new UsageError(`--rewrite takes FROM:TO, not '${value}'`);
  const from = signal(match[1], '--rewrite FROM');
  if (from === SIGNALS.SIGKILL || from === SIGNALS.SIGSTOP) {
    throw new UsageError(`--rewrite cannot catch ${match[1]}`);
  }
  into.set(from, signal(match[2], '--rewrite TO', true));
}

// Flags that take a value, by spelling.
const VALUED = new Set(['-e', '-p', '-r', '--rewrite', '--grace-period', '--forward-delay', '--log-format']);

function envFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  return env[name] !== undefined && env[name] !== '';
}

/** Parses the command line (without node and the script) and the environment. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): CliSettings {
  if (!Array.isArray(argv) || argv.some((a) => typeof a !== 'string')) throw typeError('argv', 'an array of strings', argv);
  if (env === null || typeof env !== 'object') throw typeError('env', 'an object', env);
  const settings: CliSettings = {
    command: [],
    subreaper: envFlag(env, 'TINI_SUBREAPER'),
    killProcessGroup: envFlag(env, 'TINI_KILL_PROCESS_GROUP'),
    successCodes: [],
    parentDeathSignal: 0,
    verbosity: 1,
    warnOnReap: false,
    rewrite: new Map(),
    singleChild: false,
    setsid: env.DUMB_INIT_SETSID === '1',
    gracePeriodMs: 8000,
    forwardDelayMs: 0,
    logFormat: 'text',
    killOrphans: true,
    action: 'run',
  };
  if (envFlag(env, 'TINI_VERBOSITY')) settings.verbosity = integer(env.TINI_VERBOSITY as string, 'TINI_VERBOSITY', 0, 10);
  if (env.DUMB_INIT_DEBUG === '1') settings.verbosity++;

  const apply = (flag: string, value: string | undefined): void => {
    switch (flag) {
      case '-s': settings.subreaper = true; break;
      case '-g': settings.killProcessGroup = true; break;
      case '-e': settings.successCodes.push(integer(value as string, '-e', 0, 255)); break;
      case '-p': settings.parentDeathSignal = signal(value as string, '-p'); break;
      case '-v': case '--verbose': settings.verbosity++; break;
      case '-w': settings.warnOnReap = true; break;
      case '-l': settings.action = 'license'; break;
      case '-h': case '--help': settings.action = 'help'; break;
      case '-V': case '--version': settings.action = 'version'; break;
      case '-r': case '--rewrite': rewriteRule(value as string, settings.rewrite); break;
      case '-c': case '--single-child': settings.singleChild = true; break;
      case '--setsid': settings.setsid = true; break;
      case '--coordinated': settings.setsid = true; settings.singleChild = true; break;
      case '--grace-period': settings.gracePeriodMs = integer(value as string, '--grace-period', 0, MAX_MS); break;
      case '--forward-delay': settings.forwardDelayMs = integer(value as string, '--forward-delay', 0, MAX_MS); break;
      case '--log-format':
        if (value !== 'text' && value !== 'json') throw new UsageError(`--log-format must be text or json, not '${value}'`);
        settings.logFormat = value;
        break;
      case '--no-kill-orphans': settings.killOrphans = false; break;
      default: throw new UsageError(`unknown option '${flag}'`);
    }
  };

  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const flag = eq === -1 ? arg : arg.slice(0, eq);
      if (!VALUED.has(flag)) {
        if (eq !== -1) throw new UsageError(`option '${flag}' takes no value`);
        apply(flag, undefined);
        continue;
      }
      let value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`option '${flag}' needs a value`);
      apply(flag, value);
      continue;
    }
    // Short options cluster as with getopt: -vvw, -e143, -e 143.
    for (let j = 1; j < arg.length; j++) {
      const flag = `-${arg[j]}`;
      if (VALUED.has(flag)) {
        const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`option '${flag}' needs a value`);
        apply(flag, value);
        break;
      }
      apply(flag, undefined);
    }
  }
  settings.command = argv.slice(i);
  if (settings.action === 'run' && settings.command.length === 0) throw new UsageError('no command given', { noCommand: true });
  // The grace period runs from the SIGTERM pid1 receives: a longer hold
  // would SIGKILL the child before it is told.
  if (settings.forwardDelayMs > 0 && settings.forwardDelayMs >= settings.gracePeriodMs) {
    throw new UsageError(`--forward-delay (${settings.forwardDelayMs} ms) must be shorter than --grace-period (${settings.gracePeriodMs} ms)`);
  }
  return settings;
}
