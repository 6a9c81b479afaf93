#!/usr/bin/env node
'use strict';
// pid1's benchmark against tini, dumb-init and catatonit: every init runs
// as PID 1 of a fresh PID namespace on the same machine in the same run,
// in alternation, and is compared to tini by the median. Prints a table and
// writes bench/results.json and bench/chart.svg. See bench/README.md.
//
//   node bench/run.js [--quick] [--only storm,scale,signals,startup,inprocess]
//                     [--inits tini,dumb-init,catatonit,pid1] [--reps N]
//                     [--no-install] [--json FILE] [--svg FILE]
const fs = require('fs');
const path = require('path');
const { parseArgs } = require('util');

const machine = require('./lib/machine');
const inits = require('./lib/inits');
const helpers = require('./lib/helpers');
const { summarize, toJSON } = require('./lib/group');
const { groupLines, machineLines } = require('./lib/report');
const chart = require('./lib/chart');
const { runStorm, runScale, growthGroup } = require('./lib/suites/storm');
const { runSignals } = require('./lib/suites/signals');
const { runStartup } = require('./lib/suites/startup');
const { runInprocess } = require('./lib/suites/inprocess');
const { PLANS } = require('./lib/plans');

const ROOT = path.resolve(__dirname, '..');
// Start-up first: it is the most sensitive to the machine's state, and the
// storms leave a load average in the hundreds behind them (in the run on
// 7fe1cd2, measured last, node -e 0 took 106 ms against 91 ms in the run
// before). The in-process suite times its start-up before its own storm.
const SUITES = ['startup', 'inprocess', 'storm', 'scale', 'signals'];
const INITS = ['tini', 'dumb-init', 'catatonit', 'pid1'];

function list(value, allowed, name) {
  if (value === undefined) return null;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((s) => !allowed.includes(s));
  if (bad.length) throw new TypeError(`--${name} got ${JSON.stringify(bad.join(','))}; expected a comma-separated subset of ${allowed.join(',')}`);
  return items;
}

function options(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      inits: { type: 'string' },
      reps: { type: 'string' },
      'no-install': { type: 'boolean', default: false },
      json: { type: 'string', default: path.join(__dirname, 'results.json') },
      svg: { type: 'string', default: path.join(__dirname, 'chart.svg') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const mode = values.quick ? 'quick' : 'full';
  const cfg = JSON.parse(JSON.stringify(PLANS[mode]));
  cfg.mode = mode;
  if (values.reps !== undefined) {
    const n = Number(values.reps);
    if (!Number.isInteger(n) || n < 1) throw new TypeError(`--reps got ${JSON.stringify(values.reps)}; expected a positive integer`);
    cfg.reps = n;
    cfg.storm.reps = {};
    cfg.scale.reps = n;
    cfg.inprocess.reps = n;
  }
  return {
    help: values.help,
    cfg,
    only: list(values.only, SUITES, 'only') || SUITES,
    wanted: list(values.inits, INITS, 'inits'),
    install: !values['no-install'],
    jsonPath: path.resolve(values.json),
    svgPath: path.resolve(values.svg),
  };
}

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

function main() {
  const opts = options(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(fs.readFileSync(__filename, 'utf8').split('\n').slice(7, 10).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
    return 0;
  }
  const started = Date.now();
  const info = machine.describe();
  for (const line of machineLines(info)) console.log(line);
  if (info.load_at_start > info.nproc / 2) log(`warning: load average ${info.load_at_start.toFixed(2)} on ${info.nproc} CPUs; other work will skew the timings`);

  inits.checkNamespaces();
  const found = inits.resolve({ root: ROOT, install: opts.install, wanted: opts.wanted, log });
  for (const s of found.skipped) console.log(`skipped ${s.name}: ${s.reason}`);
  const cacheDir = path.join(ROOT, '.cache', 'bench');
  const bins = helpers.build(__dirname, cacheDir);
  const outFile = path.join(cacheDir, `result-${process.pid}.json`);
  const ctx = { cfg: opts.cfg, inits: found.inits, helpers: bins, root: ROOT, benchDir: __dirname, outFile, log };
  console.log(`mode: ${opts.cfg.mode}; inits: ${found.inits.map((i) => `${i.name} (${i.bin})`).join(', ') || 'none'}`);

  const suites = [];
  const groups = [];
  const show = (suite) => {
    suites.push(suite);
    console.log('');
    if (suite.skipped) console.log(`== ${suite.title}: skipped: ${suite.skipped}`);
    for (const g of suite.groups || []) {
      groups.push(g);
      console.log(groupLines(g).join('\n'));
    }
  };
  const needInits = found.inits.length > 0 ? null : 'no init available';
  for (const id of opts.only) {
    const t0 = Date.now();
    if (id === 'storm') show({ id, title: 'Orphan storm', skipped: needInits, groups: needInits ? [] : runStorm(ctx).map(summarize) });
    if (id === 'scale') {
      const pair = needInits ? [] : runScale(ctx).map(summarize);
      show({ id, title: 'Scale', skipped: needInits, groups: needInits ? [] : [...pair, summarize(growthGroup(pair[0], pair[1]))] });
    }
    if (id === 'signals') show({ id, title: 'Signal forwarding', skipped: needInits, groups: needInits ? [] : runSignals(ctx).map(summarize) });
    if (id === 'startup') show({ id, title: 'Start-up and memory', groups: runStartup(ctx).map(summarize) });
    if (id === 'inprocess') {
      const r = runInprocess(ctx);
      show({ id, title: 'In-process mode', skipped: r.skipped || null, groups: (r.groups || []).map(summarize) });
    }
    log(`${id} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  fs.rmSync(outFile, { force: true });
  info.load_at_end = machine.load1();
  info.duration_s = (Date.now() - started) / 1000;
  console.log('');
  console.log(`done in ${info.duration_s.toFixed(0)} s; ${machineLines(info)[1]}`);
  const results = {
    machine: info,
    config: opts.cfg,
    inits: found.inits.map((i) => ({ name: i.name, bin: i.bin })),
    skipped: found.skipped,
    suites: suites.map((s) => ({ id: s.id, title: s.title, skipped: s.skipped || null, groups: (s.groups || []).map(toJSON) })),
  };
  fs.writeFileSync(opts.jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(opts.svgPath, chart.render(groups, info));
  console.log(`wrote ${path.relative(process.cwd(), opts.jsonPath)} and ${path.relative(process.cwd(), opts.svgPath)}`);
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 1;
}
