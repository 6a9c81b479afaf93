#!/usr/bin/env node
// Runs the test suite with node:test. Test files are given on the command
// line or found in test/. PREBUILDS_ONLY=1 makes node-gyp-build load the
// addon from prebuilds/ instead of build/.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const given = process.argv.slice(2);
const files = given.length > 0
  ? given
  : fs.readdirSync(path.join(root, 'test')).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join('test', f));
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit', cwd: root });
process.exit(result.status === null ? 1 : result.status);
