#!/usr/bin/env node
// Soak: many orphans and forwarded signals through the pid1 command and
// through init(), each as PID 1 of a fresh PID namespace, with a count at the
// end showing nothing was lost and the init's RSS sampled along the way. Not
// part of `npm test`.
//
//   node scripts/soak.js [--orphans 200000] [--signals 1000000] [--wave 2000]
//                        [--window 2000] [--only cli|init] [--max-growth-kb 20480]
//
// The workload is scripts/faults/soak.c (built here into build/soak). Signals
// are real-time (SIGRTMIN+1), which queue, so every delivery is counted. The
// run fails when an orphan is not reaped (per-wave check in the workload, and
// the init's own reap count), a signal is lost, or the init's RSS grows by
// more than --max-growth-kb within a phase, from its half-way sample to its
// end (V8 grows its heap lazily at first, so earlier samples only inform).
'use strict';
const { execFileSync, spawn } = require('child_process');
const path = require('path');
const { lastJsonLine, runFixture } = require('../test/kit');
const { compiled } = require('../test/kit/build');

const ROOT = path.resolve(__dirname, '..');

function options(argv) {
  const o = { orphans: 200000, signals: 1000000, wave: 2000, window: 2000, only: null, maxGrowthKb: 20480, timeoutMs: 1800000 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-(\w)/g, (_, c) => c.toUpperCase());
    if (!(key in o)) throw new Error(`unknown option ${argv[i]}`);
    o[key] = key === 'only' ? argv[i + 1] : Number(argv[i + 1]);
  }
  return o;
}

function helper() {
  return compiled(path.join(ROOT, 'scripts', 'faults', 'soak.c'), { outDir: path.join(ROOT, 'build') });
}

// As the init app of the init() run: forwards SIGRTMIN+1 to its children,
// counts reaps, runs the workload through child_process.
function asInit(args) {
  const pid1 = require(ROOT);
  let reaps = 0;
  const node = pid1.init({ forward: ['SIGRTMIN+1'], logger: false, onSignal: 'manual' });
  node.on('reap', () => reaps++);
  const child = spawn(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  child.on('close', (code) => {
    const result = lastJsonLine(out);
    // Reap events are delivered in batches: let the last one arrive.
    setTimeout(() => {
      console.log(JSON.stringify({ ...result, initReaps: reaps, exitCode: code }));
      node.close();
    }, 200);
  });
}

async function run(name, argv, o) {
  const started = Date.now();
  const r = await runFixture(null, { command: argv, timeoutMs: o.timeoutMs });
  const reapWarnings = r.stderr.split('\n').filter((line) => line.startsWith('pid1: reaped zombie')).length;
  return { name, status: r.status, signal: r.signal, seconds: (Date.now() - started) / 1000, result: r.json ?? null, reapWarnings, errTail: r.stderr.slice(-2000) };
}

function judge(r, o) {
  const problems = [];
  if (r.result === null) problems.push(`no result (status ${r.status}, signal ${r.signal}): ${r.errTail}`);
  else {
    if (r.result.signalsReceived !== o.signals) problems.push(`signals: sent ${o.signals}, received ${r.result.signalsReceived}`);
    if (r.result.orphans !== o.orphans) problems.push(`orphans: ${r.result.orphans} of ${o.orphans}`);
    if (r.name === 'init' && r.result.initReaps !== o.orphans) problems.push(`init() reported ${r.result.initReaps} reaps for ${o.orphans} orphans`);
    if (r.name === 'cli' && r.reapWarnings < o.orphans) problems.push(`the command logged ${r.reapWarnings} reaps for ${o.orphans} orphans`);
    // Samples: start, 4 orphan quarters, 4 signal quarters, end. Each phase
    // is judged from its half-way sample to its end: V8 grows its heap lazily
    // in the first half (seen: +20 MB, then flat for the rest of 1M signals).
    const rss = r.result.rssKb;
    for (const [phase, from, to] of [['orphans', 2, 4], ['signals', 6, rss.length - 1]]) {
      const growth = rss[to] - rss[from];
      if (growth > o.maxGrowthKb) problems.push(`RSS grew by ${growth} kB during the ${phase} phase: ${rss.join(', ')}`);
    }
  }
  return problems;
}

async function main() {
  if (process.argv[2] === '--as-init') return asInit(process.argv.slice(3));
  const o = options(process.argv.slice(2));
  const soak = helper();
  const sig = String(Number(execFileSync(process.execPath, ['-p', `require(${JSON.stringify(ROOT)}).SIGRTMIN + 1`]).toString()));
  const work = [soak, String(o.orphans), String(o.wave), String(o.signals), sig, String(o.window)];
  const runs = [];
  if (o.only !== 'init') runs.push(['cli', [process.execPath, path.join(ROOT, 'dist', 'cli', 'cli.js'), '-w', '--', ...work]]);
  if (o.only !== 'cli') runs.push(['init', [process.execPath, __filename, '--as-init', ...work]]);
  let failed = false;
  for (const [name, argv] of runs) {
    const r = await run(name, argv, o);
    const problems = judge(r, o);
    failed ||= problems.length > 0;
    console.log(JSON.stringify({ run: name, seconds: r.seconds, ...r.result, reapLogLines: name === 'cli' ? r.reapWarnings : undefined, problems }));
  }
  process.exit(failed ? 1 : 0);
}

main();
