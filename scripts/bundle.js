// Turns an entry point of the compiled output into one file: the entry's
// own code at the top level, every module it reaches by a relative
// require() in a table beside it, each run once on first require, as Node
// would. Node spends about 0.2-0.4 ms per module file it loads (resolve,
// stat, read, wrap, compile); `require('pid1').init()` reaches thirteen.
//
// What stays as Node has it:
// - The entry's code is at the top level, so Node's CommonJS export
//   detection still finds its `Object.defineProperty(exports, ...)` lines
//   (`import { spawn } from 'pid1'` from an ES module).
// - Each module's __dirname and __filename are those of its own file in
//   dist/, so paths built from them (the addon, package.json) do not move.
// - A lazy require() inside a function stays lazy: the module's code runs
//   only when that require() does. With `cached`, a module that only such
//   requires reach is not even in the bundle: it is in a second file,
//   `<entry>.lazy.js`, read on the first of them. Every byte of the bundle
//   is a string in V8's heap for as long as the process runs; init()
//   reaches spawn, kill and the stop path only when it uses them, and they
//   are 40% of the code.
// - `shared` entries are required, not copied: pid1/register uses the same
//   module instance as require('pid1'), whichever loads first.
'use strict';
const fs = require('fs');
const path = require('path');
const { stubLoader, WRAP_HEAD, WRAP_TAIL } = require('./codecache');

const RELATIVE_REQUIRE = /\brequire\((['"])(\.\.?\/[^'"]+)\1\)/g;

// Whether the require() at `offset` of `code` runs when the module loads: tsc
// writes the requires of its imports as statements at the start of a line,
// and a require inside a function body is indented. (Guessing wrong costs
// only speed: a module missing from the bundle is read from the lazy file
// when first required.)
function atTopLevel(code, offset) {
  const lineStart = code.lastIndexOf('\n', offset - 1) + 1;
  return !/^\s/.test(code.slice(lineStart, lineStart + 1));
}

/** The module id ('kernel/native') that `spec` names from module `from`, or null if it is not in dir. */
function resolve(dir, from, spec) {
  const id = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec)).replace(/\.js$/, '');
  if (fs.existsSync(path.join(dir, `${id}.js`))) return id;
  if (fs.existsSync(path.join(dir, id, 'index.js'))) return `${id}/index`;
  return null;
}

// The code without its comments, re-emitted by TypeScript (which knows
// where a comment can be): a third of the bytes. Every byte of a bundle is
// read, kept as a string in V8's heap for as long as the process runs, and
// scanned by the compiler; the comments are in lib/ for whoever reads it.
function withoutComments(code) {
  const ts = require('typescript');
  return ts.transpileModule(code, { compilerOptions: { removeComments: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS } }).outputText;
}

/**
 * Writes the bundle of `entry` (an id such as 'index' or 'cli/cli') from the
 * per-module files in `sourceDir` to `<outDir>/<entry>.js`. With `cached`,
 * the bundle goes to `<entry>.bundle.js` instead, and `<entry>.js` is a stub
 * that compiles it with the V8 code cache made for the running Node
 * (scripts/codecache.js). The stub keeps the entry's shebang and its line
 * of export names (`exports.a = exports.b = void 0;`, as tsc writes it),
 * which is what Node's CommonJS export detection reads.
 */
function bundle(sourceDir, outDir, entry, { shared = [], cached = false } = {}) {
  const sources = new Map();
  // id -> the modules its top-level requires load with it.
  const eagerEdges = new Map();
  const rewrite = (id) => {
    const code = withoutComments(fs.readFileSync(path.join(sourceDir, `${id}.js`), 'utf8'));
    eagerEdges.set(id, []);
    return code.replace(RELATIVE_REQUIRE, (call, quote, spec, offset) => {
      const target = resolve(sourceDir, id, spec);
      if (target === null) throw new Error(`${id}.js: require('${spec}') names no module in ${sourceDir}`);
      if (shared.includes(target)) return `require(${JSON.stringify(`./${path.posix.relative(path.posix.dirname(entry), target)}`)})`;
      if (atTopLevel(code, offset)) eagerEdges.get(id).push(target);
      if (!sources.has(target)) {
        sources.set(target, null);
        sources.set(target, rewrite(target));
      }
      return `__pid1_require(${JSON.stringify(target)})`;
    });
  };
  let top = rewrite(entry);
  // A shebang stays the first line (the pid1 command's file is run directly).
  const shebang = /^#!.*\n/.exec(top)?.[0] ?? '';
  top = top.slice(shebang.length);
  if (sources.has(entry)) throw new Error(`${entry}.js requires itself through a cycle; bundle cannot place it`);
  // What loads with the entry; the rest (cached bundles only) goes to the lazy file.
  const eager = new Set([entry]);
  for (const id of eager) for (const target of eagerEdges.get(id)) eager.add(target);
  const lazy = new Set(cached ? [...sources.keys()].filter((id) => !eager.has(id)) : []);
  const here = path.posix.dirname(entry);
  const row = ([id, code]) => {
    // The module's directory below dist/ ('' for dist/ itself).
    const dir = path.posix.dirname(id) === '.' ? '' : path.posix.dirname(id);
    // Paths are made only for a module that uses them.
    const paths = /\b__(?:dirname|filename)\b/.test(code);
    return `${JSON.stringify(id)}: [${JSON.stringify(dir)}, ${JSON.stringify(path.posix.basename(id))}, ${paths}, function (exports, require, module, __filename, __dirname) {\n${code}\n}]`;
  };
  const table = [...sources].filter(([id]) => !lazy.has(id)).map(row);
  const lazyName = `${path.posix.basename(entry)}.lazy.js`;
  const out = [
    `${cached ? '' : shebang}'use strict';`,
    `// Generated by scripts/bundle.js from the modules of ${entry}.js: see there.`,
    `const __pid1_modules = {\n${table.join(',\n')}\n};`,
    'const __pid1_loaded = {};',
    // dist/, cut from the entry's own directory: node:path's first calls cost start-up (docs/runtime-facts.md, 40).
    `const __pid1_dist = ${here === '.' ? '__dirname' : `__dirname.slice(0, -${here.length + 1})`};`,
    ...(lazy.size === 0 ? [] : [`let __pid1_lazy = ${JSON.stringify(`./${lazyName}`)};`]),
    'function __pid1_require(id) {',
    '  let module = __pid1_loaded[id];',
    '  if (module !== undefined) return module.exports;',
    ...(lazy.size === 0
      ? []
      : [
          '  if (__pid1_modules[id] === undefined && __pid1_lazy !== null) {',
          '    Object.assign(__pid1_modules, require(__pid1_lazy)(__pid1_require));',
          '    __pid1_lazy = null;',
          '  }',
        ]),
    '  const [dir, name, paths, body] = __pid1_modules[id];',
    '  module = __pid1_loaded[id] = { exports: {} };',
    "  const dirname = paths ? (dir === '' ? __pid1_dist : `${__pid1_dist}/${dir}`) : undefined;",
    "  body.call(module.exports, module.exports, require, module, paths ? `${dirname}/${name}.js` : undefined, dirname);",
    '  return module.exports;',
    '}',
    top,
  ].join('\n');
  const file = path.join(outDir, `${entry}.js`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!cached) {
    fs.writeFileSync(file, out);
    return { file, modules: sources.size + 1 };
  }
  const bundleName = `${path.posix.basename(entry)}.bundle.js`;
  fs.writeFileSync(path.join(path.dirname(file), bundleName), WRAP_HEAD + out + WRAP_TAIL);
  if (lazy.size > 0) {
    // Its modules call the bundle's __pid1_require, handed in.
    const lazyTable = [...sources].filter(([id]) => lazy.has(id)).map(row);
    fs.writeFileSync(
      path.join(path.dirname(file), lazyName),
      [
        "'use strict';",
        `// Generated by scripts/bundle.js: the modules of ${entry}.js that only a require() inside a function reaches (${[...lazy].join(', ')}), read on the first such require.`,
        `module.exports = (__pid1_require) => ({\n${lazyTable.join(',\n')}\n});`,
        '',
      ].join('\n'),
    );
  }
  // Every name the entry exports, as tsc writes them: `exports.a = ...` and
  // `Object.defineProperty(exports, "b", ...)` (a re-export).
  const names = [...new Set([...top.matchAll(/^exports\.([\w$]+) = |^Object\.defineProperty\(exports, (["'])([\w$]+)\2/gm)].map((m) => m[1] ?? m[3]))].filter((n) => n !== '__esModule');
  const namesLine = names.length === 0 ? '' : `${names.map((n) => `exports.${n} = `).join('')}void 0;`;
  const stub = [
    `${shebang}'use strict';`,
    `// Generated by scripts/bundle.js: the code of ${entry}.js is in ${bundleName}, and these are the names it exports.`,
    namesLine,
    stubLoader(bundleName),
    '',
  ].join('\n');
  fs.writeFileSync(file, stub);
  return { file, modules: sources.size + 1 };
}

module.exports = { bundle };
