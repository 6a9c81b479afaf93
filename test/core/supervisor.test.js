'use strict';
// The supervisor toolkit, for real: exit promises for children, for a
// process another process started, for processes gone before anyone asked,
// and spawn()'s handle, each as PID 1 of a fresh PID namespace.
const test = require('node:test');
const assert = require('node:assert');
const { expectOk, fixturesIn } = require('../kit');
const { runFixture } = fixturesIn(__dirname);

for (const mode of ['plain', 'init']) {
  test(`exited: children, a non-child and processes already gone (${mode === 'init' ? "init()'s reaper reaping" : 'no reaper'})`, async () => {
    const r = expectOk(assert, await runFixture('exited.js', { args: mode === 'init' ? ['init'] : [] }));
    assert.deepStrictEqual(r.child, { exitCode: 7, signal: null, known: true });
    assert.deepStrictEqual(r.killed, { exitCode: null, signal: 'SIGKILL', known: true });
    assert.deepStrictEqual(r.many, Array.from({ length: 30 }, (_, i) => i));
    assert.deepStrictEqual(r.early, { exitCode: 5, signal: null, known: true });
    // The kernel tells a non-parent only that the process exited; its parent saw SIGTERM (143).
    assert.deepStrictEqual(r.nonChild, { exitCode: null, signal: null, known: false });
    assert.strictEqual(r.parentSaw, '143');
    assert.deepStrictEqual(r.nonChildEarly, { exitCode: null, signal: null, known: false });
    assert.strictEqual(r.noProcess, 'ESRCH');
    assert.strictEqual(r.closed, 'ERR_PID1_HANDLE_CLOSED');
    assert.strictEqual(r.killAfterExit, 'ESRCH');
    // The app's own waitpid() reaped (or raced the reaper for) each child.
    assert.strictEqual(r.ownWait.length, 40);
    r.ownWait.forEach((w, i) => {
      assert.deepStrictEqual({ exitCode: w.exitCode, known: w.known }, { exitCode: i, known: true }, `child ${i}`);
      if (w.got !== null) assert.strictEqual(w.got, i, `child ${i}`);
    });
    if (mode === 'plain') {
      assert.ok(r.ownWait.every((w) => w.got !== null), 'without a reaper, every waitpid() reaps');
      assert.deepStrictEqual(r.anyWait, { exitCode: 9, signal: null, known: true });
      assert.deepStrictEqual(r.reapAll, [10, 11, 12, 13, 14].map((exitCode) => ({ exitCode, signal: null, known: true })));
    }
    // A grace period of ten minutes that the abort ended (or the test would time out).
    if (mode === 'init') {
      assert.strictEqual(r.shutdownAborted, true);
      assert.strictEqual(r.reused, true);
      assert.strictEqual(r.staleKill, 'ESRCH');
      assert.deepStrictEqual(r.staleExit, { exitCode: 0, signal: null, known: true });
      assert.deepStrictEqual(r.freshExit, { exitCode: null, signal: 'SIGTERM', known: true });
      assert.strictEqual(r.reusedAgain, true);
      assert.strictEqual(r.secondWait, 4);
      assert.deepStrictEqual(r.firstExit, { exitCode: 3, signal: null, known: true });
      assert.deepStrictEqual(r.secondExit, { exitCode: 4, signal: null, known: true });
    }
  });
}

test("spawn()'s handle stops gracefully, SIGKILLs at once on abort, and stops when disposed", async () => {
  const r = expectOk(assert, await runFixture('exited.js'));
  assert.strictEqual(r.graceful.signal, 'SIGTERM');
  assert.deepStrictEqual(r.graceful.exited.map((p) => p.command), ['sleep 100']);
  assert.deepStrictEqual(r.graceful.killed, []);
  assert.deepStrictEqual(r.gracefulExit, { exitCode: null, signal: 'SIGTERM', known: true });
  // A grace period of ten minutes: the test would time out had the abort not ended it.
  assert.strictEqual(r.aborted.gracePeriodMs, 600000);
  assert.strictEqual(r.aborted.killed.length, 1);
  assert.match(r.aborted.killed[0].command, /trap "" TERM/);
  assert.deepStrictEqual(r.abortedExit, { exitCode: null, signal: 'SIGKILL', known: true });
  assert.strictEqual(r.disposedState, 'Z'); // exited, left for its reaper (none here)
});

test("awaiting spawn()'s exited under init() holds the event loop until the reaper's report comes", async () => {
  // Nothing else is pending: when the pidfd's watch fires after the reaper
  // reaped the child, only the wait for the reaper's report keeps the
  // process from ending with its rounds unfinished (status 0, no output).
  const r = expectOk(assert, await runFixture('exited-alone.js', { args: ['300'] }));
  assert.deepStrictEqual(r, { done: 300 });
});

const path = require('path');
const fs = require('fs');
const os = require('os');
const SUPERVISOR = path.join(__dirname, '..', '..', 'examples', 'supervisor.js');

test('examples/supervisor.js restarts a failing command with backoff until it succeeds', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-supervisor-'));
  const count = path.join(dir, 'count');
  const script = `n=$(cat ${count} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${count}; [ $n -ge 3 ] && exit 0; kill -KILL $$`;
  const r = await runFixture(null, { command: [process.execPath, SUPERVISOR, 'sh', '-c', script], env: { SUPERVISOR_BACKOFF_MS: '1' } });
  fs.rmSync(dir, { recursive: true });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.match(r.stderr, /failed \(SIGKILL\); restart 1 in 1 ms/);
  assert.match(r.stderr, /failed \(SIGKILL\); restart 2 in 2 ms/);
  assert.match(r.stderr, /supervisor: done/);
  assert.strictEqual((r.stderr.match(/started sh/g) ?? []).length, 3);
});

test('examples/supervisor.js stops the command and its daemon on SIGTERM and exits 143', async () => {
  // The command daemonizes a sleep, then asks its supervisor (PID 1) to stop.
  const r = await runFixture(null, { command: [process.execPath, SUPERVISOR, 'sh', '-c', '(setsid sleep 1000 &); kill -TERM 1; exec sleep 1000'] });
  assert.strictEqual(r.status, 143, r.stderr);
  // sh (exec'd into sleep) and the daemon's sleep; the daemon only in a cgroup.
  const inCgroup = /in a cgroup of its own/.test(r.stderr);
  assert.match(r.stderr, inCgroup ? /stopped 2 processes, 0 with SIGKILL/ : /stopped 1 processes, 0 with SIGKILL/);
});

test('bad options of spawn(), stop() and stopTree() throw before anything is started or signalled', async () => {
  const pid1 = require('../..');
  assert.throws(() => pid1.spawn('true', [], { cgroup: 'yes' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  const child = pid1.spawn('sleep', ['100']);
  for (const [options, name] of [
    [{ gracePeriodMs: -1 }, 'RangeError'],
    [{ gracePeriodMs: '5' }, 'TypeError'],
    [{ abortSignal: {} }, 'TypeError'],
    [{ signal: 'SIGNOPE' }, 'RangeError'],
    [{ logger: console.log }, 'TypeError'],
    [{ bogus: 1 }, 'TypeError'],
  ]) {
    assert.throws(() => child.stop(options), { name }, JSON.stringify(options));
    await assert.rejects(child.stopTree(options), { name }, JSON.stringify(options));
  }
  assert.strictEqual(pid1.waitpid(child.pid, { noWait: true }), null); // still running
  child.kill('SIGKILL');
  assert.strictEqual(pid1.waitpid(child.pid, { block: true }).signal, 'SIGKILL');
});

test('a listed process reaped by its parent before its membership check does not end the stop: the next look stops what it left', async () => {
  const r = expectOk(assert, await runFixture('stop-race.js'));
  assert.deepStrictEqual(r.exited, [r.leftBehind], 'the process the next listing showed was stopped');
  assert.strictEqual(r.leftBehindState, 'Z', 'it exited on SIGTERM, and is left for its reaper (none here)');
  assert.ok(r.listings >= 2, `listed ${r.listings} times`);
});

test('a listed process that exits between the listing and its stat does not end the stop: the next look stops what it forked', async () => {
  const r = expectOk(assert, await runFixture('stop-listed-exit.js'));
  assert.deepStrictEqual(r.walk, { forStop: [true], plain: [] }, "a stop's /proc walk lists the zombie as exited; others do not list it");
  assert.deepStrictEqual(r.exited, [r.leftBehind], 'the process the next listing showed was stopped');
  assert.strictEqual(r.leftBehindState, 'Z', 'it exited on SIGTERM, and is left for its reaper (none here)');
  assert.ok(r.listings >= 2, `listed ${r.listings} times`);
});
