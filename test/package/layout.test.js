'use strict';
// The floors, read from imports and includes: the kernel (lib/kernel/,
// native/kernel/) knows nothing of the reaper, the core (lib/core/,
// native/core/) nothing of a face or of Node-API, and no face (lib/init/,
// lib/cli/, the entry points at the top) loads the addon itself.
// See docs/architecture.md.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { ROOT } = require('../kit');

const LIB = path.join(ROOT, 'lib');
const SPECIFIER = /(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*|^import\s+)'(\.[^']*)'/gm;

function sources(dir, pattern = /\.ts$/) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full, pattern);
    return pattern.test(entry.name) ? [full] : [];
  });
}

function floorOf(file) {
  const first = path.relative(LIB, file).split(path.sep)[0];
  return first === 'kernel' || first === 'core' ? first : 'face';
}

/** [importer, imported] for every relative import in lib/, both as lib/-relative paths. */
function imports() {
  return sources(LIB).flatMap((file) =>
    [...fs.readFileSync(file, 'utf8').matchAll(SPECIFIER)].map((m) => {
      const target = path.resolve(path.dirname(file), m[1]);
      return [file, fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts')];
    }),
  );
}

test('every relative import in lib/ names a file there', () => {
  const all = imports();
  assert.ok(all.length > 50, `only ${all.length} imports read: the pattern misses some`);
  for (const [from, to] of all) assert.ok(fs.existsSync(to), `${path.relative(ROOT, from)} imports ${path.relative(ROOT, to)}, which does not exist`);
});

test('no import goes up a floor, and no face loads the addon', () => {
  const allowed = { kernel: ['kernel'], core: ['kernel', 'core'], face: ['kernel', 'core', 'face'] };
  const wrong = imports().flatMap(([from, to]) => {
    const a = floorOf(from);
    const b = floorOf(to);
    const line = `${path.relative(LIB, from)} -> ${path.relative(LIB, to)}`;
    if (!allowed[a].includes(b)) return [`${line} (${a} imports ${b})`];
    if (a === 'face' && to === path.join(LIB, 'kernel', 'native.ts')) return [`${line} (a face loads the addon)`];
    return [];
  });
  assert.deepStrictEqual(wrong, []);
});

test('native/: every file is in a floor folder, and each includes only its floor or those below', () => {
  const NATIVE = path.join(ROOT, 'native');
  const order = ['kernel', 'core', 'napi'];
  const files = sources(NATIVE, /\.(cc|h)$/);
  assert.ok(files.length > 20, `only ${files.length} native files found`);
  const wrong = files.flatMap((file) => {
    const [floor, ...rest] = path.relative(NATIVE, file).split(path.sep);
    if (!order.includes(floor) || rest.length !== 1) return [`${path.relative(ROOT, file)} is in no floor folder`];
    const text = fs.readFileSync(file, 'utf8');
    const local = [...text.matchAll(/^#include "([^"]+)"/gm)].map((m) => m[1]);
    const node = [...text.matchAll(/^#include <(napi|node_api|uv)\.h>/gm)].map((m) => m[1]);
    return [
      ...local.filter((inc) => !fs.existsSync(path.join(NATIVE, inc))).map((inc) => `${path.relative(ROOT, file)} includes ${inc}, not a file under native/`),
      ...local.filter((inc) => order.indexOf(inc.split('/')[0]) > order.indexOf(floor)).map((inc) => `${path.relative(ROOT, file)} (${floor}) includes ${inc}`),
      ...(floor === 'napi' ? [] : node.map((h) => `${path.relative(ROOT, file)} (${floor}) includes <${h}.h>`)),
    ];
  });
  assert.deepStrictEqual(wrong, []);
});
