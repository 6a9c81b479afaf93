'use strict';
// Compiles the C helpers (test fixtures, the soak and bench workloads) with
// the system cc (or $CC), once: again only when a source is newer than the
// binary. The binary is written under another name and renamed, so that
// test files running in parallel never run a half-written one.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'build', 'test-bin');

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * Builds `source` (a .c file) into `outDir` (build/test-bin unless given),
 * named as the source without .c; with `shared`, as a shared library
 * <name>.so. `dependsOn` (headers) and `flags` (more cc arguments: -l go
 * last) as needed. Returns the binary's path; throws with cc's message.
 */
function compiled(source, { shared = false, outDir = BIN, dependsOn = [], flags = [] } = {}) {
  const name = path.basename(source, '.c');
  const binary = path.join(outDir, shared ? `${name}.so` : name);
  if (mtime(binary) < Math.max(mtime(source), ...dependsOn.map(mtime))) {
    fs.mkdirSync(outDir, { recursive: true });
    const tmp = `${binary}.${process.pid}`;
    try {
      execFileSync(process.env.CC || 'cc', ['-O2', '-Wall', ...(shared ? ['-shared', '-fPIC'] : []), '-o', tmp, source, ...flags], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      throw new Error(`cc ${path.relative(ROOT, source)} failed: ${error.stderr ? error.stderr.toString().trim() : error.message}`);
    }
    fs.renameSync(tmp, binary);
  }
  return binary;
}

/** kit/orphans.c built: makes orphans that exit with a given code. Call before blocking SIGCHLD. */
function orphansBinary() {
  return compiled(path.join(__dirname, 'orphans.c'));
}

module.exports = { compiled, orphansBinary };
