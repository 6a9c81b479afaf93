'use strict';
// Small pieces the app fixtures share: a child that reports signals, a wave
// of orphans, and a JSON line on stdout.
const path = require('path');
const { spawn } = require('child_process');
const { orphansBinary } = require('./build');

/** Starts signal-child.js; resolves with the child once it is ready. */
function signalChild(specs, options = {}) {
  const child = spawn(process.execPath, [path.join(__dirname, 'signal-child.js'), ...specs], { stdio: ['ignore', 'pipe', 'inherit'], ...options });
  child.lines = [];
  child.stdout.setEncoding('utf8');
  let buffer = '';
  child.stdout.on('data', (d) => {
    buffer += d;
    const parts = buffer.split('\n');
    buffer = parts.pop();
    child.lines.push(...parts);
    child.emit('lines');
  });
  return new Promise((resolve) => child.on('lines', function ready() {
    if (!child.lines.includes('ready')) return;
    child.off('lines', ready);
    resolve(child);
  }));
}

/** N orphans that exit with `code` at once; resolves when their parent is gone. */
function orphans(n, code = 7) {
  return new Promise((resolve, reject) => {
    spawn(orphansBinary(), [String(n), String(code)], { stdio: 'ignore' }).on('exit', resolve).on('error', reject);
  });
}

function print(value) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

module.exports = { signalChild, orphans, print };
