'use strict';
// Workload 5: pid1 used in-process (`require('pid1').init()`) by an app that
// is PID 1 of a fresh namespace. Runs bench/inprocess-app.js; skipped while
// the module has no init().
const path = require('path');
const { spawnSync } = require('child_process');
const { createGroup } = require('../group');
const { runJson, runTimed, afterStartGroup, alternate } = require('../trial');
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
  const appArgv = (task) => [process.execPath, app, JSON.stringify({ module: modulePath, ...task })];
  const argv = (task) => bare(appArgv(task));

  // The fair baseline for the storm: the same app, not PID 1 and without
  // init(), under tini, which reaps the same storm's orphans.
  const tini = ctx.inits.find((i) => i.name === 'tini');
  const eld = createGroup({
    id: 'inprocess-eld',
    short: 'In-process: event-loop delay',
    title: `In-process init(): event-loop delay while ${storm.n} orphans are reaped`,
    note: 'perf_hooks.monitorEventLoopDelay at 1 ms resolution; "init()": the app is PID 1 and calls init(); "tini": the same app without init() under tini as PID 1, which reaps the orphans',
    columns: tini ? ['idle, init()', 'storm, tini', 'storm, init()'] : ['idle, init()', 'storm, init()'],
    baseline: tini ? 'storm, tini' : 'idle, init()',
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
  const stormArgv = [ctx.helpers.storm, '-n', String(storm.n), '-b', String(ctx.cfg.storm.burst), '-w', String(ctx.cfg.storm.wave), '-t', '30000'];
  // Start-up and peak RSS of init() over an app that loads child_process
  // anyway (bench/startup-app.js, the same file with and without init()),
  // both PID 1 of a fresh namespace; `spawnrun` times each and reads the
  // tree's peak RSS from wait4() (the node process's own).
  const startupApp = path.join(ctx.benchDir, 'startup-app.js');
  const cost = createGroup({
    id: 'inprocess-startup',
    short: 'In-process: start-up',
    title: 'In-process init(): start-up and peak RSS over an app that loads child_process',
    note: "node bench/startup-app.js (an app file that requires child_process) against the same file with the module's path, which adds require('pid1').init(); each PID 1 of a fresh namespace; RSS is wait4()'s ru_maxrss",
    columns: ['child_process app', 'init() app'],
    baseline: 'child_process app',
    metrics: [
      { key: 'wall_ms', label: 'wall time, median', unit: 'ms', chart: true },
      { key: 'cpu_ms', label: 'CPU (user+sys)', unit: 'ms' },
      { key: 'rss_mb', label: 'peak RSS (ru_maxrss)', unit: 'MiB', chart: true },
    ],
    derive: (d) => ({ wall_ms: d.wall_ns / 1e6, cpu_ms: (d.utime_us + d.stime_us) / 1000, rss_mb: d.maxrss_kb / 1024 }),
  });
  const apps = [
    { col: 'child_process app', argv: bare([process.execPath, startupApp]) },
    { col: 'init() app', argv: bare([process.execPath, startupApp, modulePath]) },
  ];
  ctx.log(`in-process start-up: ${ctx.cfg.startup.reps} rounds`);
  alternate(apps, ctx.cfg.startup.reps, (e) => cost.add(e.col, runTimed(ctx.helpers.spawnrun, e.argv)));
  // The same apps without Node's own start (as startup.js's afterStart).
  const after = afterStartGroup(ctx, {
    id: 'inprocess-after-node',
    short: "In-process: start-up after Node's own",
    title: "In-process init(): start-up after Node's own, from the app's first line to the end",
    columns: apps.map((e) => ({ name: e.col, argv: e.argv })),
  });
  const entries = [
    { g: eld, col: 'idle, init()', argv: argv({ task: 'idle', init: true, ms: idleMs }) },
    { g: eld, col: 'storm, init()', argv: argv({ task: 'storm', init: true, storm: stormArgv }) },
    ...(tini ? [{ g: eld, col: 'storm, tini', argv: tini.argv(appArgv({ task: 'storm', init: false, storm: stormArgv })) }] : []),
    { g: spawn, col: 'without init', argv: argv({ task: 'spawn', init: false, ms: spawnMs }) },
    { g: spawn, col: 'with init', argv: argv({ task: 'spawn', init: true, ms: spawnMs }) },
  ];
  ctx.log(`in-process: ${ctx.cfg.inprocess.reps} rounds (module ${modulePath})`);
  alternate(entries, ctx.cfg.inprocess.reps, (e) => e.g.add(e.col, runJson(e.argv, { timeoutMs: 120000 })));
  return { groups: [cost, after, eld, spawn] };
}

module.exports = { runInprocess };
