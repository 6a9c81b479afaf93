// The environment of pid1/register: whether this process is the one to act,
// and init()'s options, from PID1_* variables. Loads no addon, so that the
// inert processes (every Node child that inherits NODE_OPTIONS) stay cheap.
import type { InitOptions } from './init/init';
import { show } from './kernel/validate';

/**
 * Set by the process that acted to its own pid. Its Workers (same pid) load
 * pid1 so that their child_process children are registered as libuv's; any
 * other process inherits a pid that is not its own and ignores it.
 */
export const ACTED = 'PID1_REGISTERED';

/** Every variable pid1/register reads; any other PID1_* is taken for a typo. */
export const VARIABLES = [
  'PID1_REGISTER',
  'PID1_SUBREAPER',
  'PID1_GRACE_PERIOD_MS',
  'PID1_FORWARD',
  'PID1_ON_SIGNAL',
  'PID1_ISOLATE_CHILDREN',
  'PID1_STOP_ON_EXIT',
  'PID1_LOG',
  ACTED,
] as const;

/** Which init() option each variable sets, to name the variable in init()'s own errors. */
export const OPTION_VARIABLES: Record<string, string> = {
  subreaper: 'PID1_SUBREAPER',
  gracePeriodMs: 'PID1_GRACE_PERIOD_MS',
  forward: 'PID1_FORWARD',
  onSignal: 'PID1_ON_SIGNAL',
  isolateChildren: 'PID1_ISOLATE_CHILDREN',
  stopOnExit: 'PID1_STOP_ON_EXIT',
  logger: 'PID1_LOG',
};

const MAX_MS = 2 ** 31 - 1;

export function envError(name: string, expected: string, value: string | undefined, cause?: unknown): RangeError {
  const message = `The environment variable ${name} must be ${expected}. Received ${show(value)}`;
  const error = (cause === undefined ? new RangeError(message) : new RangeError(message, { cause })) as RangeError & { code: string };
  error.code = 'ERR_PID1_INVALID_ENV';
  return error;
}

// Unset and empty are the same: `ENV PID1_X=` in a Dockerfile clears a value.
function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function autoOrBoolean(env: NodeJS.ProcessEnv, name: string): 'auto' | boolean | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  switch (value.toLowerCase()) {
    case 'auto':
      return 'auto';
    case '1':
    case 'true':
      return true;
    case '0':
    case 'false':
      return false;
    default:
      throw envError(name, "'auto', '1' or '0' ('true', 'false')", value);
  }
}

/**
 * PID1_REGISTER: 'auto' (unset) acts only as PID 1 of its PID namespace;
 * '1' acts anywhere (a subreaper then); '0' never acts.
 * @throws RangeError (ERR_PID1_INVALID_ENV) for any other value.
 */
export function registerMode(env: NodeJS.ProcessEnv): 'auto' | boolean {
  return autoOrBoolean(env, 'PID1_REGISTER') ?? 'auto';
}

/**
 * init()'s options from the environment. Only what is set is passed on, so
 * init()'s own defaults stand for the rest. Signal names in PID1_FORWARD are
 * checked by init() itself (see OPTION_VARIABLES).
 * @throws RangeError (ERR_PID1_INVALID_ENV) naming the variable.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): InitOptions {
  for (const name of Object.keys(env)) {
    if (name.startsWith('PID1_') && !(VARIABLES as readonly string[]).includes(name)) {
      throw envError(name, `unset: it is not one of ${VARIABLES.join(', ')}`, env[name]);
    }
  }
  const options: InitOptions = {};
  const subreaper = autoOrBoolean(env, 'PID1_SUBREAPER');
  if (subreaper !== undefined) options.subreaper = subreaper;
  const isolate = autoOrBoolean(env, 'PID1_ISOLATE_CHILDREN');
  if (isolate !== undefined) options.isolateChildren = isolate;
  const stopOnExit = autoOrBoolean(env, 'PID1_STOP_ON_EXIT');
  if (stopOnExit !== undefined) options.stopOnExit = stopOnExit;

  const grace = read(env, 'PID1_GRACE_PERIOD_MS');
  if (grace !== undefined) {
    if (!/^\d{1,10}$/.test(grace) || Number(grace) > MAX_MS) throw envError('PID1_GRACE_PERIOD_MS', `a whole number of milliseconds from 0 to ${MAX_MS}`, grace);
    options.gracePeriodMs = Number(grace);
  }

  const forward = read(env, 'PID1_FORWARD');
  if (forward !== undefined) {
    const items = forward.split(',').map((s) => s.trim());
    if (items.some((s) => s === '')) throw envError('PID1_FORWARD', "a comma-separated list of signals, such as 'SIGTERM,SIGINT,SIGUSR2'", forward);
    options.forward = items.map((s) => (/^\d+$/.test(s) ? Number(s) : (s as NodeJS.Signals)));
  }

  const onSignal = read(env, 'PID1_ON_SIGNAL');
  if (onSignal !== undefined) {
    if (onSignal !== 'auto' && onSignal !== 'manual') throw envError('PID1_ON_SIGNAL', "'auto' or 'manual'", onSignal);
    options.onSignal = onSignal;
  }

  const log = read(env, 'PID1_LOG');
  if (log !== undefined) {
    if (log !== 'on' && log !== 'off') throw envError('PID1_LOG', "'on' (lines on stderr) or 'off'", log);
    if (log === 'off') options.logger = false;
  }
  return options;
}
