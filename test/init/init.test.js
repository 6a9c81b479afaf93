'use strict';
// init() for real: as PID 1 of fresh PID namespaces, with orphan storms,
// child_process in every form, Workers and real signals.
const test = require('node:test');
const assert = require('node:assert');
const { expectOk, fixturesIn, ROOT } = require('../kit');
const { runFixture } = fixturesIn(__dirname);
const pid1 = require('../..');

test('5,000 orphans while 500 child_process children exit with known statuses', async () => {
  const r = expectOk(assert, await runFixture('orphan-storm.js', { args: ['exits'] }));
  assert.strictEqual(r.exits, 500);
  assert.strictEqual(r.mismatches, 0, 'every exit fires once with its code and signal');
  assert.strictEqual(r.libuvChildReaped, 0, 'the reaper never takes a libuv child');
  assert.strictEqual(r.reaped, 5000);
  assert.strictEqual(r.reapedTwice, 0);
  assert.strictEqual(r.zombies, 0);
});

test('300 spawns of a missing command during an orphan storm each emit ENOENT, and Node never aborts', async () => {
  const r = expectOk(assert, await runFixture('orphan-storm.js', { args: ['enoent'] }));
  assert.strictEqual(r.enoent, 300);
  assert.strictEqual(r.reaped, 5000);
  assert.strictEqual(r.zombies, 0);
});

test('spawnSync, execSync and execFileSync, with and without timeout, are right during an orphan storm', async () => {
  const r = expectOk(assert, await runFixture('orphan-storm.js', { args: ['sync'] }));
  assert.ok(r.syncChecks > 150);
  assert.strictEqual(r.syncFailures, 0);
  assert.strictEqual(r.reaped, 5000);
  assert.strictEqual(r.zombies, 0);
});

test('a Worker that loads pid1 gets the exits of the children it spawns', async () => {
  const r = expectOk(assert, await runFixture('worker.js'));
  assert.deepStrictEqual(r.codes, Array.from({ length: 20 }, (_, i) => i + 10));
  assert.strictEqual(r.stolen, 0);
  assert.strictEqual(r.sync, 'ok\n');
});

test("an app's SIGTERM listener runs once per signal, and children get each one forwarded", async () => {
  const r = expectOk(assert, await runFixture('sigterm-policy.js', { args: ['listener'] }));
  assert.strictEqual(r.calls, 3);
  assert.deepStrictEqual(r.childLines, ['ready', 'term 1', 'term 2', 'term 3']);
  assert.strictEqual(r.childCode, 0);
});

test('without a listener, SIGTERM as PID 1 stops descendants gracefully, SIGKILLs the stubborn and exits 143', async () => {
  const r = await runFixture('sigterm-policy.js', { args: ['default', '500'] });
  assert.strictEqual(r.status, 143, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const { report, graceful, stubborn } = lines.find((l) => l.report);
  assert.strictEqual(report.signal, 'SIGTERM');
  assert.ok(report.exited.some((p) => p.pid === graceful && p.command === 'sleep 100'));
  const killed = report.killed.find((p) => p.pid === stubborn);
  assert.ok(killed, `the stubborn child is in the report: ${JSON.stringify(report)}`);
  assert.match(killed.command, /trap "" TERM/);
  assert.match(r.stderr, new RegExp(`pid1: killed pid ${stubborn} \\(sh -c 'trap .*'\\) with SIGKILL: still running \\d+ ms after SIGTERM`));
  // The orphaned grandchild got SIGTERM (not SIGKILL) and was reaped by pid1.
  const orphan = lines.find((l) => l.reap && l.reap.signal === 'SIGTERM');
  assert.ok(orphan, 'the orphan was stopped gracefully and reaped');
});

test('children started by child_process and by spawn() run with an empty mask under init()', async () => {
  const script = `
    const pid1 = require(${JSON.stringify(ROOT)});
    const { execFileSync, spawnSync } = require('child_process');
    const node = pid1.init({ logger: false });
    const a = execFileSync('grep', ['^SigBlk', '/proc/self/status'], { encoding: 'utf8' });
    const b = spawnSync('grep', ['^SigBlk', '/proc/self/status'], { encoding: 'utf8' }).stdout;
    console.log(JSON.stringify([a, b].map((s) => s.trim().split(/\\s+/)[1])));
    node.close();`;
  const r = expectOk(assert, await runFixture(null, { command: [process.execPath, '-e', script] }));
  assert.deepStrictEqual(r, ['0000000000000000', '0000000000000000']);
});

test('an idle init makes no wake-up: its reaper thread does not switch in 2 seconds', async () => {
  const r = expectOk(assert, await runFixture('idle.js'));
  assert.ok(r.reaperTid > 0);
  // Only pid1's own thread is judged: V8's platform threads run delayed
  // tasks of their own on newer Node (seen on Node 24), with or without pid1.
  assert.strictEqual(r.after[r.reaperTid], r.before[r.reaperTid], 'the reaper thread woke up');
});

test('close() restores every mask, init() works again, and signals reach Node as before', async () => {
  const r = expectOk(assert, await runFixture('reinit.js'));
  assert.strictEqual(r.same, true);
  assert.strictEqual(r.fresh, true);
  assert.ok(r.blockedWhileRunning.includes('SIGCHLD') && r.blockedWhileRunning.includes('SIGTERM'));
  assert.deepStrictEqual(r.maskAfter, r.maskBefore);
  assert.strictEqual(r.sync, 'again');
  assert.strictEqual(r.usr2, 1);
});

const BAD_OPTIONS = [
  [{ subreaper: 'yes' }, RangeError],
  [{ gracePeriodMs: -1 }, RangeError],
  [{ gracePeriodMs: '5' }, TypeError],
  [{ gracePeriodMs: NaN }, RangeError],
  [{ forward: 'SIGTERM' }, TypeError],
  [{ forward: ['SIGKILL'] }, RangeError],
  [{ forward: ['SIGCHLD'] }, RangeError],
  [{ forward: ['SIGNOPE'] }, RangeError],
  [{ onSignal: 'never' }, RangeError],
  [{ isolateChildren: 1 }, RangeError],
  [{ logger: console.log }, TypeError],
  [{ logger: null }, TypeError],
  ['fast', TypeError],
];

test('init() rejects bad options before it changes anything', () => {
  const mask = pid1.blockedSignals();
  for (const [options, type] of BAD_OPTIONS) assert.throws(() => pid1.init(options), type, JSON.stringify(options));
  assert.deepStrictEqual(pid1.blockedSignals(), mask);
  assert.strictEqual(pid1.isChildSubreaper(), false);
});
