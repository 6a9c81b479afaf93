'use strict';
// Builds the C workloads (bench/*.c) into .cache/bench with the system cc.
// They are rebuilt when a source or bench.h is newer than the binary.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const NAMES = ['storm', 'sigfwd', 'spawnrun', 'initstat'];
const CFLAGS = ['-O2', '-Wall', '-Wextra', '-std=gnu11'];

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** Returns { name: absolute path } for every helper; throws when cc fails. */
function build(benchDir, outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  const header = mtime(path.join(benchDir, 'bench.h'));
  const out = {};
  for (const name of NAMES) {
    const src = path.join(benchDir, `${name}.c`);
    const bin = path.join(outDir, name);
    if (mtime(bin) < Math.max(mtime(src), header)) {
      const r = spawnSync('cc', [...CFLAGS, '-o', bin, src], { encoding: 'utf8' });
      if (r.error || r.status !== 0) {
        throw new Error(`cc ${name}.c failed: ${r.error ? r.error.message : r.stderr.trim()}`);
      }
    }
    out[name] = bin;
  }
  return out;
}

module.exports = { build };
