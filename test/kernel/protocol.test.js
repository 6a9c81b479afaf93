'use strict';
// The values JS and the addon exchange are the addon's (the kernel's own
// headers): the TypeScript side reads them from the binding and writes none
// of its own. These check that each name means what the kernel does with it,
// and that a value outside the set is the kernel's EINVAL, not a guess.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const pid1 = require('../..');
const { native } = require('../../dist/kernel/native.js');

const SIGUSR2 = 12;

// The calling thread's blocked set, as the kernel shows it.
function kernelBlocks(signal) {
  const hex = /^SigBlk:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/thread-self/status', 'utf8'))[1];
  return (BigInt(`0x${hex}`) >> BigInt(signal - 1)) & 1n ? true : false;
}

function outside(values) {
  return Math.max(...Object.values(values)) + 1;
}

test('mask how: block, unblock and set do to the kernel mask what their names say', () => {
  assert.deepStrictEqual(Object.keys(native.maskHow).sort(), ['block', 'set', 'unblock']);
  const before = pid1.blockedSignals();
  try {
    pid1.sigprocmask('block', 'SIGUSR2');
    assert.strictEqual(kernelBlocks(SIGUSR2), true);
    pid1.sigprocmask('unblock', 'SIGUSR2');
    assert.strictEqual(kernelBlocks(SIGUSR2), false);
    pid1.sigprocmask('set', ['SIGUSR2']);
    assert.deepStrictEqual(pid1.blockedSignals(), ['SIGUSR2']);
    assert.strictEqual(kernelBlocks(SIGUSR2), true);
  } finally {
    pid1.sigprocmask('set', before);
  }
  assert.throws(() => native.threadMask(outside(native.maskHow), 1 << (SIGUSR2 - 1), 0), { code: 'EINVAL', syscall: 'pthread_sigmask' });
  assert.strictEqual(kernelBlocks(SIGUSR2), before.includes('SIGUSR2'));
});

// A mask crosses as two 32-bit halves and comes back as 8 bytes: the bits
// at the edges of each half (signal 1, 31, 32's neighbours, SIGRTMAX = 64,
// the sign bit of the high half) are where an encoding goes wrong.
// docs/runtime-facts.md, 39: pid1 takes this table from the addon instead of loading os.
test("the addon's signal table is Node's os.constants.signals: names, numbers and order, aliases included", () => {
  assert.deepStrictEqual(Object.entries(native.signals), Object.entries(os.constants.signals));
  // The first name of a number is its name; an alias still names it.
  assert.strictEqual(pid1.signalName(native.signals.SIGIOT), 'SIGABRT');
  assert.strictEqual(pid1.normalizeSignal('SIGPOLL'), os.constants.signals.SIGIO);
});

test('signal masks cross both ways bit for bit, the real-time signals of the high half included', () => {
  const before = pid1.blockedSignals();
  const edges = ['SIGHUP', 'SIGUSR2', 'SIGSYS', pid1.signalName(pid1.SIGRTMIN), pid1.signalName(pid1.SIGRTMIN + 1), pid1.signalName(pid1.SIGRTMAX - 1), pid1.signalName(pid1.SIGRTMAX)];
  try {
    pid1.sigprocmask('set', edges);
    for (const name of edges) assert.strictEqual(kernelBlocks(pid1.normalizeSignal(name)), true, `${name} blocked in the kernel`);
    assert.deepStrictEqual(pid1.blockedSignals(), edges);
    assert.deepStrictEqual(pid1.sigprocmask('set', ['SIGUSR2']), edges);
    assert.strictEqual(kernelBlocks(pid1.SIGRTMAX), false);
  } finally {
    pid1.sigprocmask('set', before);
  }
});

test('idtype: pid and pidfd name the child they are given; any other value is EINVAL', () => {
  assert.deepStrictEqual(Object.keys(native.idtype).sort(), ['all', 'pgid', 'pid', 'pidfd']);
  const noWait = native.waitFlags.noWait;
  const child = pid1.spawn('sh', ['-c', 'exit 7']);
  const fd = pid1.pidfdSupported() ? native.pidfdOpen(child.pid) : -1;
  try {
    assert.strictEqual(native.waitid(native.idtype.pid, child.pid, noWait, 1, 0).exitCode, 7);
    if (fd >= 0) assert.strictEqual(native.waitid(native.idtype.pidfd, fd, noWait, 1, 0).pid, child.pid);
    assert.throws(() => native.waitid(outside(native.idtype), child.pid, noWait, 0, 0), { code: 'EINVAL', syscall: 'waitid' });
    assert.strictEqual(pid1.waitid('pid', child.pid, { block: true }).exitCode, 7);
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
});

// A spawn's lists cross as one string each, every item followed by a NUL
// (cStringList): empty items, an empty list and non-ASCII text must come
// out as the items they were.
test('spawn: argv and env reach the child item for item, empty strings, an empty env and UTF-8 included', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-lists-'));
  try {
    const out = path.join(dir, 'out');
    const run = async (args, env) => {
      const fd = fs.openSync(out, 'w');
      try {
        const child = pid1.spawn('/bin/sh', ['-c', 'for a in "$@"; do printf "[%s]" "$a"; done; printf "|"; env', 'sh', ...args], { env, stdio: ['inherit', fd, 'inherit'] });
        assert.strictEqual((await child.exited).exitCode, 0);
      } finally {
        fs.closeSync(fd);
      }
      const [argv, envText] = fs.readFileSync(out, 'utf8').split('|');
      return { argv, env: envText.split('\n').filter((l) => l !== '' && !l.startsWith('PWD=') && !l.startsWith('SHLVL=') && l !== '_=/usr/bin/env') };
    };
    assert.deepStrictEqual(await run(['', 'a b', '', 'é€😀', ''], { EMPTY: '', TEXT: 'ü x' }), { argv: '[][a b][][é€😀][]', env: ['EMPTY=', 'TEXT=ü x'] });
    assert.deepStrictEqual(await run([], {}), { argv: '', env: [] });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
