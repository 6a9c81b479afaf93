#!/usr/bin/env node
'use strict';
// The README's benchmark tables, made from a results.json that
// `node bench/run.js` wrote (default bench/results.json), so that every
// figure there is one this command prints:
//
//   node bench/summary.js [results.json]
//
// Medians over the run's rounds; an init's cell is its ratio to tini's
// median (to the floor named in the row for the start-up rows).
const path = require('path');
const { fmt } = require('./lib/report');

const file = path.resolve(process.argv[2] || path.join(__dirname, 'results.json'));
const results = require(file);
const groups = new Map(results.suites.flatMap((s) => s.groups || []).map((g) => [g.id, g]));
const INITS = ['tini', 'dumb-init', 'catatonit', 'pid1'];

const median = (g, col, key) => g?.summary?.[col]?.[key];
const ratio = (g, col, key, base) => {
  const a = median(g, col, key);
  const b = median(g, base, key);
  return a === undefined || b === undefined || b === 0 ? '—' : `${(a / b).toFixed(2)}×`;
};

function initRow(label, id, metrics) {
  const g = groups.get(id);
  if (g === undefined) return null;
  const cells = INITS.map((init) => {
    if (!g.columns.includes(init)) return '—';
    return metrics.map(([key, unit]) => (init === 'tini' ? fmt(median(g, init, key), unit) : ratio(g, init, key, 'tini'))).join(' / ');
  });
  return `| ${label} | ${cells.join(' | ')} |`;
}

const m = results.machine;
const lines = [
  `From \`${path.relative(process.cwd(), file)}\`: ${m.date.slice(0, 10)}, ${m.nproc} CPUs ${m.cpu}, ${m.kernel}, Node ${m.node.replace(/^v/, '')}, load average ${m.load_at_start} at the start; ${results.config.mode ?? ''}`.replace(/; $/, ''),
  '',
  `| workload | ${INITS.join(' | ')} |`,
  `|---|${INITS.map(() => '---').join('|')}|`,
];
const storms = [...groups.keys()].filter((id) => /^storm-\d+$/.test(id)).sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
for (const id of storms) lines.push(initRow(`${Number(id.slice(6)).toLocaleString('en-US')} orphans: wall / init CPU per reap`, id, [['drain_ms', 'ms'], ['cpu_us_per_reap', 'µs']]));
const scale = [...groups.keys()].find((id) => /^scale-\d+-[1-9]\d*$/.test(id));
if (scale) {
  const [, n, live] = scale.split('-');
  lines.push(initRow(`${Number(n).toLocaleString('en-US')} orphans beside ${Number(live).toLocaleString('en-US')} live children`, scale, [['drain_ms', 'ms'], ['cpu_us_per_reap', 'µs']]));
}
lines.push(initRow('SIGUSR1 every 1 ms: latency p50 / p99', 'signals-paced', [['p50_us', 'µs'], ['p99_us', 'µs']]));
lines.push(initRow('init CPU per forwarded signal', 'signals-paced', [['cpu_us_per_signal', 'µs']]));
lines.push(initRow('`INIT -- true`: wall / init peak RSS', 'startup', [['wall_ms', 'ms'], ['init_mb', 'MiB']]));
lines.push('');

// Node's own cost, and what each face adds to it.
const over = (g, col, base, key, unit) => {
  const a = median(g, col, key);
  const b = median(g, base, key);
  return a === undefined || b === undefined ? '—' : `${fmt(b, unit)} → ${fmt(a, unit)} (+${fmt(a - b, unit)})`;
};
const startup = groups.get('startup');
const startupAfter = groups.get('startup-after-node');
const inStart = groups.get('inprocess-startup');
const inAfter = groups.get('inprocess-after-node');
const eld = groups.get('inprocess-eld');
const spawn = groups.get('inprocess-spawn');
// "After Node's own start": from the first line of user code to the end of
// the process tree (bench/marks.js), without the 80-odd ms of Node's own
// start, which is the same work on both sides and most of the spread
// between runs.
lines.push("| what pid1 adds to Node | wall time | after Node's own start | peak RSS |", '|---|---|---|---|');
// Peak RSS over the whole life of each process (wait4's ru_maxrss, what
// /usr/bin/time -f %M prints): for pid1, the largest process of its tree is
// node itself. The workload table's VmHWM is read while the child runs, and
// misses what the command adds as it reaps and exits.
if (startup) lines.push(`| \`pid1 -- true\` over \`node -e 0\`, both PID 1 | ${over(startup, 'pid1', 'node -e 0 (PID 1)', 'wall_ms', 'ms')} | ${over(startupAfter, 'pid1', 'node -e 0 (PID 1)', 'after_ms', 'ms')} | ${over(startup, 'pid1', 'node -e 0 (PID 1)', 'tree_mb', 'MiB')} |`);
if (inStart) lines.push(`| \`init()\` in an app that loads child_process, PID 1 | ${over(inStart, 'init() app', 'child_process app', 'wall_ms', 'ms')} | ${over(inAfter, 'init() app', 'child_process app', 'after_ms', 'ms')} | ${over(inStart, 'init() app', 'child_process app', 'rss_mb', 'MiB')} |`);
lines.push('');
if (eld && eld.columns.includes('storm, tini')) {
  lines.push(
    `During a ${Number(eld.title.match(/(\d+) orphans/)?.[1]).toLocaleString('en-US')}-orphan storm the app's event-loop delay p99 is ${fmt(median(eld, 'storm, init()', 'eld_p99_ms'), 'ms')} with \`init()\` reaping, against ${fmt(median(eld, 'storm, tini', 'eld_p99_ms'), 'ms')} for the same app without it under tini (${ratio(eld, 'storm, init()', 'eld_p99_ms', 'storm, tini')}); ${fmt(median(eld, 'idle, init()', 'eld_p99_ms'), 'ms')} idle.`,
  );
}
if (spawn) lines.push(`\`child_process.spawn\` runs at ${ratio(spawn, 'with init', 'per_s', 'without init')} the rate without \`init()\` (${fmt(median(spawn, 'with init', 'per_s'), '/s')}).`);
console.log(lines.filter((l) => l !== null).join('\n'));
