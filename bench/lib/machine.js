'use strict';
// What the numbers were measured on.
const fs = require('fs');
const os = require('os');
const { execFileSync } = require('child_process');

function cpuModel() {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    return m ? m[1].trim() : os.cpus()[0]?.model || 'unknown';
  } catch {
    return 'unknown';
  }
}

function nproc() {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  }
}

/** The 1-minute load average: other work on this machine skews timings. */
function load1() {
  return os.loadavg()[0];
}

function describe() {
  return {
    nproc: nproc(),
    cpu: cpuModel(),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    pid_max: Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8')),
    load_at_start: load1(),
    date: new Date().toISOString(),
  };
}

module.exports = { describe, load1 };
