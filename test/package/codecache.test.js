'use strict';
// The entry points compile through the V8 code cache that the build (and an
// app's npm install) made for this Node, and load the same without one:
// none for this Node, an unreadable one, or one V8 rejects. scripts/
// codecache.js says why (start-up: about 2 ms of init()'s).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { Script } = require('vm');
const { ROOT } = require('../kit');
const { cacheFile } = require('../../scripts/codecache');

const ENTRIES = [
  { stub: path.join(ROOT, 'dist', 'index.js'), bundle: path.join(ROOT, 'dist', 'index.bundle.js') },
  { stub: path.join(ROOT, 'dist', 'cli', 'cli.js'), bundle: path.join(ROOT, 'dist', 'cli', 'cli.bundle.js') },
];

test('the cache of each bundle fits this Node: V8 accepts it for the very source the stub compiles', () => {
  for (const { bundle } of ENTRIES) {
    const script = new Script(fs.readFileSync(bundle, 'utf8'), { filename: bundle, cachedData: fs.readFileSync(cacheFile(bundle)) });
    assert.strictEqual(script.cachedDataRejected, false, bundle);
  }
});

// Runs `code` in a fresh node after a hook on fs.readFileSync: `mode` says
// what a read of a .cache file gets ('real', 'missing' or 'garbage').
// Prints which cache files were asked for, and what `code` printed.
function withCacheReads(mode, code) {
  const hook = `
    const fs = require('fs');
    const real = fs.readFileSync;
    const asked = [];
    fs.readFileSync = function (file, ...rest) {
      if (typeof file === 'string' && file.endsWith('.cache')) {
        asked.push(file);
        if (${JSON.stringify(mode)} === 'missing') throw Object.assign(new Error('ENOENT: ' + file), { code: 'ENOENT' });
        if (${JSON.stringify(mode)} === 'garbage') return Buffer.alloc(real(file).length, 7);
      }
      return real.call(this, file, ...rest);
    };
    process.on('exit', () => real === fs.readFileSync || fs.writeSync(1, '\\n' + JSON.stringify(asked) + '\\n'));
  `;
  const run = spawnSync(process.execPath, ['-e', `${hook}\n${code}`], { encoding: 'utf8' });
  assert.strictEqual(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  return { asked: JSON.parse(lines.pop()), out: lines.join('\n').trim() };
}

test('require(pid1) and the pid1 command read the cache made for this Node', () => {
  const lib = withCacheReads('real', `require(${JSON.stringify(ROOT)}).init().close(); console.log('ok')`);
  assert.deepStrictEqual(lib.asked, [cacheFile(ENTRIES[0].bundle)]);
  assert.strictEqual(lib.out, 'ok');
  const cli = withCacheReads('real', `require(${JSON.stringify(ENTRIES[1].stub)}).main(['--', 'sh', '-c', 'echo ran'])`);
  assert.deepStrictEqual(cli.asked, [cacheFile(ENTRIES[1].bundle)]);
  assert.strictEqual(cli.out, 'ran');
});

for (const mode of ['missing', 'garbage']) {
  test(`with a cache ${mode === 'missing' ? 'missing' : 'that V8 rejects'}, pid1 compiles and works as usual`, () => {
    const lib = withCacheReads(mode, `const pid1 = require(${JSON.stringify(ROOT)}); const i = pid1.init(); console.log(typeof pid1.spawn, i.gracePeriodMs); i.close()`);
    assert.deepStrictEqual(lib.asked, [cacheFile(ENTRIES[0].bundle)]);
    assert.strictEqual(lib.out, 'function 8000');
    const cli = withCacheReads(mode, `require(${JSON.stringify(ENTRIES[1].stub)}).main(['--version'])`);
    assert.deepStrictEqual(cli.asked, [cacheFile(ENTRIES[1].bundle)]);
    assert.match(cli.out, /^pid1 \d+\.\d+\.\d+$/);
  });
}
