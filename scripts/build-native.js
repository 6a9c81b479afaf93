#!/usr/bin/env node
// Compiles the addon from the current sources into build/, offline: node-gyp
// would download Node's headers unless nodedir points at installed ones.
// Incremental: make recompiles only the sources (and their headers) that
// changed, so an unchanged tree costs no compiler at all. A full rebuild
// happens when what make cannot see changes: binding.gyp, Node, the nodedir,
// the compiler flags or the arguments (build/pid1-config.json records them).
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

if (process.env.PREBUILDS_ONLY === '1') {
  console.log('PREBUILDS_ONLY=1: the addon is loaded from prebuilds/, not compiled');
  process.exit(0);
}

const root = path.resolve(__dirname, '..');
const env = { ...process.env };
if (!env.npm_config_nodedir) {
  const candidates = [path.resolve(process.execPath, '../..'), '/usr', '/usr/local'];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'include/node/node_api.h')));
  if (found) env.npm_config_nodedir = found;
}
const gyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [path.dirname(process.execPath) + '/../lib/node_modules/npm', __dirname] });
const args = process.argv.slice(2);

const stamp = path.join(root, 'build', 'pid1-config.json');
const config = JSON.stringify({
  bindingGyp: fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8'),
  node: process.version,
  nodedir: env.npm_config_nodedir ?? null,
  flags: ['CC', 'CXX', 'CFLAGS', 'CXXFLAGS', 'LDFLAGS'].map((name) => env[name] ?? null),
  args,
});
const previous = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8') : null;
const fresh = previous === config && fs.existsSync(path.join(root, 'build', 'Makefile'));

if (!fresh) fs.rmSync(stamp, { force: true });
const result = spawnSync(process.execPath, [gyp, fresh ? 'build' : 'rebuild', ...args], { stdio: 'inherit', env, cwd: root });
if (result.status === 0 && !fresh) fs.writeFileSync(stamp, config);
process.exit(result.status === null ? 1 : result.status);
