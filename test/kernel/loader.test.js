'use strict';
// The addon loader finds the same file node-gyp-build would, without
// loading node-gyp-build where the file is where an install puts it; any
// override node-gyp-build reads from the environment still goes through it.
const test = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('child_process');
const { ROOT } = require('../kit');

// What require(pid1) loaded, then what node-gyp-build resolves (in that order:
// resolving loads node-gyp-build).
const PROBE = `
require(${JSON.stringify(ROOT)});
const loaded = Object.keys(require.cache);
const addons = loaded.filter((file) => file.endsWith('.node'));
const gyp = loaded.some((file) => file.includes('node-gyp-build'));
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
