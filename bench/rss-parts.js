#!/usr/bin/env node
'use strict';
// Where the peak RSS that pid1 adds goes, mapping by mapping. Runs each
// expression (or, with --pid1, `node dist/cli/cli.js -- true` beside
// `node -e 0`) as PID 1 of a fresh PID namespace, with a preload that reads
// /proc/self/smaps as the process exits, and prints what the second adds to
// the first: per mapping (node's code and read-only data, the addon, the
// heap...) and, inside node's own file, per ELF section (from
// /proc/self/pagemap and readelf; read-only data), medians over the runs.
//
//   node bench/rss-parts.js [--reps N] [BASE_EXPR [EXPR]]
//   node bench/rss-parts.js --pid1 [--reps N]
//
// Default: the bench's app, bench/startup-app.js, without and with this
// checkout's init(); with expressions, `node -e` of each. PREBUILDS_ONLY=1
// measures the prebuilt addon, as an install from npm has it.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { parseArgs } = require('util');
const { median } = require('./lib/stats');
const { asInitCommand } = require('../test/kit');

const ROOT = path.resolve(__dirname, '..');
const { values, positionals } = parseArgs({ options: { reps: { type: 'string', default: '5' }, pid1: { type: 'boolean', default: false } }, allowPositionals: true });
const reps = Number(values.reps);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-rss-parts-'));
const preload = path.join(dir, 'smaps.js');
// At exit, once every 'exit' listener has run (pid1's own included: it
// stops and reaps there): Rss per mapping (file and permissions), and which
// pages of node's own file are present.
fs.writeFileSync(
  preload,
  `const fs = require('fs');
const emit = process.emit;
process.emit = function (name, ...args) {
  const result = emit.call(this, name, ...args);
  if (name === 'exit') measure();
  return result;
};
function measure() {
  const rss = {};
  let key = null;
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\\S+) ([0-9a-f]+) \\S+ \\d+\\s*(.*)$/.exec(line);
    if (head) key = (head[5] || '[anon]') + ' ' + head[3];
    else if (line.startsWith('Rss:')) rss[key] = (rss[key] || 0) + parseInt(line.slice(4), 10);
  }
  const pages = [];
  const fd = fs.openSync('/proc/self/pagemap', 'r');
  for (const line of fs.readFileSync('/proc/self/maps', 'utf8').split('\\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \\S+ ([0-9a-f]+) \\S+ \\d+\\s+(.*)$/.exec(line);
    if (!m || m[4] !== process.execPath) continue;
    const start = parseInt(m[1], 16) / 4096, n = parseInt(m[2], 16) / 4096 - start, first = parseInt(m[3], 16) / 4096;
    const buf = Buffer.alloc(n * 8);
    for (let got = 0; got < n * 8; ) got += fs.readSync(fd, buf, got, n * 8 - got, start * 8 + got);
    for (let i = 0; i < n; i++) if (buf.readBigUInt64LE(i * 8) >> 63n) pages.push(first + i);
  }
  fs.writeFileSync(process.env.PID1_RSS_PARTS_OUT, JSON.stringify({ rss, pages }));
}
`,
);

function run(argv) {
  const out = path.join(dir, 'out.json');
  const [program, ...args] = asInitCommand(argv);
  const r = spawnSync(program, args, { encoding: 'utf8', env: { ...process.env, PID1_RSS_PARTS_OUT: out } });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: status ${r.status}: ${r.stderr}`);
  return JSON.parse(fs.readFileSync(out, 'utf8'));
}

// node's sections by file offset, for the pages of its own file.
function sections() {
  const r = spawnSync('readelf', ['-S', '-W', process.execPath], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`readelf: ${r.stderr || r.error}`);
  return r.stdout
    .split('\n')
    .map((l) => /^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+(\S*)/.exec(l))
    // Read-only data only: the executable mapping is smaps' row, whole.
    .filter((m) => m && !m[4].includes('X'))
    .map((m) => ({ name: m[1], from: parseInt(m[2], 16), to: parseInt(m[2], 16) + parseInt(m[3], 16) }));
}

const secs = sections();
function bySection(pages) {
  const out = {};
  for (const p of pages) {
    const s = secs.find((x) => p * 4096 >= x.from && p * 4096 < x.to);
    if (s) out[`${path.basename(process.execPath)} ${s.name}`] = (out[`${path.basename(process.execPath)} ${s.name}`] || 0) + 4;
  }
  return out;
}

const argvs = values.pid1
  ? [
      [process.execPath, '-r', preload, '-e', '0'],
      [process.execPath, '-r', preload, path.join(ROOT, 'dist', 'cli', 'cli.js'), '--', 'true'],
    ]
  : positionals.length === 0
    ? [[], [ROOT]].map((args) => [process.execPath, '-r', preload, path.join(__dirname, 'startup-app.js'), ...args])
    : [positionals[0], positionals[1] ?? `${positionals[0]}; require(${JSON.stringify(ROOT)}).init()`].map((e) => [process.execPath, '-r', preload, '-e', e]);

// Interleaved runs; the median of each part over them.
const samples = [[], []];
for (let i = 0; i < reps; i++) argvs.forEach((argv, k) => samples[k].push(run(argv)));
function medians(list, pick) {
  const keys = new Set(list.flatMap((s) => Object.keys(pick(s))));
  return Object.fromEntries([...keys].map((k) => [k, median(list.map((s) => pick(s)[k] || 0))]));
}
const short = (k) => k.replace(ROOT + path.sep, '').replace(process.execPath, path.basename(process.execPath));
const rows = [];
for (const [label, pick] of [
  ['mapping', (s) => s.rss],
  ['section', (s) => bySection(s.pages)],
]) {
  const base = medians(samples[0], pick);
  const more = medians(samples[1], pick);
  for (const k of new Set([...Object.keys(base), ...Object.keys(more)])) {
    const d = (more[k] || 0) - (base[k] || 0);
    if (Math.abs(d) >= 16) rows.push({ label, part: short(k), kib: d });
  }
}
const total = (list) => median(list.map((s) => Object.values(s.rss).reduce((a, b) => a + b, 0)));
console.log(`${argvs[1].slice(3).join(' ')}\n  over ${argvs[0].slice(3).join(' ')}, PID 1, ${reps} runs each, medians (KiB)`);
for (const { label, part, kib } of rows.sort((a, b) => (a.label === b.label ? b.kib - a.kib : a.label < b.label ? -1 : 1))) {
  console.log(`${label.padEnd(8)} ${String(kib > 0 ? `+${kib}` : kib).padStart(7)}  ${part}`);
}
console.log(`total    ${String(total(samples[1]) - total(samples[0])).padStart(7)}  (RSS at exit, all mappings)`);
fs.rmSync(dir, { recursive: true, force: true });
