'use strict';
// Loading pid1 must not make V8 optimize anything. On Node 20 each require()
// of a file normalizes several long paths in node:path's JS; loading
// init()'s thirteen files one by one did that about 200 times, and V8
// compiled normalizeString with TurboFan during start-up: over 4 MiB of
// peak RSS (the optimizing compiler's code paged in from the node binary,
// and its zone), for an app that loads nothing else (issue 15). dist/'s
// entry points are now bundles (scripts/bundle.js). A change that brings
// the path work back shows here as a "marking ... for optimization" (Node
// 18 and 20; 22 and 24 do that path work in C++).
const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { spawnSync } = require('child_process');
const { ROOT } = require('../kit');

function optimized(args) {
  const run = spawnSync(process.execPath, ['--trace-opt', ...args], { encoding: 'utf8' });
  assert.strictEqual(run.status, 0, run.stderr);
  return run.stdout.split('\n').filter((line) => /^\[marking .* for optimization to TURBOFAN/.test(line));
}

test('require(pid1).init() in a child_process app starts without TurboFan compiling anything', () => {
  assert.deepStrictEqual(optimized(['-e', `require('child_process'); require(${JSON.stringify(ROOT)}).init()`]), []);
});

test('the pid1 command runs `true` without TurboFan compiling anything', () => {
  assert.deepStrictEqual(optimized([path.join(ROOT, 'dist', 'cli', 'cli.js'), '--', 'true']), []);
});
