'use strict';
// An app that uses pid1 in-process. The harness runs it as PID 1 of a fresh
// PID namespace with one JSON argument:
//   { module, init: bool, task: 'idle' | 'storm' | 'spawn', ms, storm: argv }
// and reads the one JSON line it prints.
//   idle:  event-loop delay over `ms` with nothing happening
//   storm: event-loop delay while the storm workload (bench/storm.c) makes
//          orphans that this process, as PID 1, must reap through init()
//   spawn: child_process.spawn('true') one after another for `ms`
const { spawn } = require('child_process');
const { monitorEventLoopDelay } = require('perf_hooks');

const opts = JSON.parse(process.argv[2]);
const SPAWN_HANG_MS = 5000;

function eldSummary(h) {
  const ms = (ns) => ns / 1e6;
  return { p50_ms: ms(h.percentile(50)), p99_ms: ms(h.percentile(99)), max_ms: ms(h.max), mean_ms: ms(h.mean), samples: h.count };
}

function runChild(argv) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.on('error', (error) => resolve({ code: null, out, error }));
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

async function measureEld(work) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const result = await work();
  h.disable();
  return { eld: eldSummary(h), ...result };
}

async function spawnLoop(ms) {
  let done = 0;
  let failed = 0;
  let hung = 0;
  const end = Date.now() + ms;
  const t0 = process.hrtime.bigint();
  while (Date.now() < end) {
    const ok = await new Promise((resolve) => {
      const timer = setTimeout(() => {
        hung++;
        resolve(false);
      }, SPAWN_HANG_MS);
      const child = spawn('true', [], { stdio: 'ignore' });
      child.on('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code === 0);
      });
    });
    if (ok) done++;
    else failed++;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { spawned: done + failed, completed: done, failed: failed - hung, hung, per_s: done / secs };
}

async function main() {
  if (opts.init) {
    const started = require(opts.module).init();
    if (started && typeof started.then === 'function') await started;
  }
  let out;
  if (opts.task === 'idle') {
    out = await measureEld(() => new Promise((r) => setTimeout(() => r({}), opts.ms)));
  } else if (opts.task === 'storm') {
    out = await measureEld(async () => {
      const r = await runChild(opts.storm);
      const line = r.out.trim().split('\n').pop();
      return { storm: line && line.startsWith('{') ? JSON.parse(line) : null, storm_exit: r.code };
    });
  } else if (opts.task === 'spawn') {
    out = { eld: null, spawn: await spawnLoop(opts.ms) };
  } else {
    throw new TypeError(`task must be 'idle', 'storm' or 'spawn', received ${JSON.stringify(opts.task)}`);
  }
  process.stdout.write(`${JSON.stringify({ task: opts.task, init: opts.init, pid: process.pid, ...out })}\n`);
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
