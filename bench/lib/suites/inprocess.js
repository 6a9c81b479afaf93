'use strict';
// Workload 5: pid1 used in-process (`require('pid1').init()`) by an app that
// is PID 1 of a fresh namespace. Runs bench/inprocess-app.js; skipped while
// the module has no init().
const path = require('path');
const { spawnSync } = require('child_process');
const { createGroup } = require('../group');
const { runJson, alternate } = require('../trial');
const { bare } = require('../inits');

/** Why the in-process suite can't run, or null when it can. */
function unavailable(modulePath) {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(typeof require(process.argv[1]).init)', modulePath], { encoding: 'utf8' });
  if (r.status !== 0) return `require('${modulePath}') failed: ${(r.stderr || '').trim().split('\n').find((l) => /Error/.test(l)) || `exit ${r.status}`}`;
  if (r.stdout !== 'function') return `require('${modulePath}').init is ${r.stdout} (API not ready yet)`;
  return null;
}

function runInprocess(ctx) {
  const modulePath = process.env.BENCH_PID1_MODULE || ctx.root;
  const why = unavailable(modulePath);
  if (why) return { skipped: why };
  const app = path.join(ctx.benchDir, 'inprocess-app.js');
  const { storm, idleMs, spawnMs } = ctx.cfg.inprocess;
  const argv = (task) => bare([process.execPath, app, JSON.stringify({ module: modulePath, ...task })]);

  const eld = createGroup({
    id: 'inprocess-eld',
    short: 'In-process: event-loop delay',
    title: `In-process init(): event-loop delay while ${storm.n} orphans are reaped`,
    note: 'perf_hooks.monitorEventLoopDelay at 1 ms resolution; the app is PID 1 and calls init()',
    columns: ['idle', 'storm'],
    baseline: 'idle',
    metrics: [
      { key: 'eld_p50_ms', label: 'event-loop delay p50', unit: 'ms' },
      { key: 'eld_p99_ms', label: 'event-loop delay p99', unit: 'ms', chart: true },
      { key: 'eld_max_ms', label: 'event-loop delay max', unit: 'ms' },
      { key: 'drain_ms', label: 'storm wall: release → last reaped', unit: 'ms' },
      { key: 'leftover', label: 'zombies left (worst run)', unit: '', agg: 'max', noRatio: true },
    ],
    derive: (d) => ({
      eld_p50_ms: d.eld.p50_ms,
      eld_p99_ms: d.eld.p99_ms,
      eld_max_ms: d.eld.max_ms,
      drain_ms: d.storm ? d.storm.drain_ns / 1e6 : null,
      leftover: d.storm ? d.storm.zombies_left + d.storm.unreaped : null,
    }),
  });
  const spawn = createGroup({
    id: 'inprocess-spawn',
    short: 'In-process: spawn rate',
    title: `In-process init(): child_process.spawn('true') one after another for ${spawnMs} ms`,
    columns: ['without init', 'with init'],
    baseline: 'without init',
    metrics: [
      { key: 'per_s', label: 'spawns completed per second', unit: '/s', better: 'higher', chart: true },
      { key: 'failed', label: 'wrong exit code or error (worst run)', unit: '', agg: 'max', noRatio: true },
      { key: 'hung', label: "no 'exit' event within 5 s (worst run)", unit: '', agg: 'max', noRatio: true },
    ],
    derive: (d) => ({ per_s: d.spawn.per_s, failed: d.spawn.failed, hung: d.spawn.hung }),
  });
  const stormTask = { task: 'storm', init: true, storm: [ctx.helpers.storm, '-n', String(storm.n), '-b', String(ctx.cfg.storm.burst), '-w', String(ctx.cfg.storm.wave), '-t', '30000'] };
  const entries = [
    { g: eld, col: 'idle', argv: argv({ task: 'idle', init: true, ms: idleMs }) },
    { g: eld, col: 'storm', argv: argv(stormTask) },
    { g: spawn, col: 'without init', argv: argv({ task: 'spawn', init: false, ms: spawnMs }) },
    { g: spawn, col: 'with init', argv: argv({ task: 'spawn', init: true, ms: spawnMs }) },
  ];
  ctx.log(`in-process: ${ctx.cfg.inprocess.reps} rounds (module ${modulePath})`);
  alternate(entries, ctx.cfg.inprocess.reps, (e) => e.g.add(e.col, runJson(e.argv, { timeoutMs: 120000 })));
  return { groups: [eld, spawn] };
}

module.exports = { runInprocess };
