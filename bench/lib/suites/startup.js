'use strict';
// Workload 3: `INIT -- true` wall time and the init's memory, against the
// floors of no init at all and of a bare Node.js.
const { createGroup } = require('../group');
const { runJson, runTimed, afterStartGroup, alternate } = require('../trial');
const { bare } = require('../inits');

function runStartup(ctx) {
  const { helpers } = ctx;
  const node = process.execPath;
  // Each column: how to time it, and how to learn its memory. For an init,
  // memory is PID 1's VmHWM read by its child (initstat); for the node
  // floors it is wait4's ru_maxrss of the node process itself.
  const columns = [
    { name: 'no init', timed: bare(['true']), mem: null },
    ...ctx.inits.map((i) => ({ name: i.name, timed: i.argv(['true']), mem: i.argv([helpers.initstat, ctx.outFile]) })),
    { name: 'node -e 0 (PID 1)', timed: bare([node, '-e', '0']), mem: 'maxrss' },
    { name: 'node -e 0 (bare)', timed: [node, '-e', '0'], mem: 'maxrss' },
  ];
  const g = createGroup({
    id: 'startup',
    short: 'Start-up: INIT -- true',
    title: 'Start-up: `unshare --pid --fork --mount-proc --kill-child INIT -- true`',
    note: '"no init": true itself is PID 1; "node -e 0 (PID 1)" runs in the same kind of namespace, "(bare)" without one',
    columns: columns.map((c) => c.name),
    baseline: 'tini',
    metrics: [
      { key: 'wall_ms', label: 'wall time, median', unit: 'ms', chart: true },
      { key: 'wall_ms_p90', label: 'wall time, p90', unit: 'ms', agg: 'p90' },
      { key: 'cpu_ms', label: 'CPU (user+sys, whole tree)', unit: 'ms' },
      { key: 'init_mb', label: 'init peak RSS (VmHWM) / node maxrss', unit: 'MiB', chart: true },
      { key: 'tree_mb', label: 'largest RSS in the tree (wait4)', unit: 'MiB' },
    ],
    derive: (d) => d,
  });
  ctx.log(`startup: ${ctx.cfg.startup.reps} rounds of ${g.columns.join(', ')}`);
  alternate(columns, ctx.cfg.startup.reps, (c) => {
    const r = runTimed(helpers.spawnrun, c.timed);
    const d = r.data;
    g.add(c.name, {
      error: r.error,
      data: d && {
        wall_ms: d.wall_ns / 1e6,
        wall_ms_p90: d.wall_ns / 1e6,
        cpu_ms: (d.utime_us + d.stime_us) / 1000,
        tree_mb: d.maxrss_kb / 1024,
        init_mb: c.mem === 'maxrss' ? d.maxrss_kb / 1024 : null,
      },
    });
  });
  ctx.log(`memory: ${ctx.cfg.startup.memReps} rounds`);
  const memCols = columns.filter((c) => Array.isArray(c.mem));
  const mem = {};
  alternate(memCols, ctx.cfg.startup.memReps, (c) => {
    const r = runJson(c.mem, { timeoutMs: 30000, outFile: ctx.outFile });
    if (r.error) g.errors[c.name].push(`initstat: ${r.error}`);
    if (r.data) (mem[c.name] = mem[c.name] || []).push(r.data.init_hwm_kb / 1024);
  });
  // Memory samples are fewer than timing samples: attach them one per
  // sample row so that the median is taken over the memory runs only.
  for (const c of memCols) {
    (mem[c.name] || []).forEach((v, i) => {
      if (g.samples[c.name][i]) g.samples[c.name][i].init_mb = v;
    });
  }
  return [g, afterStart(ctx)];
}

// The same comparison without Node's own start, which is most of `node -e
// 0` here and most of the spread between runs of one command (80 to 130 ms
// on this 2-CPU VM): from the first line of user code to the end of the
// process tree (runAfterStart in ../trial.js).
function afterStart(ctx) {
  const pid1 = ctx.inits.find((i) => i.name === 'pid1');
  const columns = [
    { name: 'node -e 0 (PID 1)', argv: bare([process.execPath, '-e', '0']) },
    ...(pid1 ? [{ name: 'pid1', argv: pid1.argv(['true']) }] : []),
  ];
  return afterStartGroup(ctx, {
    id: 'startup-after-node',
    short: "Start-up after Node's own",
    title: "Start-up after Node's own: `pid1 -- true` and `node -e 0`, both PID 1, from the first line of user code to the end",
    columns,
  });
}

module.exports = { runStartup };
