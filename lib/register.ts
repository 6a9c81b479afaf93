// pid1/register: init() for an app that cannot be edited, from the command
// line: `node -r pid1/register app.js`, `node --import pid1/register app.mjs`
// or NODE_OPTIONS. Both flags load it before the main module and its imports,
// so nothing the app loads can fork before the reaper is up.
//
// NODE_OPTIONS (and child_process.fork's execArgv) hand it to every Node
// child, so it acts in one process only: the main thread of PID 1 of its
// namespace, or where PID1_REGISTER=1 asks. The process that acts removes
// PID1_REGISTER from its environment before anything can spawn, so that its
// Node children are back to 'auto', and none of them is PID 1: they load
// this file and nothing else.
import * as fs from 'fs';
import * as path from 'path';
import { isMainThread } from 'worker_threads';
import type * as Pid1 from './index';
import { ACTED, envError, OPTION_VARIABLES, optionsFromEnv, registerMode } from './register-env';

// pid1's own command (`pid1 -- node app.js` with NODE_OPTIONS set) runs a
// reaper of its own. Told by its package.json rather than by path, since a
// global pid1 and the app's copy are different files.
function isPid1Command(script: string | undefined): boolean {
  if (script === undefined) return false;
  try {
    const real = fs.realpathSync(script);
    // The nearest package.json above the script is its package's.
    let pkgDir = path.dirname(real);
    while (!fs.existsSync(path.join(pkgDir, 'package.json')) && path.dirname(pkgDir) !== pkgDir) pkgDir = path.dirname(pkgDir);
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { name?: string; bin?: Record<string, string> };
    return pkg.name === 'pid1' && typeof pkg.bin?.pid1 === 'string' && path.resolve(pkgDir, pkg.bin.pid1) === real;
  } catch {
    // Every error is meant: a script that cannot be resolved or read is not pid1's own bin.
    return false;
  }
}

// init()'s option errors name the option; the user set a variable.
function renamed(error: unknown): unknown {
  const message = (error as Error)?.message ?? '';
  const option = /"options\.(\w+)/.exec(message)?.[1];
  const name = option === undefined ? undefined : OPTION_VARIABLES[option];
  if (name === undefined || !(error instanceof TypeError || error instanceof RangeError)) return error;
  return envError(name, `a valid value (${message})`, process.env[name], error);
}

function register(): void {
  if (!isMainThread) {
    // A Worker of the process that acted: its spawns must be known as libuv's.
    if (process.env[ACTED] === String(process.pid)) require('./index');
    return;
  }
  const mode = registerMode(process.env);
  if (mode === false || (mode === 'auto' && process.pid !== 1)) return;
  if (isPid1Command(process.argv[1])) return;
  const options = optionsFromEnv(process.env);
  const { init } = require('./index') as typeof Pid1;
  delete process.env.PID1_REGISTER;
  process.env[ACTED] = String(process.pid);
  try {
    init(options);
  } catch (error) {
    throw renamed(error);
  }
}

register();
