#!/usr/bin/env node
'use strict';
// Why CPU per reap spreads so widely: each orphan storm of bench/run.js run
// under tini and under pid1 in turn, with `perf stat` counting the init's
// wake-ups (tini's rt_sigtimedwait, pid1's poll) and waits (wait4, waitid).
// Prints one line per storm and, per init, a least-squares fit of its CPU
// as N·perReap + W·perWakeup (N orphans, W wake-ups; every wake-up ends
// with a wait that walks all live children and finds nothing): when the two
// inits' fits agree, they pay the same for the same work and their CPU per
// reap differs by how often the scheduler woke them.
//
//   node bench/storm-wakeups.js [--n 50000] [--rounds 5] [--inits tini,pid1]
//
// Linux, as root; installs tini and linux-perf (Debian) when missing.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { parseArgs } = require('util');
const { build } = require('./lib/helpers');
const { resolve } = require('./lib/inits');
const { PLANS } = require('./lib/plans');
const { stormArgv } = require('./lib/suites/storm');
const { median } = require('./lib/stats');

const ROOT = path.resolve(__dirname, '..');
const { values } = parseArgs({
  options: { n: { type: 'string', default: '50000' }, rounds: { type: 'string', default: '5' }, inits: { type: 'string', default: 'tini,pid1' } },
});
const N = Number(values.n);
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(N) || N < 500 || !Number.isInteger(ROUNDS) || ROUNDS < 1) throw new RangeError('--n is at least 500 and --rounds at least 1');
const log = (line) => console.error(`[storm-wakeups] ${line}`);

// What each init sleeps in between wake-ups, and how it reaps.
const EVENTS = ['poll', 'rt_sigtimedwait', 'waitid', 'wait4'].map((name) => `syscalls:sys_enter_${name}`);

function ensurePerf() {
  if (spawnSync('perf', ['--version']).status === 0) return;
  log('$ apt-get install -y linux-perf');
  spawnSync('apt-get', ['install', '-y', '-q', 'linux-perf'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (spawnSync('perf', ['--version']).status !== 0) throw new Error('perf is needed (Debian: apt-get install linux-perf)');
}

// The init's pid outside its namespace: the only child of unshare --fork.
function childOf(pid) {
  const text = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? undefined : Number(text.split(' ')[0]);
}

function once(emitter, event) {
  return new Promise((done) => emitter.once(event, (...args) => done(args)));
}

async function storm(init, helpers, dir) {
  const out = path.join(dir, 'storm.json');
  const counts = path.join(dir, 'perf.csv');
  // The storm of bench/run.js's full mode; the pause gives perf time to
  // attach before the first orphan is made.
  const command = stormArgv({ helpers, cfg: PLANS.full, outFile: out }, N, 0);
  const argv = init.argv(['sh', '-c', `sleep 1; exec ${command.join(' ')}`]);
  const run = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
  // unshare forks the init at once; perf attaches within the storm's pause.
  let initPid;
  for (let tries = 0; initPid === undefined; tries++) {
    if (tries === 40) throw new Error(`${init.name}: no init under unshare (pid ${run.pid})`);
    await new Promise((done) => setTimeout(done, 20));
    initPid = childOf(run.pid);
  }
  const perf = spawn('perf', ['stat', '-x', ',', '-e', EVENTS.join(','), '-p', String(initPid), '-o', counts], { stdio: 'ignore' });
  const [status] = await once(run, 'exit');
  perf.kill('SIGINT');
  await once(perf, 'exit');
  if (status !== 0) throw new Error(`${init.name}: the storm exited ${status}`);
  const result = JSON.parse(fs.readFileSync(out, 'utf8'));
  const count = {};
  for (const line of fs.readFileSync(counts, 'utf8').split('\n')) {
    const [value, , event] = line.split(',');
    if (event?.startsWith('syscalls:')) count[event.slice('syscalls:sys_enter_'.length)] = Number(value);
  }
  const wakeups = count.poll + count.rt_sigtimedwait;
  return { cpuPerReapUs: result.cpu_per_reap_ns / 1000, wakeups, waits: count.waitid + count.wait4 };
}

// CPU per reap = perReap + perWakeup · (W / N), fitted by least squares.
function fit(list) {
  const xs = list.map((r) => r.wakeups / N);
  const ys = list.map((r) => r.cpuPerReapUs);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const perWakeup = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / sxx;
  return { perReap: my - perWakeup * mx, perWakeup };
}

async function main() {
  ensurePerf();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-storm-wakeups-'));
  const helpers = build(__dirname, path.join(ROOT, '.cache', 'bench'));
  const { inits, skipped } = resolve({ root: ROOT, install: true, wanted: values.inits.split(','), log });
  for (const s of skipped) log(`skipping ${s.name}: ${s.reason}`);
  const rows = Object.fromEntries(inits.map((i) => [i.name, []]));
  console.log(`${N} orphans per storm, ${ROUNDS} rounds, inits in turn`);
  console.log('init        CPU/reap  wake-ups    waits');
  for (let round = 0; round < ROUNDS; round++) {
    for (const init of inits) {
      const r = await storm(init, helpers, dir);
      rows[init.name].push(r);
      console.log(`${init.name.padEnd(10)}  ${r.cpuPerReapUs.toFixed(2).padStart(6)} µs  ${String(r.wakeups).padStart(8)}  ${String(r.waits).padStart(7)}`);
    }
  }
  console.log('init        median CPU/reap  median wake-ups  fit: µs per reap + µs per wake-up');
  for (const [name, list] of Object.entries(rows)) {
    const f = fit(list);
    const cpu = median(list.map((r) => r.cpuPerReapUs));
    const fitted = f === null ? 'needs rounds with different wake-ups' : `${f.perReap.toFixed(2)} + ${f.perWakeup.toFixed(1)}`;
    console.log(`${name.padEnd(10)}  ${cpu.toFixed(2).padStart(12)} µs  ${String(Math.round(median(list.map((r) => r.wakeups)))).padStart(15)}  ${fitted}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
