'use strict';
// pid1/register: any app becomes a correct PID 1 from the command line, as
// PID 1 of fresh PID namespaces, while every Node child it starts (which
// inherits NODE_OPTIONS or execArgv) stays an ordinary process.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runFixture, fixturesIn, ROOT } = require('../kit');

const APP = fixturesIn(__dirname).FIXTURES;
const REGISTER = path.join(ROOT, 'dist', 'register.js');

// An app directory with pid1 in node_modules, as after `npm install pid1`:
// `-r pid1/register` and `--import pid1/register` resolve from the cwd
// through package.json "exports".
let appDir;
test.before(() => {
  appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-register-'));
  fs.mkdirSync(path.join(appDir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(appDir, 'node_modules', 'pid1'));
});
test.after(() => fs.rmSync(appDir, { recursive: true, force: true }));

function run(app, { nodeArgs = [], env = {}, asInit = true, childCwd } = {}) {
  const args = childCwd === undefined ? [] : [childCwd];
  return runFixture(null, { command: [process.execPath, ...nodeArgs, path.join(APP, app), ...args], env, asInit, cwd: appDir });
}

// Exit 143 after a graceful stop in which the child got SIGTERM; the app
// acted as init from its first line on; the child saw no reaper.
function assertAdopted(r, { pid1 = true } = {}) {
  assert.strictEqual(r.status, 143, `status ${r.status}, signal ${r.signal}:\n${r.stderr}\n${r.stdout}`);
  assert.match(r.stdout, /^child got SIGTERM$/m);
  const { early, app, orphans, zombiesLeft, child } = r.json;
  if (pid1) assert.strictEqual(app.pid, 1);
  for (const seen of [early, app]) {
    assert.strictEqual(seen.pid1Loaded, true);
    assert.strictEqual(seen.sigchldBlockedInEveryThread, true, 'the reaper was up before the app ran');
  }
  assert.strictEqual(app.registerFlag, null);
  assert.strictEqual(orphans, 50);
  assert.strictEqual(zombiesLeft, 0);
  assert.notStrictEqual(child.pid, 1);
  assert.strictEqual(child.registerLoaded, true, 'the child was given the register entry');
  assert.strictEqual(child.pid1Loaded, false, 'and stayed inert');
  assert.strictEqual(child.sigchldBlockedInMainThread, false);
  assert.strictEqual(child.registerFlag, null);
  assert.doesNotMatch(r.stderr, /pid1: killed/);
  return r.json;
}

test('node -r pid1/register app.js: an app that does not mention pid1 reaps orphans and stops gracefully on SIGTERM', async () => {
  const r = assertAdopted(await run('app.js', { nodeArgs: ['-r', 'pid1/register'] }));
  assert.deepStrictEqual(r.worker, { code: 7, pid1Loaded: true }, "a Worker's own child is left to libuv");
});

test('node --import pid1/register app.mjs: the same for an ES module app, whose first import already sees the reaper', async () => {
  assertAdopted(await run('app.mjs', { nodeArgs: ['--import', 'pid1/register'] }));
});

test('NODE_OPTIONS=--require: the app is adopted and its Node children, elsewhere in the file system, stay ordinary', async () => {
  const r = assertAdopted(await run('app.js', { env: { NODE_OPTIONS: `--require ${REGISTER}` }, childCwd: '/' }));
  assert.strictEqual(r.worker.code, 7);
});

test('NODE_OPTIONS=--import: the same for an ES module app', async () => {
  assertAdopted(await run('app.mjs', { env: { NODE_OPTIONS: `--import ${REGISTER}` }, childCwd: '/' }));
});

test('PID1_REGISTER=1 acts outside PID 1 (as a subreaper) and is removed, so the Node children it starts stay ordinary', async () => {
  const r = assertAdopted(await run('app.js', { env: { NODE_OPTIONS: `--require ${REGISTER}`, PID1_REGISTER: '1' }, asInit: false }), { pid1: false });
  assert.notStrictEqual(r.app.pid, 1);
});

test('PID1_REGISTER=0 leaves even PID 1 alone', async () => {
  const script = `console.log(JSON.stringify(require(${JSON.stringify(path.join(APP, 'probe.js'))}).probe()))`;
  const r = await runFixture(null, { command: [process.execPath, '-r', REGISTER, '-e', script], env: { PID1_REGISTER: '0' } });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.json.pid, 1);
  assert.strictEqual(r.json.pid1Loaded, false);
  assert.strictEqual(r.json.sigchldBlockedInMainThread, false);
});

test("pid1's own command under NODE_OPTIONS runs as itself, and its Node child stays ordinary", async () => {
  const script = `console.log(JSON.stringify(require(${JSON.stringify(path.join(APP, 'probe.js'))}).probe())); process.exitCode = 9`;
  const r = await runFixture(null, {
    command: [process.execPath, path.join(ROOT, 'dist', 'cli', 'cli.js'), '--', process.execPath, '-e', script],
    env: { NODE_OPTIONS: `--require ${REGISTER}` },
  });
  assert.strictEqual(r.status, 9, r.stderr);
  assert.notStrictEqual(r.json.pid, 1);
  assert.strictEqual(r.json.registerLoaded, true);
  assert.strictEqual(r.json.pid1Loaded, false);
});

test('options come from PID1_* variables: a short grace period, and PID1_LOG=off silences the kill log', async () => {
  const script = `require('child_process').spawn('sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'], { stdio: ['ignore', 'pipe', 'inherit'] })
    .stdout.once('data', () => process.kill(process.pid, 'SIGTERM'));`;
  const stop = (env) => runFixture(null, { command: [process.execPath, '-r', REGISTER, '-e', script], env: { PID1_GRACE_PERIOD_MS: '200', ...env } });
  const [logged, silent] = await Promise.all([stop({}), stop({ PID1_LOG: 'off' })]);
  assert.strictEqual(logged.status, 143, logged.stderr);
  const killed = /pid1: killed pid \d+ \(sh -c '?trap .*\) with SIGKILL: still running (\d+) ms/.exec(logged.stderr);
  assert.ok(killed, logged.stderr);
  // The default grace period would have let it run 8000 ms.
  assert.ok(Number(killed[1]) < 8000, killed[0]);
  assert.strictEqual(silent.status, 143, silent.stderr);
  assert.doesNotMatch(silent.stderr, /pid1:/);
});

const BAD_ENV = [
  [{ PID1_GRACE_PERIOD_MS: '5s' }, 'PID1_GRACE_PERIOD_MS'],
  [{ PID1_GRACE_PERIOD_MS: '-1' }, 'PID1_GRACE_PERIOD_MS'],
  [{ PID1_GRACE_PERIOD_MS: '2147483648' }, 'PID1_GRACE_PERIOD_MS'],
  [{ PID1_SUBREAPER: 'yes' }, 'PID1_SUBREAPER'],
  [{ PID1_ON_SIGNAL: 'ignore' }, 'PID1_ON_SIGNAL'],
  [{ PID1_ISOLATE_CHILDREN: '2' }, 'PID1_ISOLATE_CHILDREN'],
  [{ PID1_STOP_ON_EXIT: 'always' }, 'PID1_STOP_ON_EXIT'],
  [{ PID1_LOG: 'quiet' }, 'PID1_LOG'],
  [{ PID1_FORWARD: 'SIGTERM,,SIGINT' }, 'PID1_FORWARD'],
  [{ PID1_REGISTER: 'force' }, 'PID1_REGISTER'],
  [{ PID1_GRACE_PERIOD: '3000' }, 'PID1_GRACE_PERIOD'],
];

test('a bad PID1_* variable stops the start with an error naming it', () => {
  const { optionsFromEnv, registerMode } = require('../../dist/register-env');
  for (const [env, name] of BAD_ENV) {
    assert.throws(
      () => {
        registerMode(env);
        optionsFromEnv(env);
      },
      (error) => error instanceof RangeError && error.code === 'ERR_PID1_INVALID_ENV' && error.message.startsWith(`The environment variable ${name} must be`),
      JSON.stringify(env),
    );
  }
  assert.deepStrictEqual(
    optionsFromEnv({ PID1_GRACE_PERIOD_MS: '0', PID1_SUBREAPER: 'true', PID1_FORWARD: 'SIGTERM, 10', PID1_ON_SIGNAL: 'manual', PID1_ISOLATE_CHILDREN: 'auto', PID1_STOP_ON_EXIT: '1', PID1_LOG: 'off', PID1_REGISTER: '1', PATH: '/bin' }),
    { gracePeriodMs: 0, subreaper: true, forward: ['SIGTERM', 10], onSignal: 'manual', isolateChildren: 'auto', stopOnExit: true, logger: false },
  );
  assert.deepStrictEqual(optionsFromEnv({ PID1_LOG: '', PID1_GRACE_PERIOD_MS: '' }), {});
});

test('as PID 1 a bad variable stops Node before the app runs; init() errors name the variable too; an inert child ignores them', async () => {
  const script = 'console.log("the app ran")';
  const asInit = (env) => runFixture(null, { command: [process.execPath, '-r', REGISTER, '-e', script], env });
  const [grace, forward] = await Promise.all([asInit({ PID1_GRACE_PERIOD_MS: 'soon' }), asInit({ PID1_FORWARD: 'SIGKILL' })]);
  for (const [r, name] of [[grace, 'PID1_GRACE_PERIOD_MS'], [forward, 'PID1_FORWARD']]) {
    assert.strictEqual(r.status, 1);
    assert.doesNotMatch(r.stdout, /the app ran/);
    assert.match(r.stderr, new RegExp(`RangeError: The environment variable ${name} must be`));
    assert.match(r.stderr, /ERR_PID1_INVALID_ENV/);
  }
  const inert = await runFixture(null, { command: [process.execPath, '-r', REGISTER, '-e', script], env: { PID1_GRACE_PERIOD_MS: 'soon' }, asInit: false });
  assert.strictEqual(inert.status, 0, inert.stderr);
  assert.strictEqual(inert.stdout, 'the app ran\n');
});
