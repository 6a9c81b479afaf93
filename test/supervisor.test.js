'use strict';
// The supervisor toolkit, for real: exit promises for children, for a
// process another process started, for processes gone before anyone asked,
// and spawn()'s handle, each as PID 1 of a fresh PID namespace.
const test = require('node:test');
const assert = require('node:assert');
const { runFixture, expectOk } = require('./helpers');

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
    // A grace period of ten minutes that the abort ended (or the test would time out).
    if (mode === 'init') assert.strictEqual(r.shutdownAborted, true);
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
