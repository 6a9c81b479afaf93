'use strict';
// lib/'s floors, read from its imports: the kernel (lib/kernel/) knows
// nothing of the reaper, the core (lib/core/) nothing of a face, and no face
// (lib/init/, lib/cli/, the entry points at the top) loads the addon itself.
// See docs/architecture.md.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { ROOT } = require('../kit');

const LIB = path.join(ROOT, 'lib');
const SPECIFIER = /(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*|^import\s+)'(\.[^']*)'/gm;

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
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
