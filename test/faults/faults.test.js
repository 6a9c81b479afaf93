'use strict';
// Fault injection and safety. System calls made by pid1.node fail on demand
// through an LD_PRELOAD shim (scripts/faults/shim.c, compiled here into
// build/faults/); each failure must give a clear error or the documented
// fallback, and leave nothing half-done. The safety tests show that pid1
// never signals a pid it did not check, never signals -1 or 0 outside its
// own namespace, and never leaves a blocked mask in a child.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const pid1 = require('../..');
const { expectOk, fixturesIn, ROOT } = require('../kit');
const { compiled } = require('../kit/build');
const { runFixture } = fixturesIn(__dirname);

function shim() {
  const SHIM = compiled(path.join(ROOT, 'scripts', 'faults', 'shim.c'), { shared: true, outDir: path.join(ROOT, 'build', 'faults'), flags: ['-ldl'] });
  // Under scripts/asan.sh the ASan runtime must stay first.
  return [process.env.LD_PRELOAD, SHIM].filter(Boolean).join(':');
}

function faulty(scenario, faults, extraEnv = {}) {
  return runFixture('faults.js', { asInit: false, args: [scenario], env: { LD_PRELOAD: shim(), PID1_FAULTS: faults, ...extraEnv } });
}

test('prctl EPERM: setChildSubreaper throws EPERM, init() warns once and still reaps', async () => {
  const r = expectOk(assert, await faulty('prctl', 'prctl=EPERM'));
  assert.deepStrictEqual(r.direct, { code: 'EPERM', syscall: 'prctl', message: 'prctl EPERM: Operation not permitted' });
  assert.strictEqual(r.warnings.length, 1);
  assert.match(r.warnings[0], /prctl EPERM/);
  assert.strictEqual(r.reaped.exitCode, 3);
  assert.strictEqual(r.subreaperAfter, false);
});

test("waitid EINVAL on the reaper thread: an 'error' event with code, errno and syscall, a log line, and reaping goes on", async () => {
  const r = expectOk(assert, await faulty('waitid', 'waitid=EINVAL:1'));
  assert.deepStrictEqual(r.error, { code: 'EINVAL', errno: -22, syscall: 'waitid', message: "pid1's reaper thread: waitid EINVAL" });
  assert.strictEqual(r.warnings.length, 1);
  assert.match(r.warnings[0], /waitid EINVAL/);
  assert.strictEqual(r.reaped.exitCode, 3);
});

test('pidfd_open ENOSYS: pidfdSupported() is false, ProcessHandle falls back to kill, init() still forwards', async () => {
  const r = expectOk(assert, await faulty('pidfd', 'pidfd_open=ENOSYS'));
  assert.strictEqual(r.supported, false);
  assert.strictEqual(r.open.code, 'ENOSYS');
  assert.strictEqual(r.open.syscall, 'pidfd_open');
  assert.strictEqual(r.fd, -1);
  assert.strictEqual(r.waited.signal, 'SIGTERM');
  assert.strictEqual(r.afterReap.code, 'ESRCH');
  assert.strictEqual(r.forwardedExit, 7);
});

test('signalfd EMFILE: init() and SignalFd throw EMFILE, masks and listeners are restored, init() can be retried', async () => {
  const r = expectOk(assert, await faulty('signalfd', 'signalfd=EMFILE:2'));
  assert.strictEqual(r.first.code, 'EMFILE');
  assert.strictEqual(r.first.syscall, 'signalfd');
  assert.strictEqual(r.sfd.code, 'EMFILE');
  assert.deepStrictEqual(r.after.mask, r.before.mask);
  assert.strictEqual(r.after.newListener, r.before.newListener);
  assert.strictEqual(r.after.pdeathsig, r.before.pdeathsig);
  assert.strictEqual(r.retried, true);
  assert.deepStrictEqual(r.closed.mask, r.before.mask);
});

// Was a bug (lib/init/init.ts, Init constructor): setChildSubreaper(true) ran
// before reaper.start() and stayed set when start() threw.
test('signalfd EMFILE: a failed init() leaves the subreaper flag as it was', async () => {
  const r = expectOk(assert, await faulty('signalfd', 'signalfd=EMFILE:2'));
  assert.strictEqual(r.after.subreaper, r.before.subreaper);
  assert.strictEqual(r.closed.subreaper, r.before.subreaper);
});

test('fork EAGAIN: spawn() throws EAGAIN (syscall fork), leaks no fd, keeps the mask, and the reaper and child_process go on', async () => {
  const r = expectOk(assert, await faulty('fork', 'fork=EAGAIN:1'));
  assert.deepStrictEqual(r.failed, { code: 'EAGAIN', syscall: 'fork', message: 'fork EAGAIN: Resource temporarily unavailable' });
  assert.strictEqual(r.fdsAfter, r.fdsBefore);
  assert.strictEqual(r.maskSame, true);
  assert.strictEqual(r.reaped.exitCode, 4);
  assert.strictEqual(r.out, 'cp-ok');
});

test('safety: a ProcessHandle whose process was reaped cannot signal the process that got its pid', async () => {
  const r = expectOk(assert, await runFixture('faults.js', { args: ['reuse'] }));
  assert.strictEqual(r.reaped, 'SIGKILL');
  assert.strictEqual(r.b, r.a, 'ns_last_pid did not hand the pid out again');
  assert.strictEqual(r.error.code, 'ESRCH');
  assert.strictEqual(r.error.syscall, 'pidfd_send_signal');
  assert.strictEqual(r.zero.code, 'ESRCH');
  assert.strictEqual(r.newcomer, 'S');
  assert.strictEqual(r.stillRunning, null);
});

test('safety: children of init() start with an empty mask and no ignored signals', async () => {
  const r = expectOk(assert, await runFixture('faults.js', { args: ['mask'] }));
  assert.ok(r.parent.includes('SIGRTMIN+5') && r.parent.includes('SIGCHLD'));
  for (const child of [r.spawn, r.childProcess]) assert.deepStrictEqual(child, { SigBlk: '0000000000000000', SigIgn: '0000000000000000' });
});

test("safety: the pid1 command's child starts with an empty mask", async () => {
  const r = await runFixture(null, { command: [process.execPath, path.join(ROOT, 'dist', 'cli', 'cli.js'), '--', 'sh', '-c', 'grep -E "^Sig(Blk|Ign)" /proc/self/status'] });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.match(r.stdout, /SigBlk:\s+0000000000000000/);
  assert.match(r.stdout, /SigIgn:\s+0000000000000000/);
});

function kills(log) {
  if (!fs.existsSync(log)) return [];
  return fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((line) => {
    const [pid, module, call, target, signal] = line.split(' ');
    return { pid: Number(pid), module, call, target: Number(target), signal: Number(signal) };
  });
}

test('safety: outside PID 1, init().shutdown() and the pid1 command signal checked pids only, never -1 or 0', async () => {
  const log = path.join(os.tmpdir(), `pid1-kills-${process.pid}`);
  fs.rmSync(log, { force: true });
  const r = expectOk(assert, await faulty('shutdown', '', { PID1_KILL_LOG: log }));
  assert.deepStrictEqual(r, { before: 3, exited: 2, killed: 1 });
  const cli = await runFixture(null, {
    asInit: false,
    command: [process.execPath, path.join(ROOT, 'dist', 'cli', 'cli.js'), '--grace-period', '300', '--', 'sh', '-c', 'sleep 30 & (trap "" TERM; exec sleep 30) & exit 0'],
    env: { LD_PRELOAD: shim(), PID1_KILL_LOG: log },
  });
  assert.strictEqual(cli.status, 0, cli.stderr);
  const sent = kills(log).filter((k) => k.module === 'pid1.node' || k.module === 'node');
  fs.rmSync(log, { force: true });
  assert.ok(sent.length >= 4, `expected the stops to be logged, got ${JSON.stringify(sent)}`);
  for (const k of sent) {
    if (k.call === 'kill') assert.ok(k.target > 1 || k.target < -1, `kill(${k.target}, ${k.signal}) from ${k.module}`);
  }
  assert.throws(() => pid1.kill(-1, 0), { code: 'ERR_PID1_NOT_INIT' });
  assert.throws(() => pid1.killProcessGroup(1, 0), { code: 'ERR_OUT_OF_RANGE' });
});
