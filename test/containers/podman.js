'use strict';
// podman for one OCI runtime, with what this kind of sandbox needs
// (README.md, "How pid1 is tested"): rlimits and the runtime come from a
// CONTAINERS_CONF file written by setup.sh, and crun, which refuses a host
// that mounts cgroup2 beside cgroup v1 ("hybrid mode"), runs in a private
// mount namespace where that mount is hidden.
const { spawn } = require('child_process');
const fs = require('fs');

const HYBRID_CGROUPS = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
  .some((line) => line.split(' ')[4] === '/sys/fs/cgroup/unified' && line.includes(' - cgroup2 '));

// The harness's own bound on a step that never comes, so that a hang fails
// with what was read instead of blocking the run. Not a measure of anything.
const STEP_TIMEOUT_MS = 60000;

class Podman {
  constructor(runtime, conf) {
    this.runtime = runtime;
    this.env = { ...process.env, CONTAINERS_CONF: conf };
  }

  argv(args) {
    if (this.runtime !== 'crun' || !HYBRID_CGROUPS) return ['podman', ...args];
    return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c',
      'umount /sys/fs/cgroup/unified && exec "$@"', 'sh', 'podman', ...args];
  }

  /** Starts podman; the returned process collects its output and can wait for a line. */
  start(args) {
    const [file, ...rest] = this.argv(args);
    const child = spawn(file, rest, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const proc = { output: '', waiters: [] };
    const onData = (chunk) => {
      proc.output += chunk;
      proc.waiters = proc.waiters.filter((w) => !w.check());
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    proc.exited = new Promise((resolve) => child.on('close', (code, signal) => {
      proc.status = code ?? 128 + require('os').constants.signals[signal];
      proc.waiters.forEach((w) => w.check());
      resolve(proc.status);
    }));
    /** Resolves when the output has `count` lines containing text; rejects if podman exits first. */
    proc.waitFor = (text, count = 1) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${JSON.stringify(text)} within ${STEP_TIMEOUT_MS} ms: ${proc.output}`)), STEP_TIMEOUT_MS);
      const check = () => {
        if (proc.output.split(text).length - 1 >= count) { clearTimeout(timer); resolve(); return true; }
        if (proc.status !== undefined) { clearTimeout(timer); reject(new Error(`exited ${proc.status} before ${JSON.stringify(text)}: ${proc.output}`)); return true; }
        return false;
      };
      if (!check()) proc.waiters.push({ check });
    });
    return proc;
  }

  /** Runs podman to completion: { status, output, seconds }. */
  async run(args) {
    const started = process.hrtime.bigint();
    const proc = this.start(args);
    await proc.exited;
    return { status: proc.status, output: proc.output, seconds: seconds(started) };
  }

  /**
   * The container's processes from its own ps, one "STAT ARGS" a line, once
   * done(lines) holds or after `tries` looks.
   */
  async processes(name, done, tries = 40) {
    let lines = [];
    for (let i = 0; i < tries; i++) {
      const ps = await this.run(['exec', name, 'ps', '-eo', 'stat=,args=']);
      if (ps.status !== 0) throw new Error(`podman exec ps failed: ${ps.output}`);
      lines = ps.output.split('\n').map((line) => line.trim()).filter(Boolean);
      if (done(lines)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return lines;
  }

  /** Zombies inside the container, once none is left or after `tries` looks. */
  async zombies(name, tries = 40) {
    const isZombie = (line) => line.startsWith('Z');
    const lines = await this.processes(name, (all) => !all.some(isZombie), tries);
    return lines.filter(isZombie).length;
  }
}

function seconds(since) {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

module.exports = { Podman, HYBRID_CGROUPS, seconds };
