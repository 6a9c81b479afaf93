'use strict';
// No fd leaks across init()/close() cycles and many spawns, and no fd of
// pid1's (signalfd, the reaper's eventfd, pidfds, spawn's report pipe) in a
// child: each is close-on-exec.
const test = require('node:test');
const assert = require('node:assert');
const { expectOk, fixturesIn } = require('../kit');
const { runFixture } = fixturesIn(__dirname);

function check(r) {
  const { counts } = r;
  assert.strictEqual(counts.afterInitCycles, counts.start, `20 init()/close() cycles: ${JSON.stringify(counts)}`);
  assert.strictEqual(counts.afterSpawns, counts.initRunning, `spawns, failed spawns, ProcessHandles, SignalFds: ${JSON.stringify(counts)}`);
  assert.strictEqual(counts.end, counts.start, `after close(): ${JSON.stringify(counts)}`);
  // The children are only meaningful if those fds were open meanwhile.
  assert.deepStrictEqual(r.parentKinds, ['anon_inode:[eventfd]', 'anon_inode:[pidfd]', 'anon_inode:[signalfd]']);
  const allowed = new Set(['0', '1', '2', ...r.inherited]);
  for (const [who, fds] of [['spawn()', r.spawnChild], ['child_process', r.cpChild]]) {
    assert.ok('1' in fds, `${who}: no listing`);
    const extra = Object.entries(fds).filter(([fd]) => !allowed.has(fd));
    assert.deepStrictEqual(extra, [], `${who} child holds fds it should not`);
  }
}

test('fds: no leak across 20 init() cycles and ~500 spawns; children hold nothing of pid1 (as PID 1)', async () => {
  check(expectOk(assert, await runFixture('fds.js')));
});

test('fds: the same outside a PID namespace (subreaper)', async () => {
  check(expectOk(assert, await runFixture('fds.js', { asInit: false })));
});
