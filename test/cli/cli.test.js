'use strict';
// The pid1 command, black-box: as PID 1 of fresh PID namespaces, looking at
// exit statuses, what children receive, and what pid1 logs.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { asInitCommand, fixturesIn, PTY_RUN, ROOT } = require('../kit');
const { orphansBinary } = require('../kit/build');
const { runFixture, compiled } = fixturesIn(__dirname);

const CLI = path.join(ROOT, 'dist', 'cli', 'cli.js');
const S = os.constants.signals;

/** Runs `pid1 ...args` as PID 1 of a new namespace. */
function pid1(args, options = {}) {
  return runFixture(null, { command: [process.execPath, CLI, ...args], ...options });
}

/** Runs tasks with at most `width` at a time. */
async function pool(items, width, task) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  }));
  return results;
}

test('exit codes 0..255 pass through', async () => {
  const codes = Array.from({ length: 256 }, (_, i) => i);
  const statuses = await pool(codes, 6, async (code) => (await pid1(['--', 'sh', '-c', `exit ${code}`])).status);
  assert.deepStrictEqual(statuses, codes);
});

test('-e remaps the listed exit statuses to 0 and no others', async () => {
  const cases = [[3, 0], [5, 0], [4, 4], [0, 0], [143, 0]];
  const statuses = await pool(cases, 4, async ([code]) => (await pid1(['-e', '3', '-e5', '-e', '143', '--', 'sh', '-c', `exit ${code}`])).status);
  assert.deepStrictEqual(statuses, cases.map(([, expected]) => expected));
});

test('a child killed by signal n gives 128 + n', async () => {
  const signals = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGABRT', 'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGTERM'];
  const statuses = await pool(signals, 4, async (sig) => (await pid1(['--', 'sh', '-c', `kill -${sig.slice(3)} $$`])).status);
  assert.deepStrictEqual(statuses, signals.map((sig) => 128 + S[sig]));
});

test('a missing command exits 127 and a command that cannot run exits 126, each named', async () => {
  const missing = await pid1(['--', 'pid1-test-missing-command']);
  assert.strictEqual(missing.status, 127);
  assert.match(missing.stderr, /pid1: exec pid1-test-missing-command failed: No such file or directory/);
  const file = path.join(os.tmpdir(), `pid1-plain-${process.pid}`);
  fs.writeFileSync(file, 'not a program\n', { mode: 0o644 });
  try {
    const plain = await pid1(['--', file]);
    assert.strictEqual(plain.status, 126);
    assert.match(plain.stderr, new RegExp(`exec ${file} failed: Permission denied`));
  } finally {
    fs.rmSync(file);
  }
});

test('every forwardable signal reaches the child, sent by pid1', async () => {
  const forwarded = [];
  const excluded = new Set([S.SIGCHLD, S.SIGKILL, S.SIGSTOP, S.SIGSEGV, S.SIGBUS, S.SIGFPE, S.SIGILL, S.SIGTRAP, S.SIGSYS, S.SIGABRT, S.SIGPROF]);
  for (let sig = 1; sig <= 31; sig++) if (!excluded.has(sig)) forwarded.push(sig);
  forwarded.push(34, 35, 50);
  // SIGTERM and SIGINT start pid1's grace period: long enough here.
  const r = await pid1(['--', compiled('sigcatch'), 'each', ...forwarded.map(String)]);
  assert.strictEqual(r.status, 0, `${r.stderr}\n${r.stdout}`);
  const lines = r.stdout.trim().split('\n');
  const got = lines.slice(0, -1).map((l) => l.split(' ').map(Number));
  assert.deepStrictEqual(got.map(([sig]) => sig).sort((a, b) => a - b), forwarded);
  assert.ok(got.every(([, sender]) => sender === 1), 'each came from pid1');
  assert.strictEqual(lines.at(-1), 'pending');
});

test('-g reaches a grandchild whose parent ignores the signal', async () => {
  const catcher = compiled('sigcatch');
  const r = await pid1(['-g', '--', 'sh', '-c', `trap "" USR1; SIGCATCH_TARGET=1 ${catcher} 1 ${S.SIGUSR1}`]);
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.stdout.split('\n')[0], `${S.SIGUSR1} 1`);
});

test('--rewrite maps one signal to another and drops one mapped to 0', async () => {
  const r = await pid1(['-r', '10:12', '--rewrite', 'SIGTERM:0', '--', compiled('sigcatch'), '2', String(S.SIGTERM), '10', '1']);
  assert.strictEqual(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.deepStrictEqual(lines.slice(0, 2).map((l) => Number(l.split(' ')[0])).sort((a, b) => a - b), [1, 12]);
  assert.strictEqual(lines[2], 'pending', 'SIGTERM was dropped');
});

test('--forward-delay holds SIGTERM, then forwards it', async () => {
  const r = await pid1(['-v', '--forward-delay', '200', '--', compiled('sigcatch'), '1', String(S.SIGTERM)]);
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.stdout.split('\n')[0], `${S.SIGTERM} 1`);
  assert.match(r.stderr, /pid1: forwarded SIGTERM after 200 ms/);
});

test('1,000 orphans in bursts are all reaped and -w prints one line each', async () => {
  const orphans = orphansBinary();
  // orphans exits 3 if fork fails (a loaded machine): say so, not a miscount.
  // $(...) reads until every orphan, which holds its stdout, has exited: had
  // sh exited first, pid1 would SIGTERM the slow ones as leftovers (seen
  // under load).
  const r = await pid1(['-w', '--', 'sh', '-c', `for i in 1 2 3 4 5 6 7 8 9 10; do out=$(${orphans} 100 7 || echo failed); [ -z "$out" ] || exit 99; done`]);
  assert.notStrictEqual(r.status, 99, 'fork failed in the orphan generator');
  assert.strictEqual(r.status, 0, r.stderr);
  const pids = [...r.stderr.matchAll(/^pid1: reaped zombie pid (\d+) \(exit code 7\)$/gm)].map((m) => m[1]);
  assert.strictEqual(pids.length, 1000);
  assert.strictEqual(new Set(pids).size, 1000);
});

test('a child that ignores SIGTERM is SIGKILLed after the grace period: exit 137, and the log names it', async () => {
  const r = await pid1(['--grace-period', '300', '--', 'sh', '-c', 'trap "" TERM; kill -TERM 1; while :; do sleep 1; done']);
  assert.strictEqual(r.status, 137);
  assert.match(r.stderr, /pid1: killed pid \d+ \(sh -c 'trap "" TERM; kill -TERM 1; while :; do sleep 1; done'\) with SIGKILL: still running \d+ ms after SIGTERM/);
});

test('a background grandchild left when the child exits gets SIGTERM first and can clean up', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-left-'));
  const script = `mkfifo ${dir}/ready; (trap "echo cleaned > ${dir}/out; exit 0" TERM; echo > ${dir}/ready; while :; do sleep 0.05; done) & read x < ${dir}/ready; exit 5`;
  try {
    const r = await pid1(['--', 'sh', '-c', script]);
    assert.strictEqual(r.status, 5, r.stderr);
    assert.strictEqual(fs.readFileSync(`${dir}/out`, 'utf8'), 'cleaned\n');
    assert.doesNotMatch(r.stderr, /killed/);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('--no-kill-orphans leaves what the child left behind alone', async () => {
  const r = await pid1(['--no-kill-orphans', '-v', '--', 'sh', '-c', 'sleep 100 & exit 3']);
  assert.strictEqual(r.status, 3, r.stderr);
  assert.doesNotMatch(r.stderr, /stopping/);
});

test('on a terminal, Ctrl+C reaches the command and pid1 exits 130', async () => {
  const script = JSON.stringify([['expect', 'started pid'], ['send', '\u0003']]);
  const r = await runFixture(null, {
    asInit: false,
    command: ['python3', PTY_RUN, script, '--', ...asInitCommand([process.execPath, CLI, '-v', '--', 'sleep', '100'])],
  });
  assert.ok(r.json, `the terminal session did not finish: ${r.stderr}`);
  assert.strictEqual(r.json.status, 130, r.json.output);
});

test('on a terminal, an interactive shell gets job control', async () => {
  const script = JSON.stringify([
    ['expect', 'ready$ '],
    // The command says when it runs, so Ctrl+C reaches it, not readline.
    ['send', 'sh -c "echo run""ning; exec sleep 100"\n'],
    ['expect', 'running'],
    ['send', '\u0003'],
    ['expect', 'ready$ '],
    ['send', 'set -o | grep -w monitor; exit 7\n'],
  ]);
  const r = await runFixture(null, {
    asInit: false,
    command: ['python3', PTY_RUN, script, '--', ...asInitCommand([process.execPath, CLI, '--', 'env', 'PS1=ready$ ', 'bash', '--norc', '--noprofile', '-i'])],
  });
  assert.ok(r.json, `the terminal session did not finish: ${r.stderr}`);
  assert.strictEqual(r.json.status, 7, r.json.output);
  assert.doesNotMatch(r.json.output, /no job control|cannot set terminal process group/);
  assert.match(r.json.output, /monitor\s+on/);
});

test('-p delivers the chosen signal to pid1 when its parent dies', async () => {
  const r = await runFixture('pdeathsig.js');
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.json.exitCode, 128 + S.SIGUSR1);
});

test('--log-format json writes one JSON object per line', async () => {
  const r = await pid1(['--log-format', 'json', '-v', '--', 'sh', '-c', 'exit 4']);
  assert.strictEqual(r.status, 4);
  const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.level === 'info' && /exited with exit code 4/.test(l.message)));
  assert.ok(lines.every((l) => typeof l.time === 'string' && l.pid === 1));
});

test('--rewrite TERM:0 drops SIGTERM altogether: not forwarded, and no stop begins', async () => {
  const r = await pid1(['--rewrite', '15:0', '--grace-period', '300', '--', 'sh', '-c', 'trap "echo got TERM" TERM; trap "exit 3" INT; kill -TERM 1; sleep 0.6; kill -INT 1; while :; do sleep 0.05; done']);
  assert.strictEqual(r.status, 3, r.stderr);
  assert.doesNotMatch(r.stdout, /got TERM/);
  assert.doesNotMatch(r.stderr, /killed/);
});

test('--log-format json: a kill is one line with its event, target, command, signal and elapsed time as fields', async () => {
  const r = await pid1(['--log-format', 'json', '--grace-period', '300', '--', 'sh', '-c', 'trap "" TERM; kill -TERM 1; while :; do sleep 1; done']);
  assert.strictEqual(r.status, 137);
  const kills = r.stderr.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.event === 'kill');
  const child = kills.find((l) => /^sh -c /.test(l.command));
  assert.ok(child, r.stderr);
  assert.strictEqual(child.level, 'warn');
  assert.strictEqual(child.signal, 'SIGKILL');
  assert.strictEqual(child.after, 'SIGTERM');
  assert.ok(Number.isInteger(child.target) && child.target > 1);
  assert.ok(child.afterMs >= 300, `afterMs ${child.afterMs}`);
  assert.strictEqual(child.pid, 1);
});

test('bad flags exit 1 with usage on stderr; `pid1 -- -- true` fails like tini', async () => {
  for (const args of [['-x', 'true'], ['--bogus', 'true'], ['-e'], ['-e', '300', 'true'], ['-p', 'SIGNOPE', 'true'], ['--grace-period', '-5', 'true'], ['--log-format', 'xml', 'true'], ['-r', '15', 'true'], ['-r', '9:15', 'true']]) {
    const r = await pid1(args, { asInit: false });
    assert.strictEqual(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^pid1: .*\nUsage: pid1 /, args.join(' '));
  }
  const r = await pid1(['--', '--', 'true']);
  assert.strictEqual(r.status, 127);
  assert.match(r.stderr, /exec -- failed/);
});

test('with no command pid1 prints a two-line hint, as dumb-init does, and exits 1', async () => {
  const r = await pid1([], { asInit: false });
  assert.strictEqual(r.status, 1);
  assert.match(r.stderr, /^Usage: pid1 .*\nTry 'pid1 --help' .*\n$/);
});

test('the help lists the environment variables and the exit statuses', async () => {
  const help = await pid1(['--help'], { asInit: false });
  assert.strictEqual(help.status, 0);
  for (const name of ['TINI_SUBREAPER', 'TINI_KILL_PROCESS_GROUP', 'TINI_VERBOSITY', 'DUMB_INIT_SETSID', 'DUMB_INIT_DEBUG']) {
    assert.match(help.stdout, new RegExp(`^Environment variables:\\n[^]*^  ${name} `, 'm'), name);
  }
  assert.match(help.stdout, /^Exit status:\n[^]*\b126\b[^]*\b127\b[^]*128 \+ N/m);
});

test('-h, --version, -V and -l print and exit 0', async () => {
  const help = await pid1(['-h'], { asInit: false });
  assert.deepStrictEqual([help.status, /^Usage: pid1/.test(help.stdout)], [0, true]);
  for (const flag of ['--version', '-V']) {
    const version = await pid1([flag], { asInit: false });
    assert.strictEqual(version.stdout, `pid1 ${require('../../package.json').version}\n`, flag);
  }
  const license = await pid1(['-l'], { asInit: false });
  assert.match(license.stdout, /^MIT License/);
});
