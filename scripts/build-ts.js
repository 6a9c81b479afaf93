#!/usr/bin/env node
// Compiles lib/ into .cache/tsc/, incrementally (tsconfig.json keeps its
// build info there), then makes dist/ from it: every module and its
// declarations as tsc wrote them, and the three entry points (index,
// register, cli/cli) replaced by bundles of what they load (see
// scripts/bundle.js: one file loads in a fraction of the time of thirteen).
// The other modules stay in dist/ for the tests that load one directly.
// The declarations lose the `#private;` marker: it only makes a class
// nominal, and a consumer compiling with `module: commonjs` and no target
// (ES5) rejects it (TS18028). The classes keep their #private fields.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { bundle } = require('./bundle');
const { makeAll } = require('./codecache');

const root = path.resolve(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status === null ? 1 : result.status);

const compiled = path.join(root, '.cache', 'tsc');
const dist = path.join(root, 'dist');
// A folder a floor (kernel, core, init, cli). Not readdirSync's `recursive`:
// Node 18 before 18.17 lacks it.
function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return files(full);
    return /\.(js|d\.ts)$/.test(entry.name) ? [path.relative(compiled, full)] : [];
  });
}
fs.rmSync(dist, { recursive: true, force: true });
for (const file of files(compiled)) {
  fs.mkdirSync(path.dirname(path.join(dist, file)), { recursive: true });
  const text = fs.readFileSync(path.join(compiled, file), 'utf8');
  fs.writeFileSync(path.join(dist, file), file.endsWith('.d.ts') ? text.replace(/^[ \t]*#private;\n/gm, '') : text);
}
bundle(compiled, dist, 'index', { cached: true });
bundle(compiled, dist, 'register', { shared: ['index'] });
bundle(compiled, dist, 'cli/cli', { cached: true });
// The code caches for this Node, as npm install makes them in an app.
makeAll();
