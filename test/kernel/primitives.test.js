'use strict';
// The primitives, run for real: fixtures as PID 1 of fresh PID namespaces,
// real children, real signals, real zombies.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const pid1 = require('../..');
const { expectOk, fixturesIn, ROOT } = require('../kit');
const { runFixture } = fixturesIn(__dirname);

test('an orphaned grandchild is reparented to the subreaper and reaped with its real status', async () => {
  const file = path.join(os.tmpdir(), `pid1-gc-${process.pid}`);
  const r = expectOk(assert, await runFixture('orphan-reparent.js', { asInit: false, args: [file] }));
  fs.rmSync(file, { force: true });
  assert.strictEqual(r.subreaper, true);
  const byPid = new Map(r.reaped.map((x) => [x.pid, x]));
  assert.strictEqual(byPid.get(r.middle).exitCode, 0);
  assert.strictEqual(byPid.get(r.grandchildren[0]).exitCode, 42);
  assert.strictEqual(byPid.get(r.grandchildren[1]).signal, 'SIGKILL');
  assert.strictEqual(byPid.get(r.grandchildren[1]).exitCode, null);
});

test('200 children exiting at once queue one SIGCHLD and one drain reaps them all', async () => {
  const r = expectOk(assert, await runFixture('coalesce.js', { args: ['200'] }));
  assert.strictEqual(r.pid, 1);
  assert.strictEqual(r.sigchld, 1);
  assert.strictEqual(r.reaped, 200);
  assert.deepStrictEqual(r.codes, [3]);
  assert.strictEqual(r.allMine, true);
  assert.strictEqual(r.after, null);
  assert.strictEqual(r.zombies, 0);
});

test("a process-wide mask reaches every thread, later threadpool threads and Workers; child_process children start unmasked", async () => {
  const r = expectOk(assert, await runFixture('mask-threads.js'));
  assert.deepStrictEqual(r.result.skipped, []);
  assert.strictEqual(r.result.reached + 1 >= r.before.length, true); // the inspector thread blocks everything already
  for (const t of [...r.before, ...r.after]) assert.ok(t.chld && t.term, `thread ${t.tid} (${t.name}) does not block SIGCHLD and SIGTERM`);
  assert.ok(r.after.length >= r.before.length + 5, `expected threadpool and Worker threads, got ${r.before.length} then ${r.after.length}`);
  assert.strictEqual(r.childMask, '0000000000000000');
  assert.strictEqual(r.exitCode, 0);
  const stillBlocked = new Set(r.unblock.skipped.map((t) => t.tid));
  for (const t of r.unblocked) if (!stillBlocked.has(t.tid)) assert.ok(!t.chld && !t.term, `thread ${t.tid} still blocks after unblock`);
});

test('signalfd reports sender pid and code; a closed SignalFd gives a clear error', async () => {
  const r = expectOk(assert, await runFixture('signalfd-info.js', { asInit: false }));
  const usr1 = r.infos.find((i) => i.signal === 'SIGUSR1');
  const usr2 = r.infos.find((i) => i.signal === 'SIGUSR2');
  assert.strictEqual(usr1.pid, r.self);
  assert.strictEqual(usr1.code, 0); // SI_USER
  assert.strictEqual(usr2.pid, r.shellPid);
  assert.deepStrictEqual(r.again, []);
  assert.strictEqual(r.fd, -1);
  assert.deepStrictEqual(r.errors.map((e) => e.code), ['ERR_PID1_SIGNALFD_CLOSED', 'ERR_PID1_SIGNALFD_CLOSED']);
});

test('subreaper and parent-death signal round-trip through prctl', async () => {
  const script = `
    const p = require(${JSON.stringify(ROOT)});
    const a = p.isChildSubreaper(); p.setChildSubreaper(); const b = p.isChildSubreaper(); p.setChildSubreaper(false);
    p.setParentDeathSignal('SIGHUP'); const d = p.getParentDeathSignal(); p.setParentDeathSignal(0);
    console.log(JSON.stringify([a, b, p.isChildSubreaper(), d, p.getParentDeathSignal()]));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.deepStrictEqual(JSON.parse(r.stdout), [false, true, false, 'SIGHUP', 0]);
});

test('waitpid peeks with noWait, reaps, then reports nothing; ECHILD only on request', () => {
  const pid = pid1.spawn('sh', ['-c', 'exit 5']).pid;
  const peek = pid1.waitid('pid', pid, { noWait: true, block: true });
  assert.strictEqual(peek.exitCode, 5);
  assert.deepStrictEqual(pid1.waitpid(pid, { noWait: true }), peek);
  assert.deepStrictEqual(pid1.waitpid(pid), peek);
  assert.strictEqual(pid1.waitpid(pid), null);
  assert.throws(() => pid1.waitpid(pid, { throwIfNoChildren: true }), { code: 'ECHILD', errno: -os.constants.errno.ECHILD, syscall: 'waitid' });
});

test('waitpid reports a stopped and a continued child when asked', () => {
  const pid = pid1.spawn('sleep', ['30']).pid;
  pid1.kill(pid, 'SIGSTOP');
  const stopped = pid1.waitpid(pid, { untraced: true, block: true });
  assert.deepStrictEqual([stopped.stopped, stopped.signal], [true, 'SIGSTOP']);
  pid1.kill(pid, 'SIGCONT');
  const continued = pid1.waitpid(pid, { continued: true, block: true });
  assert.deepStrictEqual([continued.continued, continued.signal], [true, 'SIGCONT']);
  pid1.kill(pid, 'SIGKILL');
  assert.strictEqual(pid1.waitpid(pid, { block: true }).signal, 'SIGKILL');
});

test('spawn reports exec failure from the parent, with no zombie left', () => {
  assert.throws(() => pid1.spawn('pid1-no-such-command'), { code: 'ENOENT', syscall: 'execve', path: 'pid1-no-such-command' });
  const plain = path.join(os.tmpdir(), `pid1-noexec-${process.pid}`);
  fs.writeFileSync(plain, '#!/bin/sh\n', { mode: 0o644 });
  try {
    assert.throws(() => pid1.spawn(plain), { code: 'EACCES', syscall: 'execve' });
  } finally {
    fs.rmSync(plain);
  }
  assert.throws(() => pid1.spawn('true', [], { cwd: '/nonexistent' }), { code: 'ENOENT', syscall: 'chdir' });
  assert.strictEqual(pid1.waitpid(-1), null);
});

test('spawned children start with an empty mask and default dispositions', () => {
  const file = path.join(os.tmpdir(), `pid1-mask-${process.pid}`);
  const fd = fs.openSync(file, 'w');
  pid1.sigprocmask('block', ['SIGUSR2']);
  try {
    const pid = pid1.spawn('grep', ['-E', '^Sig(Blk|Ign)', '/proc/self/status'], { stdio: ['inherit', fd, 'inherit'] }).pid;
    assert.strictEqual(pid1.waitpid(pid, { block: true }).exitCode, 0);
  } finally {
    pid1.sigprocmask('unblock', ['SIGUSR2']);
    fs.closeSync(fd);
  }
  const out = fs.readFileSync(file, 'utf8');
  fs.rmSync(file);
  // Node ignores SIGPIPE and SIGXFSZ; the child must not inherit that.
  assert.match(out, /SigBlk:\s*0000000000000000/);
  assert.match(out, /SigIgn:\s*0000000000000000/);
});

test('pidfds signal the process they were opened on', () => {
  const pid = pid1.spawn('sleep', ['30']).pid;
  const fd = pid1.pidfdOpen(pid);
  pid1.pidfdSendSignal(fd, 'SIGTERM');
  assert.strictEqual(pid1.waitpid(pid, { block: true }).signal, 'SIGTERM');
  assert.throws(() => pid1.pidfdSendSignal(fd, 'SIGTERM'), { code: 'ESRCH', syscall: 'pidfd_send_signal' });
  fs.closeSync(fd);
  const handle = new pid1.ProcessHandle(pid1.spawn('sleep', ['30']).pid);
  handle.kill('SIGKILL');
  assert.strictEqual(pid1.waitpid(handle.pid, { block: true }).signal, 'SIGKILL');
  handle.close();
  assert.throws(() => handle.kill(), { code: 'ERR_PID1_HANDLE_CLOSED' });
});

test('kill(-1) is refused outside PID 1 and allowed as PID 1 of a namespace', async () => {
  assert.throws(() => pid1.kill(-1, 0), { code: 'ERR_PID1_NOT_INIT' });
  const script = `const p = require(${JSON.stringify(ROOT)});
    const child = p.spawn('sleep', ['30']).pid;
    p.kill(-1, 'SIGTERM');
    console.log(JSON.stringify([process.pid, p.waitpid(child, { block: true }).signal]));`;
  const r = await runFixture(null, { command: [process.execPath, '-e', script] });
  assert.deepStrictEqual(expectOk(assert, r), [1, 'SIGTERM']);
});

test('syscall errors look like Node errors', () => {
  assert.throws(() => pid1.kill(4194304, 0), (error) => {
    assert.strictEqual(error.code, 'ESRCH');
    assert.strictEqual(error.errno, -os.constants.errno.ESRCH);
    assert.strictEqual(error.syscall, 'kill');
    assert.match(error.message, /^kill ESRCH: /);
    return true;
  });
});

// Bad input: [description, call, expected error]. Each must throw before any
// system call and change nothing.
const TE = { name: 'TypeError' };
const RE = { name: 'RangeError' };
const BAD_INPUT = [
  ['setChildSubreaper("yes")', () => pid1.setChildSubreaper('yes'), TE],
  ['setParentDeathSignal("SIGNOPE")', () => pid1.setParentDeathSignal('SIGNOPE'), RE],
  ['setParentDeathSignal(65)', () => pid1.setParentDeathSignal(65), RE],
  ['setParentDeathSignal(NaN)', () => pid1.setParentDeathSignal(NaN), RE],
  ['setParentDeathSignal({})', () => pid1.setParentDeathSignal({}), TE],
  ['sigprocmask("hide", ...)', () => pid1.sigprocmask('hide', ['SIGTERM']), RE],
  ['sigprocmask with SIGKILL', () => pid1.sigprocmask('block', ['SIGKILL']), RE],
  ['sigprocmask with SIGSTOP', () => pid1.sigprocmask('block', ['SIGSTOP'], { scope: 'process' }), RE],
  ['sigprocmask with the carrier', () => pid1.sigprocmask('block', [pid1.CARRIER_SIGNAL]), RE],
  ['sigprocmask with glibc 32', () => pid1.sigprocmask('block', [32]), RE],
  ['sigprocmask with an unknown name', () => pid1.sigprocmask('block', ['SIGFOO']), RE],
  ['sigprocmask with 1.5', () => pid1.sigprocmask('block', [1.5]), RE],
  ['sigprocmask with a null set', () => pid1.sigprocmask('block', null), TE],
  ['sigprocmask with scope "world"', () => pid1.sigprocmask('block', ['SIGTERM'], { scope: 'world' }), RE],
  ['sigprocmask with options "process"', () => pid1.sigprocmask('block', ['SIGTERM'], 'process'), TE],
  ['blockedSignals({ scope: 1 })', () => pid1.blockedSignals({ scope: 1 }), RE],
  ['new SignalFd(["SIGKILL"])', () => new pid1.SignalFd(['SIGKILL']), RE],
  ['new SignalFd(undefined)', () => new pid1.SignalFd(undefined), TE],
  ['waitpid("1")', () => pid1.waitpid('1'), TE],
  ['waitpid(1.5)', () => pid1.waitpid(1.5), RE],
  ['waitpid(NaN)', () => pid1.waitpid(NaN), RE],
  ['waitpid(2 ** 40)', () => pid1.waitpid(2 ** 40), RE],
  ['waitpid(-1, { noWait: 1 })', () => pid1.waitpid(-1, { noWait: 1 }), TE],
  ['waitpid(-1, [])', () => pid1.waitpid(-1, []), TE],
  ['waitid("thread", 1)', () => pid1.waitid('thread', 1), RE],
  ['waitid("pid", 0)', () => pid1.waitid('pid', 0), RE],
  ['kill(0)', () => pid1.kill(0, 'SIGTERM'), RE],
  ['kill(-5)', () => pid1.kill(-5, 'SIGTERM'), RE],
  ['kill("1")', () => pid1.kill('1'), TE],
  ['kill(1.5)', () => pid1.kill(1.5), RE],
  ['kill(1, "SIGFOO")', () => pid1.kill(1, 'SIGFOO'), RE],
  ['kill(1, -1)', () => pid1.kill(1, -1), RE],
  ['killProcessGroup(1)', () => pid1.killProcessGroup(1, 'SIGTERM'), RE],
  ['killProcessGroup(-3)', () => pid1.killProcessGroup(-3, 'SIGTERM'), RE],
  ['killProcessGroup("0")', () => pid1.killProcessGroup('0', 'SIGTERM'), TE],
  ['pidfdOpen(0)', () => pid1.pidfdOpen(0), RE],
  ['pidfdSendSignal(-1)', () => pid1.pidfdSendSignal(-1, 'SIGTERM'), RE],
  ['new ProcessHandle(-1)', () => new pid1.ProcessHandle(-1), RE],
  ['spawn("")', () => pid1.spawn(''), TE],
  ['spawn(42)', () => pid1.spawn(42), TE],
  ['spawn("a\\0b")', () => pid1.spawn('a\0b'), TE],
  ['spawn("true", "x")', () => pid1.spawn('true', 'x'), TE],
  ['spawn("true", [1])', () => pid1.spawn('true', [1]), TE],
  ['spawn with env key "A=B"', () => pid1.spawn('true', [], { env: { 'A=B': '1' } }), TE],
  ['spawn with stdio of two', () => pid1.spawn('true', [], { stdio: [0, 1] }), TE],
  ['spawn with stdio fd -2', () => pid1.spawn('true', [], { stdio: [-2, 1, 2] }), RE],
  ['spawn with setsid "yes"', () => pid1.spawn('true', [], { setsid: 'yes' }), TE],
];

test('bad input throws TypeError or RangeError and changes nothing', () => {
  const maskBefore = pid1.blockedSignals();
  const subreaperBefore = pid1.isChildSubreaper();
  const pdeathBefore = pid1.getParentDeathSignal();
  for (const [what, call, expected] of BAD_INPUT) {
    assert.throws(call, expected, what);
  }
  assert.deepStrictEqual(pid1.blockedSignals(), maskBefore);
  assert.strictEqual(pid1.isChildSubreaper(), subreaperBefore);
  assert.strictEqual(pid1.getParentDeathSignal(), pdeathBefore);
  assert.strictEqual(pid1.waitpid(-1), null, 'no child was started');
});

test('signals are accepted as names or numbers and returned as names', () => {
  assert.strictEqual(pid1.normalizeSignal('SIGTERM'), 15);
  assert.strictEqual(pid1.normalizeSignal('term'), 15);
  assert.strictEqual(pid1.normalizeSignal(15), 15);
  assert.strictEqual(pid1.normalizeSignal('SIGRTMIN+2'), pid1.SIGRTMIN + 2);
  assert.strictEqual(pid1.signalName(pid1.SIGRTMIN + 2), 'SIGRTMIN+2');
  assert.strictEqual(pid1.signalName(9), 'SIGKILL');
  const previous = pid1.sigprocmask('block', [12, 'SIGRTMIN+1']);
  try {
    assert.deepStrictEqual(pid1.blockedSignals(), ['SIGUSR2', 'SIGRTMIN+1']);
  } finally {
    pid1.sigprocmask('set', previous);
  }
});

test('with no file descriptor left, each error names the system call that failed', async () => {
  const file = path.join(__dirname, 'fixtures', 'fd-exhausted.js');
  const r = await runFixture(null, { asInit: false, command: ['sh', '-c', 'ulimit -n 128 && exec "$0" "$@"', process.execPath, file] });
  assert.ok(r.json, r.stderr);
  assert.deepStrictEqual(r.json.pipe2, { code: 'EMFILE', syscall: 'pipe2' });
  assert.deepStrictEqual(r.json.opendir, { code: 'EMFILE', syscall: 'opendir' });
  assert.strictEqual(r.json.masked, null);
  assert.deepStrictEqual(r.json.signalfd, { code: 'EMFILE', syscall: 'signalfd' });
  assert.deepStrictEqual(r.json.eventfd, { code: 'EMFILE', syscall: 'eventfd' });
  assert.strictEqual(r.json.started, null);
  assert.deepStrictEqual(r.json.again, { code: 'EBUSY', syscall: 'reaperStart' });
});
