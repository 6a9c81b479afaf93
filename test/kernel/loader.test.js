'use strict';
// The addon loader finds the same file node-gyp-build would, without
// loading node-gyp-build where the file is where an install puts it; any
// override node-gyp-build reads from the environment still goes through it.
const test = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('child_process');
const { ROOT } = require('../kit');

// What require(pid1) loaded (the .node files the process maps: the addon is
// opened with process.dlopen, not require), then what node-gyp-build
// resolves (in that order: resolving loads node-gyp-build).
const PROBE = `
require(${JSON.stringify(ROOT)});
const mapped = require('fs').readFileSync('/proc/self/maps', 'utf8').split('\\n').map((line) => line.split(/\\s+/)[5] ?? '');
const addons = [...new Set(mapped.filter((file) => file.endsWith('.node')))];
const gyp = Object.keys(require.cache).some((file) => file.includes('node-gyp-build'));
const expected = require(require.resolve('node-gyp-build', { paths: [${JSON.stringify(ROOT)}] })).resolve(${JSON.stringify(ROOT)});
console.log(JSON.stringify({ addons, gyp, expected }));
`;

function probe(env) {
  const run = spawnSync(process.execPath, ['-e', PROBE], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.strictEqual(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

for (const [what, env] of [
  ['build/Release', { PREBUILDS_ONLY: '' }],
  ['prebuilds/ (PREBUILDS_ONLY=1)', { PREBUILDS_ONLY: '1' }],
]) {
  test(`the addon from ${what} is the file node-gyp-build picks, loaded without it`, () => {
    const r = probe(env);
    assert.deepStrictEqual(r.addons, [r.expected]);
    assert.strictEqual(r.gyp, false);
  });
}

test('with LIBC set, node-gyp-build chooses the addon, as before', () => {
  const r = probe({ PREBUILDS_ONLY: '1', LIBC: 'glibc' });
  assert.deepStrictEqual(r.addons, [r.expected]);
  assert.strictEqual(r.gyp, true);
});

// docs/runtime-facts.md, 39.
test('process.dlopen() registers an addon again at each call for the same file; pid1 opens it once per thread', () => {
  const run = spawnSync(
    process.execPath,
    [
      '-e',
      `
const pid1 = require(${JSON.stringify(ROOT)});
const [file] = Object.keys(globalThis[Symbol.for('pid1.addons')]);
const a = { exports: {} };
const b = { exports: {} };
process.dlopen(a, file);
process.dlopen(b, file);
// Another copy of the loader (the unbundled one beside the bundle), then a Worker.
const again = require(${JSON.stringify(`${ROOT}/dist/kernel/native.js`)}).native;
const opened = Object.values(globalThis[Symbol.for('pid1.addons')]);
const { Worker } = require('worker_threads');
const w = new Worker(\`
  require(${JSON.stringify(ROOT)});
  const opened = Object.values(globalThis[Symbol.for('pid1.addons')]);
  require('worker_threads').parentPort.postMessage(opened.length === 1 && typeof opened[0].reaperStart);
\`, { eval: true });
w.on('message', (inWorker) => console.log(JSON.stringify({
  twice: a.exports !== b.exports && typeof b.exports.reaperStart === 'function',
  shared: opened.length === 1 && again === opened[0],
  inWorker,
  initWorks: typeof pid1.init,
})));
`,
    ],
    { encoding: 'utf8', env: { ...process.env, PREBUILDS_ONLY: '1' } },
  );
  assert.strictEqual(run.status, 0, run.stderr);
  assert.deepStrictEqual(JSON.parse(run.stdout), { twice: true, shared: true, inWorker: 'function', initWorks: 'function' });
});
