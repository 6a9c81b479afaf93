// fork + exec written for a multi-threaded parent (see native/spawn.cc). The
// child starts with an empty signal mask and default dispositions.
import * as path from 'path';
import { native } from './native';
import { normalizeBoolean, normalizeFd, normalizeOptions, typeError } from './validate';

export interface SpawnOptions {
  /** The child's environment. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The child's working directory. @default the parent's */
  cwd?: string;
  /** fds to put on the child's 0, 1, 2; 'inherit' keeps the parent's. @default ['inherit', 'inherit', 'inherit'] */
  stdio?: [number | 'inherit', number | 'inherit', number | 'inherit'];
  /** Start a new session (setsid). @default false */
  setsid?: boolean;
  /** Start a new process group led by the child (setpgid). @default false */
  setpgid?: boolean;
  /**
   * Make the child's process group the foreground group of this terminal fd;
   * true means fd 0 when it is a terminal. Implies setpgid. With setsid the
   * child takes the terminal as its controlling terminal (TIOCSCTTY), which
   * works only when no other session owns it: give it up first.
   * @default false
   */
  foreground?: boolean | number;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function normalizeString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw typeError(name, 'of type string', value);
  if (value.includes('\0')) throw typeError(name, 'a string without null bytes', value);
  return value;
}

/** The paths execvp would try for `command`, resolved before fork. */
export function commandCandidates(command: string, envPath: string | undefined): string[] {
  if (command.includes('/')) return [command];
  const dirs = (envPath ?? DEFAULT_PATH).split(':');
  return dirs.map((dir) => path.join(dir === '' ? '.' : dir, command));
}

function normalizeEnv(value: unknown): string[] {
  if (value === undefined) value = process.env;
  if (value === null || typeof value !== 'object') throw typeError('options.env', 'of type object', value);
  const out: string[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (key.includes('=') || key.includes('\0')) throw typeError('options.env', 'an object whose keys have no "=" or null bytes', key);
    let text: string;
    try {
      text = String(v);
    } catch {
      throw typeError(`options.env.${key}`, 'a value with a string form', v);
    }
    out.push(`${key}=${normalizeString(text, `options.env.${key}`)}`);
  }
  return out;
}

function normalizeStdio(value: unknown): [number, number, number] {
  if (value === undefined) return [-1, -1, -1];
  if (!Array.isArray(value) || value.length !== 3) throw typeError('options.stdio', 'an array of three fds or "inherit"', value);
  return value.map((v, i) => (v === 'inherit' ? -1 : normalizeFd(v, `options.stdio[${i}]`))) as [number, number, number];
}

function normalizeForeground(value: unknown): number {
  if (value === undefined || value === false) return -1;
  if (value === true) return native.isatty(0) ? 0 : -1;
  return normalizeFd(value, 'options.foreground');
}

/**
 * Starts `command` with `args` and returns its pid. The child is not
 * registered anywhere: wait for it with waitpid(), or let the reaper of
 * init() collect it. Exec errors are reported by the parent: the call throws
 * an Error with code 'ENOENT' or 'EACCES', syscall 'execve' and path, and the
 * failed child has been reaped already.
 */
export function spawn(command: string, args: readonly string[] = [], options?: SpawnOptions): number {
  const file = normalizeString(command, 'command');
  if (file === '') throw typeError('command', 'a non-empty string', file);
  if (!Array.isArray(args)) throw typeError('args', 'an array of strings', args);
  const argv = [file, ...args.map((a, i) => normalizeString(a, `args[${i}]`))];
  const opts = normalizeOptions<SpawnOptions>(options, 'options', ['env', 'cwd', 'stdio', 'setsid', 'setpgid', 'foreground']);
  const env = normalizeEnv(opts.env);
  const envPath = env.find((e) => e.startsWith('PATH='))?.slice(5);
  const foregroundFd = normalizeForeground(opts.foreground);
  return native.spawn({
    candidates: commandCandidates(file, envPath),
    argv,
    env,
    cwd: opts.cwd === undefined ? '' : normalizeString(opts.cwd, 'options.cwd'),
    stdio: normalizeStdio(opts.stdio),
    setsid: opts.setsid === undefined ? false : normalizeBoolean(opts.setsid, 'options.setsid'),
    setpgid: foregroundFd >= 0 || (opts.setpgid === undefined ? false : normalizeBoolean(opts.setpgid, 'options.setpgid')),
    foregroundFd,
  });
}
