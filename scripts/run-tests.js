#!/usr/bin/env node
// Runs the test suite with node:test. Test files are given on the command
// line or found in test/'s folders. PREBUILDS_ONLY=1 makes node-gyp-build load the
// addon from prebuilds/ instead of build/.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const given = process.argv.slice(2);
// test/<floor>/*.test.js: one folder a floor (kernel, core, init, cli, ...).
function testFiles() {
  const test = path.join(root, 'test');
  return fs
    .readdirSync(test, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) => fs.readdirSync(path.join(test, dir.name)).filter((f) => f.endsWith('.test.js')).map((f) => path.join('test', dir.name, f)))
    .sort();
}
const files = given.length > 0 ? given : testFiles();
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit', cwd: root });
process.exit(result.status === null ? 1 : result.status);
