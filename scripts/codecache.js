#!/usr/bin/env node
// V8 code caches for the bundles of dist/ (see scripts/bundle.js), made for
// the Node that runs this: npm runs it at install (scripts/install.js), and
// `npm run build:ts` after bundling. A cache holds the bytecode of every
// function the entry ran while it was made, so an app that loads pid1
// neither compiles the bundle nor compiles each function on its first call:
// about 2 ms of `require('pid1').init()`'s start-up, measured with
// bench/ab.js. Each cache is named by the V8 version and architecture it
// belongs to; where none fits (scripts not run, another Node), or V8
// rejects it (other V8 flags), the entry compiles as usual.
//
//   node scripts/codecache.js          makes every entry's cache, each in a child process
//   node scripts/codecache.js ENTRY    (the child) ENTRY: index or cli/cli
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { Script } = require('vm');

const DIST = path.join(__dirname, '..', 'dist');
/** The entries that load through a cache, and what each runs so that its cache holds the functions of a start. */
const ENTRIES = {
  // An init(), not as PID 1, and the way out of a process that has one.
  index: (exports) => exports.init({ logger: false }),
  // The command runs a child (this node, which is there for certain: an
  // install may have no `true` on PATH) and exits.
  'cli/cli': (exports) => exports.main(['--', process.execPath, '-e', '0']),
};

// A bundle is one function expression, as Node wraps a CommonJS module,
// written so by scripts/bundle.js: its file is the very source that is
// compiled, read once and never concatenated (a second copy of 120 KB made
// the young generation full enough for a scavenge before the app's exit).
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) {';
const WRAP_TAIL = '\n})';

/** Where the cache of `bundleFile` is for this Node. */
function cacheFile(bundleFile) {
  return `${bundleFile}.${process.arch}-v8-${process.versions.v8}.cache`;
}

/**
 * The code of an entry's stub (scripts/bundle.js writes it after the
 * export names) that runs `bundleName`, a file beside the stub, with the
 * cache when there is one for this Node. The stub's cache name is this
 * file's cacheFile(), spelled out.
 */
function stubLoader(bundleName) {
  return [
    "const { readFileSync } = require('fs');",
    "const { Script } = require('vm');",
    `const file = \`\${__dirname}/${bundleName}\`;`,
    'let cachedData;',
    'try {',
    '  cachedData = readFileSync(`${file}.${process.arch}-v8-${process.versions.v8}.cache`);',
    '} catch {',
    '  // Every error is meant: a cache only saves compiling, and without one (none',
    '  // made for this Node, or unreadable) the bundle compiles as usual.',
    '}',
    "const script = new Script(readFileSync(file, 'utf8'), { filename: file, cachedData });",
    // The stub's own module: the bundle's exports are the package's, and its `require.main === module` is the stub's.
    'script.runInThisContext().call(exports, exports, require, module, file, __dirname);',
  ].join('\n');
}

function makeOne(entry) {
  const file = path.join(DIST, `${entry}.bundle.js`);
  const script = new Script(fs.readFileSync(file, 'utf8'), { filename: file });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, require, module, file, path.dirname(file));
  ENTRIES[entry](module.exports);
  // Written as the process exits, after the entry's own exit listeners
  // (added before this one) have run and compiled what they call. Written
  // whole, then renamed: a reader never sees half a cache.
  process.on('exit', () => {
    const temporary = `${cacheFile(file)}.${process.pid}`;
    fs.writeFileSync(temporary, script.createCachedData());
    fs.renameSync(temporary, cacheFile(file));
  });
}

function makeAll() {
  let failed = 0;
  for (const entry of Object.keys(ENTRIES)) {
    if (!fs.existsSync(path.join(DIST, `${entry}.bundle.js`))) continue; // not built yet: the build makes it
    const run = spawnSync(process.execPath, [__filename, entry], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (run.status !== 0) {
      failed++;
      process.stderr.write(`pid1: no code cache for ${entry} (it loads as fast as without one, minus about 2 ms): ${run.stderr.trim() || `exit ${run.status ?? run.signal}`}\n`);
    }
  }
  return failed;
}

if (require.main === module) {
  if (process.argv[2] === undefined) makeAll();
  else if (Object.hasOwn(ENTRIES, process.argv[2])) makeOne(process.argv[2]);
  else throw new RangeError(`usage: node scripts/codecache.js [${Object.keys(ENTRIES).join('|')}]`);
}

module.exports = { WRAP_HEAD, WRAP_TAIL, cacheFile, stubLoader, makeAll };
