'use strict';
// Runs fixture programs for real: as PID 1 of a fresh PID namespace
// (unshare --pid --fork --mount-proc), or as a plain child.
const { spawn } = require('child_process');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.join(__dirname, 'fixtures');

/**
 * Runs `node fixtures/<name> ...args`. With asInit the fixture is PID 1 of a
 * new PID namespace with its own /proc. Resolves with status, signal,
 * stdout, stderr and `json`: the last stdout line that parses as JSON.
 * With timeoutMs a fixture still running then is killed (timedOut: true).
 */
function runFixture(name, { args = [], asInit = true, env = {}, input, nodeArgs = [], command, timeoutMs, cwd } = {}) {
  const argv = command ?? [process.execPath, ...nodeArgs, path.join(FIXTURES, name), ...args];
  const [file, ...rest] = asInit ? ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', ...argv] : argv;
  return new Promise((resolve, reject) => {
    const child = spawn(file, rest, { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    // A guard against a fixture that hangs, not a timing assertion: the
    // test then fails on what the fixture did (or did not) print.
    let timedOut = false;
    const guard = timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
    child.on('close', (status, signal) => {
      if (guard !== undefined) clearTimeout(guard);
      let json;
      for (const line of stdout.trim().split('\n').reverse()) {
        try {
          json = JSON.parse(line);
          break;
        } catch {
          // not the result line
        }
      }
      resolve({ status, signal, stdout, stderr, json, timedOut });
    });
  });
}

/** Fails with the fixture's stderr when it did not exit 0. */
function expectOk(assert, result) {
  assert.strictEqual(result.status, 0, `fixture failed (status ${result.status}, signal ${result.signal}):\n${result.stderr}\n${result.stdout}`);
  return result.json;
}

module.exports = { ROOT, FIXTURES, runFixture, expectOk };
