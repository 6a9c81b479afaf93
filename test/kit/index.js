'use strict';
// The test kit: runs programs for real, as PID 1 of a fresh PID namespace
// (unshare --pid --fork --mount-proc) or as a plain child, and reads the
// JSON line they end with. Used by the tests, scripts/soak.js and bench/.
// Each test folder keeps its fixtures in fixtures/ beside it: fixturesIn().
const { spawn, spawnSync } = require('child_process');
const path = require('path');
const { compiled } = require('./build');

const ROOT = path.resolve(__dirname, '..', '..');

const NAMESPACE = ['--pid', '--fork', '--mount-proc', '--kill-child'];
let namespacePrefix;

// A new PID namespace needs CAP_SYS_ADMIN. An ordinary user (or root without
// that capability) gets it inside a new user namespace in which it is root,
// where the kernel allows unprivileged user namespaces. Tried once per test
// process, plain unshare first.
function namespaceCommand() {
  if (namespacePrefix === undefined) {
    const tries = [['unshare', ...NAMESPACE], ['unshare', '--user', '--map-root-user', ...NAMESPACE]];
    const failures = [];
    for (const prefix of tries) {
      const probe = spawnSync(prefix[0], [...prefix.slice(1), 'true'], { encoding: 'utf8' });
      if (probe.status === 0) {
        namespacePrefix = prefix;
        break;
      }
      failures.push(`${prefix.join(' ')}: ${(probe.stderr || String(probe.error)).trim()}`);
    }
    if (namespacePrefix === undefined) {
      namespacePrefix = new Error(
        'These tests run fixtures as PID 1 of a new PID namespace, and neither way works here:\n' +
          `  ${failures.join('\n  ')}\n` +
          'Run them as root, or allow unprivileged user namespaces (sysctl user.max_user_namespaces > 0; ' +
          'kernel.unprivileged_userns_clone=1 on Debian kernels; kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu 24.04).',
      );
    }
  }
  if (namespacePrefix instanceof Error) throw namespacePrefix;
  return namespacePrefix;
}

/**
 * `argv` as PID 1 of a fresh PID namespace with its own /proc: unshare, with
 * a user namespace when not root. Throws a plain explanation when the
 * kernel allows neither.
 */
function asInitCommand(argv) {
  return [...namespaceCommand(), ...argv];
}

/** The last line of `text` that parses as JSON (and that `accept` takes), or undefined. */
function lastJsonLine(text, accept = () => true) {
  for (const line of (text || '').trim().split('\n').reverse()) {
    let value;
    try {
      value = JSON.parse(line);
    } catch {
      continue; // not the result line
    }
    if (accept(value)) return value;
  }
  return undefined;
}

/**
 * Runs `node <file> ...args` (or `command`). With asInit it is PID 1 of a
 * new PID namespace with its own /proc. Resolves with status, signal,
 * stdout, stderr and `json`: the last stdout line that parses as JSON.
 * A program still running after timeoutMs (2 minutes unless given, times
 * PID1_GUARD_SCALE) is killed (timedOut: true): a hang fails its test
 * instead of stalling CI.
 */
// Every guard is multiplied by PID1_GUARD_SCALE (default 1): under an
// emulated CPU (npm run test:arm64) a storm takes minutes, not seconds.
const GUARD_SCALE = Number(process.env.PID1_GUARD_SCALE) > 0 ? Number(process.env.PID1_GUARD_SCALE) : 1;

function runFixture(file, { args = [], asInit = true, env = {}, input, nodeArgs = [], command, timeoutMs = 120000, cwd } = {}) {
  const argv = command ?? [process.execPath, ...nodeArgs, file, ...args];
  return new Promise((resolve, reject) => {
    const [program, ...rest] = asInit ? asInitCommand(argv) : argv;
    const child = spawn(program, rest, { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    // A guard against a program that hangs, not a timing assertion: the
    // test then fails on what the program did (or did not) print.
    let timedOut = false;
    const guard = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs * GUARD_SCALE);
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
    child.on('close', (status, signal) => {
      clearTimeout(guard);
      resolve({ status, signal, stdout, stderr, json: lastJsonLine(stdout), timedOut });
    });
  });
}

/**
 * The fixtures of the test in `dir`: FIXTURES (dir/fixtures), runFixture
 * taking a fixture's file name (null: only `command`), and compiled()
 * taking a C fixture's name.
 */
function fixturesIn(dir) {
  const FIXTURES = path.join(dir, 'fixtures');
  return {
    FIXTURES,
    runFixture: (name, options) => runFixture(name === null ? null : path.join(FIXTURES, name), options),
    compiled: (name, options) => compiled(path.join(FIXTURES, `${name}.c`), options),
  };
}

/** kit/pty-run.py: runs a command on a new pseudo-terminal, driven by a script. */
const PTY_RUN = path.join(__dirname, 'pty-run.py');

/** Fails with the fixture's stderr when it did not exit 0. */
function expectOk(assert, result) {
  assert.strictEqual(result.status, 0, `fixture failed (status ${result.status}, signal ${result.signal}):\n${result.stderr}\n${result.stdout}`);
  return result.json;
}

module.exports = { ROOT, PTY_RUN, runFixture, fixturesIn, asInitCommand, lastJsonLine, expectOk };
