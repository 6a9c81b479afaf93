'use strict';
// Compiles the C helpers of the fixtures once, into build/test-bin/.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const BIN = path.resolve(__dirname, '..', 'build', 'test-bin');

/** Builds fixtures/<name>.c; with `shared`, as a shared library <name>.so. */
function compiled(name, { shared = false } = {}) {
  const source = path.join(__dirname, 'fixtures', `${name}.c`);
  const binary = path.join(BIN, shared ? `${name}.so` : name);
  const fresh = fs.existsSync(binary) && fs.statSync(binary).mtimeMs >= fs.statSync(source).mtimeMs;
  if (!fresh) {
    fs.mkdirSync(BIN, { recursive: true });
    const tmp = `${binary}.${process.pid}`;
    execFileSync(process.env.CC || 'cc', ['-O2', '-Wall', ...(shared ? ['-shared', '-fPIC'] : []), '-o', tmp, source]);
    fs.renameSync(tmp, binary);
  }
  return binary;
}

/** The path of fixtures/orphans.c, built. Call before blocking SIGCHLD. */
function orphansBinary() {
  return compiled('orphans');
}

module.exports = { compiled, orphansBinary };
