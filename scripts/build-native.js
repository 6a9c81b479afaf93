#!/usr/bin/env node
// Compiles the addon from the current sources into build/, offline: node-gyp
// would download Node's headers unless nodedir points at installed ones.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

if (process.env.PREBUILDS_ONLY === '1') {
  console.log('PREBUILDS_ONLY=1: the addon is loaded from prebuilds/, not compiled');
  process.exit(0);
}

const env = { ...process.env };
if (!env.npm_config_nodedir) {
  const candidates = [path.resolve(process.execPath, '../..'), '/usr', '/usr/local'];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'include/node/node_api.h')));
  if (found) env.npm_config_nodedir = found;
}
const gyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [path.dirname(process.execPath) + '/../lib/node_modules/npm', __dirname] });
const args = [gyp, 'rebuild', ...process.argv.slice(2)];
const result = spawnSync(process.execPath, args, { stdio: 'inherit', env, cwd: path.resolve(__dirname, '..') });
process.exit(result.status === null ? 1 : result.status);
