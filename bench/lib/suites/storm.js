'use strict';
// Workload 1 (orphan storm) and 4 (the same storm while the init has many
// live children). See bench/storm.c for the mechanics and bench/README.md
// for what each number means.
const { createGroup } = require('../group');
const { runJson, alternate } = require('../trial');

const STORM_METRICS = [
  { key: 'drain_ms', label: 'wall: release → last zombie reaped', unit: 'ms', chart: true },
  { key: 'reaps_per_s', label: 'reaps per second (N / wall)', unit: '/s', better: 'higher' },
  { key: 'cpu_us_per_reap', label: 'init CPU per reaped process', unit: 'µs', chart: true },
  { key: 'leftover', label: 'zombies left (worst run)', unit: '', agg: 'max', noRatio: true },
  { key: 'init_hwm_mb', label: 'init peak RSS after the storm', unit: 'MiB' },
];

function deriveStorm(d) {
  return {
    drain_ms: d.drain_ns / 1e6,
    reaps_per_s: d.drain_ns > 0 ? d.n / (d.drain_ns / 1e9) : null,
    cpu_us_per_reap: d.cpu_per_reap_ns / 1000,
    leftover: d.zombies_left + d.unreaped + (d.live_unreaped || 0),
    init_hwm_mb: d.init_hwm_kb / 1024,
    live_drain_ms: d.live ? d.live_drain_ns / 1e6 : null,
    live_cpu_us_per_reap: d.live ? d.live_cpu_ns / d.live / 1000 : null,
  };
}

/** bench/storm.c's command line for a storm of `n` orphans beside `live` sleepers (ctx: helpers, cfg, outFile). */
function stormArgv(ctx, n, live) {
  const s = ctx.cfg.storm;
  return [ctx.helpers.storm, '-n', String(n), '-b', String(s.burst), '-w', String(s.wave), '-l', String(live), '-t', String(s.waveTimeoutMs), '-o', ctx.outFile];
}

function runStorm(ctx) {
  const names = ctx.inits.map((i) => i.name);
  const groups = [];
  for (const n of ctx.cfg.storm.ns) {
    const g = createGroup({
      id: `storm-${n}`,
      short: `Orphan storm, N=${n}`,
      title: `Orphan storm, N=${n} (bursts of ${Math.min(n, ctx.cfg.storm.burst)}, waves of ≤${ctx.cfg.storm.wave})`,
      columns: names,
      baseline: 'tini',
      metrics: STORM_METRICS,
      derive: deriveStorm,
    });
    const reps = ctx.cfg.storm.reps?.[n] ?? ctx.cfg.reps;
    ctx.log(`storm N=${n}: ${reps} rounds of ${names.join(', ')}`);
    alternate(ctx.inits, reps, (init) => g.add(init.name, runJson(init.argv(stormArgv(ctx, n, 0)), { timeoutMs: ctx.cfg.storm.trialTimeoutMs, outFile: ctx.outFile })));
    groups.push(g);
  }
  return groups;
}

function runScale(ctx) {
  const { n, live, reps } = ctx.cfg.scale;
  const names = ctx.inits.map((i) => i.name);
  const common = { columns: names, baseline: 'tini', derive: deriveStorm };
  const quiet = createGroup({ ...common, id: `scale-${n}-0`, short: `Scale: N=${n}, no live children`, title: `Scale: storm N=${n}, init has no other children`, metrics: STORM_METRICS.slice(0, 4) });
  const busy = createGroup({
    ...common,
    id: `scale-${n}-${live}`,
    short: `Scale: N=${n}, ${live} live children`,
    title: `Scale: storm N=${n} while the init has ${live} live adopted children`,
    metrics: [
      ...STORM_METRICS.slice(0, 4),
      { key: 'live_drain_ms', label: `wall: reap the ${live} sleepers at the end`, unit: 'ms' },
      { key: 'live_cpu_us_per_reap', label: 'init CPU per sleeper reaped', unit: 'µs' },
    ],
  });
  // Both variants in the same rounds, so the growth ratio compares runs made
  // under the same machine state.
  const entries = ctx.inits.flatMap((init) => [{ init, live: 0, g: quiet }, { init, live, g: busy }]);
  ctx.log(`scale N=${n}, live=0 and live=${live}: ${reps} rounds`);
  alternate(entries, reps, (e) => e.g.add(e.init.name, runJson(e.init.argv(stormArgv(ctx, n, e.live)), { timeoutMs: ctx.cfg.storm.trialTimeoutMs * 2, outFile: ctx.outFile })));
  return [quiet, busy];
}

/** growth = busy / quiet per init, from the two groups' summaries. */
function growthGroup(quiet, busy) {
  const g = createGroup({
    id: `${busy.id}-growth`,
    short: 'Scale: growth with live children (1.0 = flat)',
    title: 'Scale: cost with live children ÷ cost without (1.0 = does not grow)',
    columns: quiet.columns,
    baseline: 'tini',
    metrics: [
      { key: 'cpu_growth', label: 'init CPU per reap, growth', unit: '×', chart: true },
      { key: 'drain_growth', label: 'storm wall time, growth', unit: '×' },
    ],
    derive: (x) => x,
  });
  for (const c of g.columns) {
    const q = quiet.summary[c];
    const b = busy.summary[c];
    if (!q || !b) continue;
    g.add(c, { data: { cpu_growth: b.cpu_us_per_reap / q.cpu_us_per_reap, drain_growth: b.drain_ms / q.drain_ms }, error: null });
  }
  return g;
}

module.exports = { runStorm, runScale, growthGroup, stormArgv };
