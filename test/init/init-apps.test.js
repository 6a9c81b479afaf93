'use strict';
// init() in realistic apps, as PID 1 of fresh PID namespaces: listeners that
// throw, signals other than SIGTERM, the README's own patterns, busy event
// loops, Workers, node-pty, re-init. Each case was a way to lose an event or
// leave PID 1 deaf to SIGTERM.
const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { asInitCommand, expectOk, fixturesIn, PTY_RUN } = require('../kit');
const { FIXTURES, runFixture } = fixturesIn(__dirname);

const GUARD = { timeoutMs: 30000 };
const lines = (stdout) => stdout.trim().split('\n').filter(Boolean);

test('a reap listener that throws reaches uncaughtException, and reaping, forwarding and the SIGTERM policy go on', async () => {
  const r = await runFixture('app-throw.js', { args: ['handled'], ...GUARD });
  assert.strictEqual(r.timedOut, false, `the app hung:\n${r.stdout}\n${r.stderr}`);
  assert.strictEqual(r.status, 143, r.stderr);
  assert.strictEqual(r.json.thrown, 1);
  assert.strictEqual(r.json.secondWave, 10, 'every reap after the throw is emitted');
  assert.ok(r.json.childLines.includes('got SIGUSR2'), 'forwarding goes on');
  assert.doesNotMatch(r.stderr, /DEP0168/);
});

test('a reap listener that throws with no uncaughtException handler ends the app the way Node reports it', async () => {
  const r = await runFixture('app-throw.js', { args: ['unhandled'], ...GUARD });
  assert.strictEqual(r.timedOut, false, `the app hung:\n${r.stdout}\n${r.stderr}`);
  assert.strictEqual(r.status, 1);
  assert.match(r.stderr, /Error: listener threw/);
  assert.doesNotMatch(r.stdout, /survived/);
});

test('a reap listener that throws during the stop SIGTERM started: the stop ends, every reap is emitted, exit 143', async () => {
  const r = await runFixture('app-throw.js', { args: ['during-stop'], ...GUARD });
  assert.strictEqual(r.timedOut, false, `the app hung:\n${r.stdout}\n${r.stderr}`);
  assert.strictEqual(r.status, 143, r.stderr);
  assert.strictEqual(lines(r.stdout).filter((l) => l.startsWith('{"reap"')).length, 5, 'the five orphans the stopped child left');
});

test("process.once('SIGCHLD') does not stop child_process children from reporting their exits", async () => {
  const r = expectOk(assert, await runFixture('app-sigchld.js', GUARD));
  assert.deepStrictEqual(r.codes, Array.from({ length: 20 }, (_, i) => i + 1));
  assert.strictEqual(r.listeners, 0);
});

for (const mode of ['first', 'again']) {
  test(`zombies that exist before init() are reaped when it starts (${mode === 'first' ? 'first init()' : 'after close() and init()'})`, async () => {
    const r = expectOk(assert, await runFixture('app-zombies-before.js', { args: [mode], ...GUARD }));
    assert.strictEqual(r.before, 20);
    assert.strictEqual(r.after, 0);
  });
}

for (const [trigger, status] of [['SIGINT', 130], ['SIGQUIT', 131], ['SIGHUP', 129]]) {
  test(`a stop that ${trigger} triggers sends SIGTERM to the descendants and exits ${status}`, async () => {
    const r = await runFixture('app-stop-signal.js', { args: [trigger], ...GUARD });
    assert.strictEqual(r.timedOut, false, `the stop did not end:\n${r.stdout}\n${r.stderr}`);
    assert.strictEqual(r.status, status, r.stderr);
    assert.deepStrictEqual(lines(r.stdout), ['ready', 'got TERM']);
    assert.doesNotMatch(r.stderr, /killed/);
  });
}

test("the README's pattern (a SIGTERM listener that awaits shutdown()) sends each child SIGTERM once", async () => {
  const r = expectOk(assert, await runFixture('app-term-once.js', GUARD));
  assert.deepStrictEqual(r.lines, ['ready', 'got SIGTERM']);
  assert.strictEqual(r.code, 0);
  assert.deepStrictEqual(r.exited, [r.child]);
  assert.deepStrictEqual(r.killed, []);
});

for (const mode of ['interval', 'burst']) {
  test(`SIGTERM while the app keeps spawning (${mode}) ends by the deadline and exits 143`, async () => {
    const r = await runFixture('app-spawn-loop.js', { args: [mode], ...GUARD });
    assert.strictEqual(r.timedOut, false, `the stop never ended:\n${r.stderr}`);
    assert.strictEqual(r.status, 143, r.stderr);
  });
}

test('a busy event loop past the deadline: no false SIGKILL report, real elapsed times, late processes named as such', async () => {
  const r = expectOk(assert, await runFixture('app-busy-loop.js', GUARD));
  assert.deepStrictEqual(r.exited, [r.graceful], 'the child that exited on SIGTERM is not reported killed');
  assert.deepStrictEqual(r.killed.sort(), [r.stubborn, r.late].sort());
  const stubbornLine = r.lines.find((l) => l.includes(`pid ${r.stubborn} `));
  const elapsed = Number(/(\d+) ms after SIGTERM/.exec(stubbornLine)?.[1]);
  assert.ok(elapsed >= 1000, `the line states the time that passed (the loop was busy 1.3 s): ${stubbornLine}`);
  const lateLine = r.lines.find((l) => l.includes(`pid ${r.late} `));
  assert.match(lateLine, /found after the grace period ended/);
  assert.doesNotMatch(lateLine, /after SIGTERM/);
  assert.strictEqual(r.lines.filter((l) => l.includes(`pid ${r.graceful} `)).length, 0);
  // shutdown() called 300 ms into a busy turn: the SIGKILL still waits the 400 ms.
  assert.deepStrictEqual(r.second.killed, [r.second.stubborn]);
  assert.ok(r.second.waitedMs >= 400, `the grace period was cut short: SIGKILL after ${r.second.waitedMs} ms`);
  assert.ok(r.second.durationMs >= 400, `durationMs ${r.second.durationMs}`);
  const line = r.lines.find((l) => l.includes(`pid ${r.second.stubborn} `));
  // The stop sent that SIGTERM itself, just after it began: the line counts
  // from the send, so it states a little less than the grace period, and no
  // more than what passed since shutdown().
  const stated = Number(/(\d+) ms after SIGTERM/.exec(line)?.[1]);
  assert.ok(stated > 0 && stated <= Math.ceil(r.second.waitedMs), `${line} (${r.second.waitedMs} ms since shutdown())`);
});

test('close() right after a 1,000-orphan storm: every reap is emitted', async () => {
  const r = expectOk(assert, await runFixture('app-close-events.js', { args: ['close'], ...GUARD }));
  assert.strictEqual(r.reaps, 1000);
});

test('as PID 1 when the loop empties: every orphan is stopped, reaped and reported before the exit (10 runs)', async () => {
  const counts = [];
  for (let i = 0; i < 10; i++) {
    const r = await runFixture('app-close-events.js', { args: ['exit'], ...GUARD });
    assert.strictEqual(r.status, 0, r.stderr);
    counts.push(lines(r.stdout).filter((l) => l.startsWith('reap ')).length);
  }
  assert.deepStrictEqual(counts, Array(10).fill(220));
});

test("children of a terminated Worker are released: the reaper collects them with their exit codes", async () => {
  const r = expectOk(assert, await runFixture('app-worker-exit.js', GUARD));
  assert.deepStrictEqual(r.codes, [3, 4, 5, 6, 7]);
  assert.strictEqual(r.zombies, 0);
});

test('node-pty through exemptSpawn(): 1,000 ptys during an orphan storm, every exit code right', async () => {
  const r = expectOk(assert, await runFixture('app-pty.js', { args: ['1000'], timeoutMs: 120000 }));
  assert.strictEqual(r.ptys, 1000);
  assert.strictEqual(r.wrong, 0);
  assert.strictEqual(r.orphansReaped, 4000);
  assert.strictEqual(r.zombies, 0);
});

test('init() again: the same options return the instance, other options throw, unknown keys are named', async () => {
  const r = expectOk(assert, await runFixture('app-options.js', GUARD));
  assert.strictEqual(r.same, 'ok');
  assert.strictEqual(r.bare, 'ok');
  assert.match(r.negative, /^RangeError ERR_OUT_OF_RANGE/);
  assert.match(r.other, /^Error ERR_PID1_ALREADY_INITIALIZED/);
  assert.match(r.unknown, /^TypeError ERR_INVALID_ARG_VALUE: .*"gracePeriod"/);
  assert.strictEqual(r.grace, 1000);
});

test('execa and cross-spawn children report their exact exit codes during an orphan storm', async () => {
  const r = expectOk(assert, await runFixture('app-libraries.mjs', { args: ['storm'], ...GUARD }));
  assert.strictEqual(r.execa, 0);
  assert.strictEqual(r.crossSpawn, 0);
  assert.strictEqual(r.reaped, 2000);
  assert.strictEqual(r.zombies, 0);
});

test("SIGTERM while execa runs a child: execa's own cleanup and pid1's stop together end the app with 143, nothing killed", async () => {
  const r = await runFixture('app-libraries.mjs', { args: ['execa-term'], ...GUARD });
  assert.strictEqual(r.timedOut, false, `the stop did not end:\n${r.stdout}\n${r.stderr}`);
  assert.strictEqual(r.status, 143, r.stderr);
  assert.match(r.stdout, /got TERM/);
  assert.doesNotMatch(r.stderr, /killed/);
});

test('Ctrl+C on a terminal: the children get SIGTERM through the coordinated stop, and the app exits 130 long before the grace period', async () => {
  const script = JSON.stringify([['expect', 'child ready'], ['send', '\u0003']]);
  const r = await runFixture(null, {
    asInit: false,
    command: ['python3', PTY_RUN, script, '--', ...asInitCommand([process.execPath, path.join(FIXTURES, 'app-ctrl-c.js')])],
    ...GUARD,
  });
  assert.ok(r.json, `the terminal session did not finish: ${r.stderr}`);
  assert.strictEqual(r.json.status, 130, r.json.output);
  assert.match(r.json.output, /got TERM/);
  assert.doesNotMatch(r.json.output, /killed/);
});

for (const [mode, expected] of [['stop', 'gone'], ['auto', 'alive']]) {
  test(`a subreaper whose loop empties ${mode === 'stop' ? 'with stopOnExit stops its adopted orphans first' : "leaves its adopted orphans running by default (stopOnExit 'auto': only as PID 1)"}`, async () => {
    const app = path.join(FIXTURES, 'app-stop-on-exit.js');
    // sh is PID 1 here, so the app is a subreaper; what it left is judged after it exits.
    const script = `"$0" "$1" ${mode} > /tmp/pid1-orphan-$$; pid=$(cat /tmp/pid1-orphan-$$); rm /tmp/pid1-orphan-$$; if kill -0 "$pid" 2>/dev/null; then echo alive; else echo gone; fi`;
    const r = await runFixture(null, { command: ['sh', '-c', script, process.execPath, app], ...GUARD });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.stdout.trim(), expected, r.stderr);
    if (mode === 'stop') assert.match(r.stderr, /reaped \d+ SIGTERM/);
  });
}

test('child_process children started before pid1 was loaded still report their own exits', async () => {
  const r = expectOk(assert, await runFixture('app-early-child.js', GUARD));
  assert.deepStrictEqual(r.codes, [9, 11]);
  assert.strictEqual(r.stolen, 0);
});
