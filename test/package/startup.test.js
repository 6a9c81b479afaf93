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
const fs = require('fs');
const os = require('os');
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

// What `expression` says at the process's exit (a preload writes it to fd 3).
function atExit(args, expression) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-at-exit-'));
  try {
    const preload = path.join(dir, 'report.js');
    fs.writeFileSync(preload, `process.on('exit', () => require('fs').writeSync(3, JSON.stringify(${expression})));`);
    const out = path.join(dir, 'out');
    const fd = fs.openSync(out, 'w');
    const run = spawnSync(process.execPath, ['-r', preload, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', fd] });
    fs.closeSync(fd);
    assert.strictEqual(run.status, 0, run.stderr);
    return JSON.parse(fs.readFileSync(out, 'utf8'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// The modules a plain start does not run (spawn, kill, the stop path) are
// not in the entry's bundle but in a second file (scripts/bundle.js), read
// on first use: their source would otherwise sit in V8's heap all along.
function lazyFilesRead(args) {
  return atExit(args, `Object.keys(require.cache).filter((f) => f.endsWith('.lazy.js')).map((f) => require('path').relative(${JSON.stringify(ROOT)}, f))`);
}

test('require(pid1).init() and the pid1 command read the code of spawn, kill and the stop path only when they use it', () => {
  assert.deepStrictEqual(lazyFilesRead(['-e', `require('child_process'); require(${JSON.stringify(ROOT)}).init({ logger: false })`]), []);
  assert.deepStrictEqual(lazyFilesRead([path.join(ROOT, 'dist', 'cli', 'cli.js'), '--', 'true']), []);
  // First use reads it, and what it holds works.
  const used = `const pid1 = require(${JSON.stringify(ROOT)}); const child = pid1.spawn('sh', ['-c', 'exit 3']); child.exited.then((s) => { if (s.exitCode !== 3) process.exit(1); });`;
  assert.deepStrictEqual(lazyFilesRead(['-e', used]), [path.join('dist', 'index.lazy.js')]);
});

// docs/runtime-facts.md, 40: Node compiles a built-in module at its first
// use. The signal table comes from the addon, not from os; util loads with
// the first error. vm is the one a start needs (the code cache).
function builtinsCompiled(args) {
  return atExit(args, "process.moduleLoadList.filter((m) => m.startsWith('NativeModule '))");
}

test('require(pid1).init() and the pid1 command compile no built-in module but vm', () => {
  const app = builtinsCompiled(['-e', "require('child_process')"]);
  const withInit = builtinsCompiled(['-e', `require('child_process'); require(${JSON.stringify(ROOT)}).init({ logger: false })`]);
  assert.deepStrictEqual(withInit.filter((m) => !app.includes(m)), ['NativeModule vm']);
  // The command's floor is a main file that ends as the command does, with
  // process.exit() (Node 18's loads internal/modules/esm/handle_process_exit).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-empty-'));
  try {
    const emptyFile = path.join(dir, 'exit.js');
    fs.writeFileSync(emptyFile, 'process.exit(0);\n');
    const empty = builtinsCompiled([emptyFile]);
    const command = builtinsCompiled([path.join(ROOT, 'dist', 'cli', 'cli.js'), '--', 'true']);
    assert.deepStrictEqual(command.filter((m) => !empty.includes(m)), ['NativeModule vm']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
