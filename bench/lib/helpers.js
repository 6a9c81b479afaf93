'use strict';
// Builds the C workloads (bench/*.c) into .cache/bench with the test kit's
// compiled(): again when a source or bench.h is newer than the binary.
const path = require('path');
const { compiled } = require('../../test/kit/build');

const NAMES = ['storm', 'sigfwd', 'spawnrun', 'initstat'];
const FLAGS = ['-Wextra', '-std=gnu11'];

/** Returns { name: absolute path } for every helper; throws when cc fails. */
function build(benchDir, outDir) {
  const dependsOn = [path.join(benchDir, 'bench.h')];
  const out = {};
  for (const name of NAMES) out[name] = compiled(path.join(benchDir, `${name}.c`), { outDir, dependsOn, flags: FLAGS });
  return out;
}

module.exports = { build };
