'use strict';
const { inspect } = require('util');
// Property-based tests (fast-check, fixed seed): every export of the package
// root and parseArgs() with random and hostile input. Each call either works
// or throws an Error whose `code` is a string; it never crashes or hangs, and
// a call that throws leaves the mask, the subreaper flag, the parent-death
// signal and the fd table as they were.
//
// Safety: in this (test runner) process kill() and killProcessGroup() only
// ever send signal 0, masks are restored after every call, and init() only
// gets options that fail validation. Real signals and valid init() options
// run in test/faults/fixtures/fuzz.js, as PID 1 of a fresh namespace and
// leader of its own session, where every pid but its own is empty.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const pid1 = require('../..');
const { parseArgs } = require('../../dist/cli/cli-args.js');
const { runFixture, expectOk } = require('../kit');
const { attempt, openFds, settledState } = require('./contract');

let fc;
try {
  fc = require('fast-check');
} catch {
  fc = null;
}
const skip = fc === null ? 'fast-check is not installed (devDependency)' : false;
const SEED = 0x9e3779b9 | 0;
const RUNS = 150;
function run(property, numRuns = RUNS) {
  try {
    fc.assert(property, { seed: SEED, numRuns, endOnFailure: true });
  } catch (error) {
    // fast-check keeps the property's own error as `cause`: show it.
    if (error.cause) error.message += `\nCause: ${error.cause.stack || error.cause}`;
    throw error;
  }
}

function snapshot() {
  return {
    mask: pid1.blockedSignals().join(','),
    subreaper: pid1.isChildSubreaper(),
    pdeathsig: pid1.getParentDeathSignal(),
    fds: openFds(),
  };
}

/** Calls fn; on success hands the result to undo(); checks the contract. */
function contract(fn, undo = () => {}) {
  const { before, result, error } = attempt(fn, snapshot);
  if (error) return { error };
  undo(result);
  assert.deepStrictEqual(settledState(snapshot, before), before, 'state not restored after a successful call');
  return { result };
}

const arbs = fc === null ? {} : (() => {
  const nasty = fc.constantFrom(
    NaN, Infinity, -Infinity, -0, 0, -1, 1, 1.5, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 53, -(2 ** 53),
    4194304, 4194305, 1e308, '', '\0', 'SIGKILL', 'SIGSTOP', 'SIGFOO', 'SIG', 'SIGRTMIN+99', 'SIGRTMAX-99', 'rtmin+1', 'term',
    'SIGTERM\0', '15', null, undefined, true, false, [], [[]], {}, Symbol('s'), 10n, new Date(0), /x/, new Uint8Array(2),
    pid1.CARRIER_SIGNAL, 32, 33, 65, -15,
  );
  const nulString = fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a}\0${b}`);
  const any = fc.oneof(nasty, fc.anything({ maxDepth: 2 }), fc.integer({ min: -(2 ** 33), max: 2 ** 33 }), fc.double(), nulString);
  const signalName = fc.constantFrom(...Object.keys(require('os').constants.signals), 'SIGRTMIN', 'SIGRTMIN+3', 'SIGRTMAX', 'SIGRTMAX-2', 'usr2', 'rtmax');
  const signal = fc.oneof(signalName, fc.integer({ min: -3, max: 70 }), any);
  const signals = fc.oneof(fc.array(signal, { maxLength: 6 }), signal, fc.array(signalName, { maxLength: 200 }), any);
  const bool = fc.oneof(fc.boolean(), any);
  const options = (shape) => fc.oneof(fc.record(shape, { requiredKeys: [] }), any);
  return { nasty, nulString, any, signal, signalName, signals, bool, options };
})();

test('fuzz: signal names and numbers', { skip }, () => {
  run(fc.property(arbs.any, (v) => assert.strictEqual(typeof pid1.signalName(v), 'string')));
  run(fc.property(arbs.signal, arbs.any, arbs.any, (v, name, allowZero) => {
    const { result } = contract(() => pid1.normalizeSignal(v, typeof name === 'string' ? name : undefined, allowZero === true));
    if (result !== undefined) {
      assert.ok(Number.isInteger(result) && result >= 0 && result <= pid1.SIGRTMAX && (result < 32 || result >= pid1.SIGRTMIN), String(result));
    }
  }));
});

test('fuzz: subreaper and parent-death signal', { skip }, () => {
  run(fc.property(arbs.bool, (v) => {
    const was = pid1.isChildSubreaper();
    contract(() => pid1.setChildSubreaper(v), () => pid1.setChildSubreaper(was));
  }));
  run(fc.property(arbs.signal, (v) => {
    const was = pid1.getParentDeathSignal();
    contract(() => pid1.setParentDeathSignal(v), () => pid1.setParentDeathSignal(was));
  }));
});

test('fuzz: sigprocmask and blockedSignals of this thread', { skip }, () => {
  const how = fc.oneof(fc.constantFrom('block', 'unblock', 'set'), arbs.any);
  const options = fc.oneof(fc.constant(undefined), fc.constant({ scope: 'thread' }), fc.record({ scope: arbs.any }), arbs.any)
    .filter((o) => !(o !== null && typeof o === 'object' && o.scope === 'process'));
  run(fc.property(how, arbs.signals, options, (h, s, o) => {
    contract(() => pid1.sigprocmask(h, s, o), (previous) => pid1.sigprocmask('set', previous));
  }), 300);
  run(fc.property(options, (o) => void contract(() => pid1.blockedSignals(o))));
});

test('fuzz: a process-wide mask with a signal that cannot be blocked changes no thread', { skip }, () => {
  const bad = fc.constantFrom('SIGKILL', 'SIGSTOP', 9, 19, pid1.CARRIER_SIGNAL, 'SIGFOO', 0, 32, 33, NaN, {}, null, 'SIGRTMIN+99');
  const processMasks = () => JSON.stringify(pid1.blockedSignals({ scope: 'process' }));
  run(fc.property(fc.constantFrom('block', 'unblock', 'set'), fc.array(arbs.signalName, { maxLength: 5 }), bad, fc.nat(5), (how, list, b, at) => {
    const before = processMasks();
    const set = [...list];
    set.splice(at % (set.length + 1), 0, b);
    assert.throws(() => pid1.sigprocmask(how, set, { scope: 'process' }), (e) => typeof e.code === 'string');
    assert.strictEqual(processMasks(), before);
  }), 60);
});

test('fuzz: SignalFd', { skip }, () => {
  run(fc.property(arbs.signals, (s) => void contract(() => new pid1.SignalFd(s), (sfd) => {
    assert.deepStrictEqual(sfd.read(), []);
    sfd.close();
    assert.throws(() => sfd.close(), { code: 'ERR_PID1_SIGNALFD_CLOSED' });
  })));
});

test('fuzz: waitpid, waitid and reapAll with no child never block and never throw without a code', { skip }, () => {
  const waitOptions = arbs.options({ noWait: arbs.bool, untraced: arbs.bool, continued: arbs.bool, block: arbs.bool, throwIfNoChildren: arbs.bool });
  const pid = fc.oneof(fc.integer({ min: -4194305, max: 4194305 }), arbs.any);
  run(fc.property(pid, waitOptions, (p, o) => {
    const { result } = contract(() => pid1.waitpid(p, o));
    if (result !== undefined) assert.strictEqual(result, null);
  }));
  run(fc.property(fc.oneof(fc.constantFrom('all', 'pid', 'pgid'), arbs.any), pid, waitOptions, (t, id, o) => {
    const { result } = contract(() => pid1.waitid(t, id, o));
    if (result !== undefined) assert.strictEqual(result, null);
  }));
  assert.deepStrictEqual(pid1.reapAll(), []);
});

test('fuzz: kill, killProcessGroup, pidfds and ProcessHandle (signal 0 only here)', { skip }, () => {
  assert.notStrictEqual(process.pid, 1, 'the test runner must not be PID 1: kill(-1) would mean its namespace');
  const pid = fc.oneof(fc.integer({ min: -5, max: 4194305 }), fc.integer({ min: -(2 ** 33), max: 2 ** 33 }), arbs.any);
  run(fc.property(pid, (p) => void contract(() => pid1.kill(p, 0))));
  run(fc.property(pid, (p) => void contract(() => pid1.killProcessGroup(p, 0))));
  run(fc.property(pid, (p) => void contract(() => pid1.pidfdOpen(p), (fd) => fs.closeSync(fd))));
  run(fc.property(pid, (fd) => void contract(() => pid1.pidfdSendSignal(fd, 0))));
  run(fc.property(pid, (p) => void contract(() => new pid1.ProcessHandle(p), (h) => {
    try {
      h.kill(0);
    } catch (error) {
      // Another user's process when not root (EPERM), or one that exited meanwhile (ESRCH).
      if (error.code !== 'EPERM' && error.code !== 'ESRCH') throw error;
    }
    h.close();
    assert.throws(() => h.kill(0), { code: 'ERR_PID1_HANDLE_CLOSED' });
  })));
  // Real signals only with pids no process can have.
  const impossible = fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity, 1.5, 4194305, 2 ** 53, '1', null, undefined, {}, [], Symbol('p')), fc.double({ min: 1.01, max: 1e6, noInteger: true }));
  run(fc.property(impossible, arbs.signal, (p, s) => {
    assert.throws(() => pid1.kill(p, s), (e) => typeof e.code === 'string');
    assert.throws(() => pid1.killProcessGroup(p, s), (e) => typeof e.code === 'string');
  }));
  assert.strictEqual(pid1.pidfdSupported(), pid1.pidfdSupported());
});

test('fuzz: spawn with hostile commands, arguments and options', { skip }, () => {
  const command = fc.oneof(arbs.any, fc.constantFrom('true', '/nonexistent/pid1-x', 'pid1-no-such-command', '', '/', '.', 'true\0'), arbs.nulString);
  const args = fc.oneof(fc.array(fc.oneof(fc.string(), arbs.nulString, arbs.any), { maxLength: 4 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2000 }), arbs.any);
  const env = fc.oneof(fc.dictionary(fc.oneof(fc.string(), arbs.nulString, fc.constant('A=B')), fc.oneof(fc.string(), arbs.nulString, fc.integer(), fc.constant(undefined)), { maxKeys: 4 }), arbs.any);
  const stdio = fc.oneof(fc.tuple(...[0, 1, 2].map(() => fc.oneof(fc.constantFrom('inherit', 0, 1, 2, -1, 1.5, 99999, 'pipe'), arbs.any))), arbs.any);
  // foreground stays off: a valid terminal fd would take the user's terminal.
  const foreground = fc.constantFrom(undefined, false, -1, 1.5, 'yes', null, NaN);
  const options = arbs.options({ env, cwd: fc.oneof(fc.constantFrom('/', '/nonexistent', '', '/tmp'), arbs.any), stdio, setsid: arbs.bool, setpgid: arbs.bool, foreground });
  run(fc.property(command, args, options, (c, a, o) => {
    contract(() => pid1.spawn(c, a, o).pid, (pid) => {
      const r = pid1.waitpid(pid, { block: true });
      assert.strictEqual(r.pid, pid);
    });
  }));
});

// Was a bug (lib/core/spawn.ts normalizeEnv): String(v) on Object.create(null)
// threw a plain TypeError with no code.
test('fuzz: spawn rejects an env value that has no string form with a coded error', () => {
  assert.throws(() => pid1.spawn('true', [], { env: { A: Object.create(null) } }), (e) => typeof e.code === 'string');
});

test('fuzz: init() with options that fail validation throws before anything changes', { skip }, () => {
  const invalid = fc.oneof(
    fc.record({ subreaper: fc.oneof(arbs.any, fc.string()).filter((v) => v !== 'auto' && typeof v !== 'boolean' && v !== undefined) }),
    fc.record({ onSignal: arbs.any.filter((v) => v !== 'auto' && v !== 'manual' && v !== undefined) }),
    fc.record({ isolateChildren: arbs.any.filter((v) => v !== 'auto' && typeof v !== 'boolean' && v !== undefined) }),
    fc.record({ forward: arbs.any.filter((v) => !Array.isArray(v) && v !== undefined) }),
    fc.record({ forward: fc.tuple(fc.array(arbs.signalName, { maxLength: 3 }), fc.constantFrom('SIGKILL', 'SIGSTOP', 'SIGCHLD', 9, 17, 'SIGFOO', 0, 32, NaN, null)).map(([a, b]) => [...a, b]) }),
    fc.record({ logger: fc.constantFrom(null, true, 0, 'stderr', {}, { info() {} }, { info: 1, warn: 2 }) }),
    fc.record({ gracePeriodMs: fc.constantFrom(-1, NaN, Infinity, '5', 2 ** 31, null, 1n) }),
    arbs.any.filter((v) => v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v))),
  );
  const valid = fc.record({ subreaper: fc.constantFrom('auto', true, false), onSignal: fc.constantFrom('auto', 'manual'), gracePeriodMs: fc.nat(10000), logger: fc.constant(false) }, { requiredKeys: [] });
  run(fc.property(valid, invalid, (base, bad) => {
    const options = bad !== null && typeof bad === 'object' && !Array.isArray(bad) ? { ...base, ...bad } : bad;
    const listeners = process.listenerCount('newListener') + process.listenerCount('beforeExit');
    const { error } = contract(() => pid1.init(options));
    assert.ok(error instanceof TypeError || error instanceof RangeError, `init(${require('util').inspect(options)}) did not throw a TypeError or RangeError: ${error}`);
    assert.strictEqual(process.listenerCount('newListener') + process.listenerCount('beforeExit'), listeners);
  }));
});

const FLAGS = ['-s', '-g', '-e', '-p', '-v', '-w', '-l', '-h', '--help', '--version', '-r', '--rewrite', '-c', '--single-child', '--setsid',
  '--grace-period', '--forward-delay', '--log-format', '--no-kill-orphans', '--', '-', '-vvw', '-e143', '-x', '--nope', '--grace-period=', '--setsid=1'];

test('fuzz: parseArgs returns settings or throws ERR_PID1_USAGE', { skip }, () => {
  const word = fc.oneof(fc.constantFrom(...FLAGS), fc.string(), arbs.nulString, fc.constantFrom('15', 'SIGTERM', 'TERM:HUP', '1:0', 'SIGKILL:1', '0', '255', '256', '-1', '99999999999999999999', 'text', 'json', 'sh'),
    fc.tuple(fc.constantFrom(...FLAGS.filter((f) => f.startsWith('--'))), fc.string()).map(([f, v]) => `${f}=${v}`));
  const env = fc.dictionary(fc.constantFrom('TINI_SUBREAPER', 'TINI_KILL_PROCESS_GROUP', 'TINI_VERBOSITY', 'DUMB_INIT_SETSID', 'PATH'), fc.oneof(fc.string(), fc.constantFrom('', '0', '1', '11', '-1', 'x')));
  run(fc.property(fc.array(word, { maxLength: 12 }), env, (argv, e) => {
    let s;
    try {
      s = parseArgs(argv, e);
    } catch (error) {
      assert.strictEqual(error.code, 'ERR_PID1_USAGE', error.stack);
      assert.ok(error.message.length > 0);
      return;
    }
    if (s.action === 'run') assert.ok(s.command.length > 0);
    assert.deepStrictEqual(s.command, argv.slice(argv.length - s.command.length));
    for (const code of s.successCodes) assert.ok(Number.isInteger(code) && code >= 0 && code <= 255);
    assert.ok(Number.isInteger(s.gracePeriodMs) && s.gracePeriodMs >= 0 && s.gracePeriodMs < 2 ** 31);
    assert.ok(Number.isInteger(s.verbosity) && s.verbosity >= 0);
    for (const [from, to] of s.rewrite) assert.ok(from !== 9 && from !== 19 && Number.isInteger(to) && to >= 0, `${from}:${to}`);
  }), 1000);
  run(fc.property(fc.array(fc.string({ maxLength: 2 }), { minLength: 10000, maxLength: 10000 }), (argv) => {
    try {
      parseArgs(argv, {});
    } catch (error) {
      assert.strictEqual(error.code, 'ERR_PID1_USAGE');
    }
  }), 5);
});

// parseArgs is exported for tests and fuzzing: wrong types get a coded TypeError.
test('fuzz: parseArgs with wrong types throws a coded error', () => {
  for (const argv of [123, null, [1], [undefined], ['-e', {}], [Symbol('x')]]) {
    assert.throws(() => parseArgs(argv, {}), (e) => typeof e.code === 'string', inspect(argv));
  }
});

let fixtureRun;
function fuzzFixture() {
  fixtureRun ??= runFixture(null, { command: ['setsid', process.execPath, path.join(__dirname, 'fixtures', 'fuzz.js'), String(SEED)] })
    .then((r) => expectOk(assert, r));
  return fixtureRun;
}

test('fuzz: real signals, valid init() options and process-wide masks, as PID 1 of a fresh namespace', { skip, timeout: 60000 }, async () => {
  const out = await fuzzFixture();
  assert.deepStrictEqual(out.failures, []);
});

// Was a bug (lib/init/init.ts normalizeInitOptions): forward accepted the carrier
// signal, the subreaper flag was set, then reaper.start() threw.
test('fuzz: init({ subreaper: true, forward: [CARRIER_SIGNAL] }) fails before changing the subreaper flag', { skip }, async () => {
  const { carrier } = await fuzzFixture();
  assert.strictEqual(carrier.threw, 'ERR_OUT_OF_RANGE');
  assert.strictEqual(carrier.subreaperAfter, carrier.subreaperBefore);
});

// Was a bug (native/kernel/sigmask.cc CarrierHandler): any sender of the carrier
// (kill -RTMAX-3 <pid>) made a thread re-apply the last process-wide request.
test('fuzz: a carrier signal sent from outside leaves thread masks alone', { skip }, async () => {
  const { strayCarrier } = await fuzzFixture();
  assert.deepStrictEqual(strayCarrier.mainBlocks, ['SIGWINCH']);
});

// A thread being created inherits its creator's mask from before a change
// (glibc's pthread_create saves it first): after many init()/close() and
// process-wide cycles, no thread may keep an old mask.
test('fuzz: process-wide mask changes reach every thread for good', { skip: skip || undefined }, async () => {
  const { stuck } = await fuzzFixture();
  assert.deepStrictEqual(stuck, []);
});
