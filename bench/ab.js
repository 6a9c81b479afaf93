#!/usr/bin/env node
'use strict';
// A/B of start-up on a busy machine: node expressions (or the pid1 command)
// from two or more checkouts, run in alternation, compared by the median.
// Absolute times on a shared 2-core machine move with its load; ratios of
// interleaved runs move much less. Each run is one fresh node process
// under bench's spawnrun; a preload stamps performance.now() as the
// script starts (boot), after EXPR (work) and at 'exit', so the wall time
// splits into boot, work, until 'exit' and after it (tail: teardown).
//
//   node bench/ab.js [--reps N] [--pid1 [--floor]] EXPR_OR_DIR...
//
// Each argument is an expression (`require('/a/pid1').init()`), or with
// --pid1 a checkout whose dist/cli/cli.js runs `-- true` as PID 1 of a
// fresh PID namespace (its memory: wait4's maxrss, the largest in the tree).
// --floor adds `node -e 0`, PID 1 the same way, as the first column. The
// first column is the base of the ratios.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { parseArgs } = require('util');
const helpers = require('./lib/helpers');
const { median } = require('./lib/stats');
const { asInitCommand } = require('../test/kit');

const { values, positionals } = parseArgs({
  options: { reps: { type: 'string', default: '21' }, pid1: { type: 'boolean', default: false }, floor: { type: 'boolean', default: false } },
  allowPositionals: true,
});
if (values.floor && !values.pid1) throw new Error('--floor goes with --pid1');
if (positionals.length === 0) throw new Error('usage: node bench/ab.js [--reps N] [--pid1] EXPR_OR_DIR...');
const bins = helpers.build(__dirname, path.join(__dirname, '..', '.cache', 'bench'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-ab-'));
const mark = path.join(dir, 'mark.js');
fs.writeFileSync(
  mark,
  `const { performance: p } = require('perf_hooks'); const fs = require('fs');
globalThis.__abWork = (f) => { const t0 = p.now(); f(); globalThis.__abDone = [t0, p.now()]; };
const boot = p.now();
process.on('exit', () => { const [t0, t1] = globalThis.__abDone || [boot, boot]; fs.writeSync(2, '\\n' + JSON.stringify({ boot: t0, work: t1 - t0, exitAt: p.now() }) + '\\n'); });\n`,
);

const FLOOR = 'node -e 0';
function argvOf(arg) {
  if (arg === FLOOR) return asInitCommand([process.execPath, '-r', mark, '-e', '0']);
  if (values.pid1) return asInitCommand([process.execPath, '-r', mark, path.join(arg, 'dist', 'cli', 'cli.js'), '--', 'true']);
  return [process.execPath, '-r', mark, '-e', `globalThis.__abWork(() => { ${arg}; })`];
}

const columns = [...(values.floor ? [FLOOR] : []), ...positionals].map((arg) => ({ arg, argv: argvOf(arg), rows: [] }));
const reps = Number(values.reps);
for (let i = 0; i < reps; i++) {
  for (const c of i % 2 ? [...columns].reverse() : columns) {
    const r = spawnSync(bins.spawnrun, c.argv, { encoding: 'utf8' });
    const run = JSON.parse(r.stdout.trim());
    if (run.exit_code !== 0) throw new Error(`${c.arg}: exit code ${run.exit_code}\n${r.stderr}`);
    const marks = JSON.parse(r.stderr.trim().split('\n').filter((l) => l.startsWith('{')).pop());
    const wall = run.wall_ns / 1e6;
    c.rows.push({ boot: marks.boot, work: marks.work, toExit: marks.exitAt - marks.boot - marks.work, tail: wall - marks.exitAt, wall, cpu: (run.utime_us + run.stime_us) / 1000, maxrss: run.maxrss_kb / 1024 });
  }
}
fs.rmSync(dir, { recursive: true, force: true });

const KEYS = ['work', 'boot', 'toExit', 'tail', 'wall', 'cpu', 'maxrss'];
const med = (c, k) => median(c.rows.map((r) => r[k]));
console.log(`${reps} interleaved runs each, medians (ms; maxrss MiB), ratio to the first in ()`);
for (const c of columns) {
  console.log(KEYS.map((k) => `${k} ${med(c, k).toFixed(k === 'maxrss' ? 2 : 1)}${c === columns[0] ? '' : ` (x${(med(c, k) / med(columns[0], k)).toFixed(2)})`}`).join('  '), ` ${c.arg}`);
}
