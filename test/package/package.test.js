'use strict';
// pid1 as an app's dependency: the packed tarball installed into an empty
// app with only node, npm and sh on PATH (no compiler), on Linux and on a
// simulated macOS or Windows (process.platform faked by a preload, for npm,
// the install script and the app alike), and loaded under Node's
// deprecation flags.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { ROOT, fixturesIn } = require('../kit');
const { FIXTURES } = fixturesIn(__dirname);

const FAKE = path.join(FIXTURES, 'fake-platform.js');
let tmp;
let app;

// Runs a command with PATH holding only node, npm and sh, in the app.
function clean(command, args, env = {}) {
  const result = spawnSync(command, args, {
    cwd: app,
    encoding: 'utf8',
    env: { HOME: process.env.HOME, PATH: path.join(tmp, 'bin'), ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}\n${result.stderr}` };
}

function install(env) {
  fs.rmSync(app, { recursive: true, force: true });
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), '{ "name": "app", "version": "1.0.0", "private": true }\n');
  const tarball = path.join(tmp, 'pid1.tgz');
  return clean('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=error', tarball], env);
}

function faked(platform, arch) {
  return { NODE_OPTIONS: `-r ${FAKE}`, ...(platform && { FAKE_PLATFORM: platform }), ...(arch && { FAKE_ARCH: arch }) };
}

// What the app does on a platform: init(), the primitives, child_process.
const APP = `
const pid1 = require('pid1');
const node = pid1.init();
const errors = [() => pid1.kill(process.pid, 0), () => pid1.sigprocmask('block', ['SIGUSR2']), () => new pid1.SignalFd(['SIGUSR2']),
  () => pid1.waitpid(), () => pid1.setChildSubreaper(true), () => pid1.kill(process.pid, 'SIGRTMIN+1')].map((f) => {
  try { f(); return 'no error'; } catch (error) { return error.code; }
});
node.shutdown().then((report) => console.log(JSON.stringify({
  same: pid1.init() === node, errors, report, descendants: node.descendants(),
  echo: require('child_process').execFileSync('sh', ['-c', 'echo child']).toString().trim(),
})));
`;

test.before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-package-'));
  app = path.join(tmp, 'app');
  fs.mkdirSync(path.join(tmp, 'bin'));
  fs.symlinkSync(process.execPath, path.join(tmp, 'bin', 'node'));
  const npm = spawnSync('sh', ['-c', 'readlink -f "$(command -v npm)"'], { encoding: 'utf8' }).stdout.trim();
  fs.symlinkSync(npm, path.join(tmp, 'bin', 'npm'));
  fs.symlinkSync('/bin/sh', path.join(tmp, 'bin', 'sh'));
  // The suite's own build step has just compiled dist/: pack it as it is.
  const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8' });
  assert.strictEqual(pack.status, 0, pack.stderr);
  fs.renameSync(path.join(tmp, pack.stdout.trim().split('\n').pop()), path.join(tmp, 'pid1.tgz'));
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

for (const platform of ['darwin', 'win32']) {
  test(`on a simulated ${platform}: npm install compiles nothing and exits 0; init() logs one line and does nothing; the primitives throw ERR_PID1_UNSUPPORTED_PLATFORM`, () => {
    // npm itself must not believe it is on Windows: it would run scripts through cmd.exe.
    const installed = install(faked(platform === 'win32' ? 'darwin' : platform));
    assert.strictEqual(installed.status, 0, installed.output);
    assert.match(installed.stdout, /pid1: nothing to build on darwin/);
    assert.ok(!fs.existsSync(path.join(app, 'node_modules/pid1/build')), 'the install created build/');
    const script = clean('node', ['node_modules/pid1/scripts/install.js'], faked(platform));
    assert.strictEqual(script.status, 0, script.output);
    assert.match(script.stdout, new RegExp(`pid1: nothing to build on ${platform}`));

    const run = clean('node', ['-e', APP], faked(platform));
    assert.strictEqual(run.status, 0, run.output);
    assert.deepStrictEqual(run.stderr.trim().split('\n'), [`pid1: init() does nothing on ${platform}: pid1 works on Linux only, where it makes this process an init`]);
    const r = JSON.parse(run.stdout);
    assert.strictEqual(r.same, true);
    assert.deepStrictEqual(r.errors, Array(6).fill('ERR_PID1_UNSUPPORTED_PLATFORM'));
    assert.deepStrictEqual([r.report.exited, r.report.killed, r.descendants], [[], [], []]);
    assert.strictEqual(r.echo, 'child');
  });
}

test('on Linux, the same install loads a prebuild and compiles nothing; on a CPU without one, install and require() say what is supported and how to build', () => {
  const installed = install({});
  assert.strictEqual(installed.status, 0, installed.output);
  assert.ok(!fs.existsSync(path.join(app, 'node_modules/pid1/build')), 'the install created build/');
  const ok = clean('node', ['-e', "console.log(typeof require('pid1').isChildSubreaper())"]);
  assert.strictEqual(ok.stdout.trim(), 'boolean', ok.output);

  for (const arch of ['riscv64', 'ppc64']) {
    const run = clean('node', ['-e', "try { require('pid1'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }"], faked(undefined, arch));
    const r = JSON.parse(run.stdout);
    assert.strictEqual(r.code, 'ERR_PID1_NO_NATIVE_BUILD', run.output);
    assert.match(r.message, new RegExp(`linux-${arch}`));
    assert.match(r.message, /x64 and arm64/);
    assert.match(r.message, /npm rebuild pid1 --build-from-source/);
  }

  // The same app on a CPU with no prebuild and no compiler: the install fails, saying why.
  const failed = install(faked(undefined, 'riscv64'));
  assert.notStrictEqual(failed.status, 0, failed.output);
  assert.match(failed.stderr, /pid1: no prebuilt addon fits linux-riscv64 here \(prebuilt: x64 and arm64.*python3, make and a C\+\+17 compiler/);
});

test('loading pid1 and calling init() neither warns nor throws under --throw-deprecation --pending-deprecation', () => {
  const script = `const pid1 = require(${JSON.stringify(ROOT)}); pid1.init({ logger: false });
    require('child_process').execFileSync('true'); pid1.init().close(); console.log('done');`;
  const run = spawnSync(process.execPath, ['--throw-deprecation', '--pending-deprecation', '-e', script], { encoding: 'utf8' });
  assert.strictEqual(run.status, 0, run.stderr);
  assert.strictEqual(run.stdout, 'done\n');
  assert.strictEqual(run.stderr, '');
  // The app's own process.binding() still warns: pid1 silenced only its own
  // lookup. (Node 18 counts a warning silenced by noDeprecation as given.)
  if (Number(process.versions.node.split('.')[0]) >= 20) {
    const own = spawnSync(process.execPath, ['--pending-deprecation', '-e', `require(${JSON.stringify(ROOT)}); process.binding('fs');`], { encoding: 'utf8' });
    assert.match(own.stderr, /DEP0111/);
  }
});
