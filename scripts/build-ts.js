#!/usr/bin/env node
// Compiles lib/ into dist/, incrementally (tsconfig.json keeps its build
// info inside dist/, so that removing dist/ compiles everything again).
// Then takes the `#private;` marker out of the declarations: it only makes
// a class nominal, and a consumer compiling with `module: commonjs` and no
// target (ES5) rejects it (TS18028). The classes keep their #private fields.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status === null ? 1 : result.status);

const dist = path.join(root, 'dist');
// dist/ has a folder a floor (kernel, core, init, cli). Not readdirSync's
// `recursive`: Node 18 before 18.17 lacks it.
function declarations(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return declarations(full);
    return entry.name.endsWith('.d.ts') ? [full] : [];
  });
}
for (const file of declarations(dist)) {
  const text = fs.readFileSync(file, 'utf8');
  const stripped = text.replace(/^[ \t]*#private;\n/gm, '');
  if (stripped !== text) fs.writeFileSync(file, stripped);
}
