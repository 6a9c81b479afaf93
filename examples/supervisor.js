#!/usr/bin/env node
'use strict';
// A small supervisor built only from pid1's exports:
//   node examples/supervisor.js COMMAND [ARGS...]
// Runs COMMAND; restarts it when it fails (exit code other than 0, or a
// signal) after a backoff that doubles up to 30 s and starts again from the
// beginning once a run lasted a minute; exits 0 once it succeeds. SIGTERM or
// SIGINT stops the command and everything it started, daemons included (in
// a cgroup of its own where one can be made), then exits 143 / 130.
// SUPERVISOR_BACKOFF_MS sets the first delay (default 100).
const { setTimeout: delay } = require('timers/promises');
const { init, spawn } = require('pid1');

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  console.error('usage: supervisor.js COMMAND [ARGS...]');
  process.exit(2);
}
const FIRST_DELAY_MS = Number(process.env.SUPERVISOR_BACKOFF_MS ?? 100);
const MAX_DELAY_MS = 30000;
const STABLE_MS = 60000;

// Reaps what the command orphans. forward: [] leaves SIGTERM and SIGINT to
// the listeners below: the stop is ours, not a forward.
init({ forward: [], logger: false });

const stopping = new AbortController();
let stopSignal = null;
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    stopSignal ??= signal;
    stopping.abort();
  });
}

let cgroups = true;

function start() {
  if (cgroups) {
    try {
      return spawn(command, args, { cgroup: true });
    } catch (error) {
      if (error.code !== 'ERR_PID1_NO_CGROUP') throw error;
      cgroups = false; // stopTree() then reaches what /proc shows
    }
  }
  return spawn(command, args);
}

async function main() {
  let failures = 0;
  while (!stopping.signal.aborted) {
    const startedAt = Date.now();
    const child = start();
    console.error(`supervisor: started ${command} (pid ${child.pid}${cgroups ? ', in a cgroup of its own' : ''})`);
    // A second SIGTERM during the stop ends its grace period: SIGKILL now.
    const hurry = new AbortController();
    let stopped = null;
    const onStop = () => {
      process.on('SIGTERM', () => hurry.abort());
      stopped = child.stopTree({ gracePeriodMs: 10000, abortSignal: hurry.signal });
    };
    stopping.signal.addEventListener('abort', onStop, { once: true });
    const status = await child.exited;
    stopping.signal.removeEventListener('abort', onStop);
    if (stopped !== null) {
      const report = await stopped;
      console.error(`supervisor: stopped ${report.exited.length + report.killed.length} processes, ${report.killed.length} with SIGKILL`);
    }
    child.close();
    if (stopping.signal.aborted) break;
    if (status.exitCode === 0) {
      console.error('supervisor: done');
      return 0;
    }
    failures = Date.now() - startedAt >= STABLE_MS ? 1 : failures + 1;
    const wait = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - 1));
    console.error(`supervisor: ${command} failed (${status.signal ?? `exit code ${status.exitCode}`}); restart ${failures} in ${wait} ms`);
    try {
      await delay(wait, undefined, { signal: stopping.signal });
    } catch {
      break; // stopped while waiting
    }
  }
  return stopSignal === 'SIGINT' ? 130 : 143;
}

main().then((code) => process.exit(code));
