'use strict';
// What loading the addon costs in memory is mostly the dynamic linker's.
// Each Node-API function the addon binds is looked up in node's own symbol
// table (1.8 MB of .dynsym and 5.3 MB of .dynstr in Node 20), and each
// look-up pages some of it in: about 17 KiB of peak RSS per function here
// (docs/runtime-facts.md, "The dynamic linker"). The prebuilds were linked
// with BIND_NOW, so all 59 were looked up at load, used or not (+1.1 MiB);
// and the usual paths threw errors the callers expected (hasChildren()'s
// ECHILD), which paged in the error machinery of Node-API and the C++
// unwinder with its tables. Issue 15.
//
// Lazy binding alone would send the first call of each libc function
// through the dynamic linker's resolver, also in a forked child before exec
// and in signal handlers. binding.gyp builds the kernel and core floors with
// -fno-plt: every libc call there goes through the GOT, filled at load.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { ROOT, runFixture, expectOk } = require('../kit');

// What the fork child of native/kernel/spawn.cc and the signal handlers of
// native/kernel/{sigmask,faultfwd}.cc call: each must be bound at load.
const BOUND_AT_LOAD = ['execve', 'dup2', '_exit', 'sigaction', 'sigprocmask', 'setsid', 'setpgid', 'tcsetpgrp', 'ioctl', 'chdir', 'write', 'getpgrp', 'syscall'];
// Node-API calls that only an error path makes: the usual paths make none.
const ERROR_PATH = ['napi_create_error', 'napi_create_type_error', 'napi_throw', 'napi_get_and_clear_last_exception'];

function readelf(args, file) {
  const run = spawnSync('readelf', [...args, file], { encoding: 'utf8' });
  assert.strictEqual(run.status, 0, run.stderr || String(run.error));
  return run.stdout;
}

/** The machine and dynamic flags of `file`, and its symbols by relocation type (GLOB_DAT: bound at load; JUMP_SLOT: through the PLT). */
function linkage(file) {
  const machine = /Machine:\s+(.*)/.exec(readelf(['-h'], file))[1];
  const dynamic = readelf(['-d', '-W'], file);
  const bindNow = /\(BIND_NOW\)|\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*\bNOW\b/.test(dynamic);
  const byType = { GLOB_DAT: new Set(), JUMP_SLOT: new Set() };
  for (const line of readelf(['-r', '-W'], file).split('\n')) {
    const m = /R_(?:X86_64|AARCH64)_(GLOB_DAT|JUMP_SLOT|JUMP_SLO)\s+\S+\s+(\S+)/.exec(line);
    if (m) byType[m[1] === 'GLOB_DAT' ? 'GLOB_DAT' : 'JUMP_SLOT'].add(m[2].replace(/@.*/, ''));
  }
  return { x64: /X86-64/.test(machine), bindNow, ...byType };
}

// On x64: Node-API bound lazily, the floors' libc calls through the GOT. The
// compilers at hand ignore -fno-plt for arm64, so there the addon is bound
// at load, as before (binding.gyp).
function checkLinkage(file) {
  const { x64, bindNow, GLOB_DAT, JUMP_SLOT } = linkage(file);
  if (!x64) {
    assert.strictEqual(bindNow, true, `${file}: bound lazily without -fno-plt: a forked child would enter the lazy resolver`);
    return;
  }
  assert.strictEqual(bindNow, false, `${file} is linked with BIND_NOW: every Node-API function is looked up at load`);
  const napiAtLoad = [...GLOB_DAT].filter((s) => s.startsWith('napi_'));
  assert.deepStrictEqual(napiAtLoad, [], `${file} binds Node-API functions at load`);
  assert.ok([...JUMP_SLOT].some((s) => s.startsWith('napi_')), `${file}: no Node-API call goes through the PLT`);
  const lazy = BOUND_AT_LOAD.filter((s) => !GLOB_DAT.has(s));
  assert.deepStrictEqual(lazy, [], `${file}: called between fork and exec or in a signal handler, yet not bound at load`);
}

// Built without C++ exceptions (binding.gyp; docs/runtime-facts.md, 37): no
// exception tables, no C++ runtime's personality routine bound, and no copy
// of libc++abi's exception runtime, whose terminate handler says
// "terminating due to ... exception": in the prebuilds, where libc++ is
// linked statically, that runtime was two thirds of the file.
function checkNoExceptions(file) {
  assert.doesNotMatch(readelf(['-S', '-W'], file), /\.gcc_except_table/, `${file} carries C++ exception tables`);
  assert.doesNotMatch(readelf(['--dyn-syms', '-W'], file), /__gxx_personality_v0|__cxa_throw/, `${file} binds the C++ exception runtime`);
  assert.strictEqual(fs.readFileSync(file).includes('terminating due to'), false, `${file} carries libc++abi's exception runtime`);
}

const prebuilds = ['x64', 'arm64'].flatMap((arch) => ['glibc', 'musl'].map((libc) => path.join(ROOT, 'prebuilds', `linux-${arch}`, `pid1.${libc}.node`)));

for (const file of prebuilds) {
  if (file.endsWith('glibc.node')) {
    test(`${path.relative(ROOT, file)} binds at load what runs between fork and exec, and Node-API lazily on x64`, () => {
      checkLinkage(file);
    });
  }
  test(`${path.relative(ROOT, file)} carries no C++ exception runtime`, () => {
    checkNoExceptions(file);
  });
}

const local = path.join(ROOT, 'build', 'Release', 'pid1.node');
test('a build from source (build/Release) links the same way, without C++ exceptions', { skip: !fs.existsSync(local) && 'no build/Release/pid1.node' }, () => {
  checkLinkage(local);
  checkNoExceptions(local);
});

/**
 * The Node-API functions the addon bound while `argv` ran as PID 1, and what
 * it bound from libm (LD_DEBUG=bindings, glibc's dynamic linker).
 */
async function napiBound(argv, env) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-bindings-'));
  try {
    const out = path.join(dir, 'ld');
    expectOk(assert, await runFixture(null, { command: argv, env: { ...env, LD_DEBUG: 'bindings', LD_DEBUG_OUTPUT: out } }));
    const bound = new Set();
    const fromLibm = new Set();
    let addon = null;
    for (const name of fs.readdirSync(dir)) {
      for (const line of fs.readFileSync(path.join(dir, name), 'utf8').split('\n')) {
        const m = /binding file (\S*pid1[^ ]*\.node) \[\d+\] to (\S+) \[\d+\]: normal symbol `(\w+)'/.exec(line);
        if (!m) continue;
        addon = m[1];
        if (m[2] === m[1]) continue; // its own napi_register_module_v1, found by node
        if (m[3].startsWith('napi_')) bound.add(m[3]);
        else if (/\blibm\.so/.test(m[2])) fromLibm.add(m[3]);
      }
    }
    assert.notStrictEqual(addon, null, 'LD_DEBUG showed no binding of the addon');
    return { addon, bound: [...bound].sort(), fromLibm: [...fromLibm].sort() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function importedNapi(file) {
  return readelf(['--dyn-syms', '-W'], file).split('\n').filter((l) => /\bUND\b.*\bnapi_\w+/.test(l)).length;
}

const glibc = process.report?.getReport?.().header?.glibcVersionRuntime !== undefined;
// Bound at load (arm64), every imported function shows as bound, called or not.
const skip = (!glibc && "LD_DEBUG is glibc's") || (process.arch !== 'x64' && 'the addon is bound at load here (binding.gyp)');
const sources = [
  ['the addon npm test built', {}],
  ['the prebuilt addon', { PREBUILDS_ONLY: '1' }],
];

// How many distinct Node-API functions each face may look up in a plain run
// (start, nothing to reap, exit). A budget, not a measurement: each function
// costs RSS, and a change that adds one to these paths should say why.
// Before issue 15's cuts: init() 28, the pid1 command 49; 15 and 22 while
// booleans, BigInt masks and the spawn request's object and arrays crossed
// as themselves.
const NAPI_BUDGET = { init: 11, cli: 15 };
// What a number or a string does as well: flags cross as 1 or 0, masks as
// two numbers in and 8 bytes out, a spawn's lists and the forwarder's
// rewrite table as strings (native/napi/binding_util.h).
const NOT_NEEDED = [
  'napi_get_boolean',
  'napi_get_value_bool',
  'napi_create_bigint_uint64',
  'napi_get_value_bigint_uint64',
  'napi_get_named_property',
  'napi_get_array_length',
  'napi_get_element',
];

// What a face bound in a plain run: no Error built, none of what a number
// or a string does as well, not everything it imports, within its budget,
// and nothing from libm (its code is paged in for what the addon calls
// there, 64 KiB of RSS for one function: C++'s hash containers call ceilf).
function assertLean(face, budget, { addon, bound, fromLibm }) {
  assert.deepStrictEqual(bound.filter((s) => ERROR_PATH.includes(s)), [], `${addon}: an Error was built`);
  assert.deepStrictEqual(bound.filter((s) => NOT_NEEDED.includes(s)), [], `${addon}: a boolean, a BigInt, an object or an array crossed`);
  assert.ok(bound.length < importedNapi(addon), `${addon}: all ${bound.length} Node-API functions were looked up`);
  assert.ok(bound.length <= budget, `${addon}: ${face} looked up ${bound.length} Node-API functions (budget ${budget}): ${bound.join(' ')}`);
  assert.deepStrictEqual(fromLibm, [], `${addon}: ${face} calls into libm`);
}

for (const [which, env] of sources) {
  test(`require + init() + exit as PID 1 looks up only the Node-API functions it calls, and builds no Error (${which})`, { skip }, async () => {
    assertLean('init()', NAPI_BUDGET.init, await napiBound([process.execPath, '-e', `require('child_process'); require(${JSON.stringify(ROOT)}).init()`], env));
  });

  test(`the pid1 command running true looks up only the Node-API functions it calls, and builds no Error (${which})`, { skip }, async () => {
    assertLean('the pid1 command', NAPI_BUDGET.cli, await napiBound([process.execPath, path.join(ROOT, 'dist', 'cli', 'cli.js'), '--', 'true'], env));
  });
}
