#!/usr/bin/env node
'use strict';
// npm run test:containers [-- [--quick] [--runtime runc,crun] [--init pid1,tini] [--scenario zombies,ctrl-c]]
// Makes the images (setup.sh), runs every scenario under every runtime and
// init, prints a table, and writes it to test/containers/RESULTS.md when the
// run was complete (a filtered run writes .cache/containers/RESULTS.md).
// Exits 1 if any asserted outcome (pid1's) is wrong; 0 with a SKIP line
// where no container runtime can be had.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { Podman, HYBRID_CGROUPS, seconds } = require('./podman');
const { INITS, SCENARIOS, COMMAND_IMAGE } = require('./scenarios');

const ROOT = path.join(__dirname, '..', '..');
const RUNTIMES = ['runc', 'crun'];

// What CI runs (--quick): one runtime, and the scenarios that carry most of
// the behaviour, under every init; about a minute once the images exist.
const QUICK = {
  runtime: ['runc'],
  scenario: ['zombies', 'stop-stubborn', 'stop-leftovers', 'kill-TERM', 'ctrl-c', 'exit-status', 'kube', 'restricted'],
};

function parseFilters(argv) {
  const filters = {};
  if (argv[0] === '--quick') {
    Object.assign(filters, QUICK);
    argv = argv.slice(1);
  }
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    const known = { runtime: RUNTIMES, init: INITS.map((x) => x.id), scenario: SCENARIOS.map((x) => x.id) }[key];
    if (!known || argv[i + 1] === undefined) usage(`unknown option ${argv[i]}`);
    const values = argv[i + 1].split(',');
    const bad = values.filter((v) => !known.includes(v));
    if (bad.length) usage(`unknown ${key} ${bad.join(', ')}: one of ${known.join(', ')}`);
    filters[key] = values;
  }
  return filters;
}

function usage(message) {
  process.stderr.write(`test:containers: ${message}\nusage: run.js [--quick] [--runtime LIST] [--init LIST] [--scenario LIST]\n`);
  process.exit(2);
}

function setup() {
  const r = spawnSync('bash', [path.join(__dirname, 'setup.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status === 3) {
    process.stdout.write('test:containers: SKIP (no container runtime here; see above)\n');
    process.exit(0);
  }
  if (r.status !== 0) process.exit(1);
  return Object.fromEntries(r.stdout.trim().split('\n').map((line) => line.split('=')));
}

function imageExists(podman, image) {
  return spawnSync('podman', ['image', 'exists', image], { env: podman.env }).status === 0;
}

function cell(result, init) {
  if (!result) return '—';
  if (result.error) return `✗ ${result.error.split('\n')[0].slice(0, 80)}`;
  const mark = init.asserted ? (result.ok ? '✓ ' : '✗ ') : '';
  const status = result.status === null || result.status === undefined ? '' : ` · exit ${result.status}`;
  return `${mark}${result.outcome}${status} · ${result.seconds.toFixed(1)} s`;
}

function versions() {
  const one = (cmd, args) => (spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT }).stdout || '').split('\n')[0].trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'lib', 'native', 'prebuilds', 'binding.gyp', 'package.json', 'examples'],
    { encoding: 'utf8', cwd: ROOT }).stdout.split('\n').filter(Boolean);
  const changed = dirty.length ? ` with uncommitted changes to ${[...new Set(dirty.map((l) => l.slice(3).split('/')[0]))].join(', ')}` : '';
  return `pid1 from commit ${one('git', ['rev-parse', '--short', 'HEAD'])}${changed}; podman ${one('podman', ['--version']).split(' ').pop()}, runc ${one('runc', ['--version']).split(' ').pop()}, ` +
    `crun ${one('crun', ['--version']).split(' ').pop()}, tini ${one('tini', ['--version']).split(' ')[2]}, ` +
    `Linux ${os.release()}, ${os.cpus().length} CPUs`;
}

async function main() {
  const filters = parseFilters(process.argv.slice(2));
  const started = process.hrtime.bigint();
  const confs = setup();
  const runtimes = RUNTIMES.filter((r) => !filters.runtime || filters.runtime.includes(r));
  const scenarios = SCENARIOS.filter((s) => !filters.scenario || filters.scenario.includes(s.id));
  const probe = new Podman('runc', confs.runc);
  const inits = INITS.filter((i) => (!filters.init || filters.init.includes(i.id)) && (!i.optional || imageExists(probe, i.image)));
  const nodeInImage = spawnSync('podman', ['run', '--rm', COMMAND_IMAGE, 'node', '--version'],
    { env: probe.env, encoding: 'utf8' }).stdout.trim().split('\n').pop();

  // Leftovers of an interrupted run would hold the names.
  const stale = spawnSync('podman', ['ps', '-aq', '--filter', 'label=pid1-test=1'], { env: probe.env, encoding: 'utf8' }).stdout.trim();
  if (stale) spawnSync('podman', ['rm', '-f', '-t', '0', ...stale.split('\n')], { env: probe.env });

  const tables = [];
  let failed = 0;
  for (const runtime of runtimes) {
    const podman = new Podman(runtime, confs[runtime]);
    const rows = [];
    for (const scenario of scenarios) {
      const row = { scenario, results: {} };
      for (const init of inits) {
        if (!scenario.applies(init)) continue;
        const ctx = { podman, name: `pid1-test-${runtime}-${scenario.id}-${init.id}` };
        let result;
        const t0 = process.hrtime.bigint();
        try {
          result = await scenario.run(ctx, init);
        } catch (error) {
          result = { ok: false, error: error.message, seconds: seconds(t0) };
          await podman.run(['rm', '-f', '-t', '0', ctx.name]);
        }
        // An error is the harness failing, for any init; a wrong outcome fails only where asserted.
        if (result.error || (init.asserted && !result.ok)) {
          failed++;
          process.stdout.write(`FAIL ${runtime} ${scenario.id} ${init.id}: ${result.error ?? result.outcome}, exit ${result.status}\n${result.output ?? ''}\n`);
        }
        row.results[init.id] = result;
        process.stdout.write(`${runtime} ${scenario.id} ${init.id}: ${cell(result, init)}\n`);
      }
      rows.push(row);
    }
    tables.push({ runtime, rows });
  }

  const lines = [`Run of \`npm run test:containers\` on ${new Date().toISOString().slice(0, 10)}: ${versions()}; ` +
    `Node ${nodeInImage} in the images (Debian bookworm); cgroup v1${HYBRID_CGROUPS ? ' with cgroup2 beside it (hybrid)' : ''}. ` +
    'Cells: outcome · exit status · time (from the stop, kill or Ctrl+C to the exit; for zombies, until ps shows none). ' +
    '✓/✗: pid1\'s outcome asserted; tini and catatonit are recorded for comparison.', ''];
  for (const { runtime, rows } of tables) {
    lines.push(`**${runtime}**`, '', `| scenario | ${inits.map((i) => i.label).join(' | ')} |`, `|---|${inits.map(() => '---').join('|')}|`);
    for (const { scenario, results } of rows) lines.push(`| ${scenario.title} | ${inits.map((i) => cell(results[i.id], i)).join(' | ')} |`);
    lines.push('');
  }
  const complete = Object.keys(filters).length === 0;
  const out = complete ? path.join(__dirname, 'RESULTS.md') : path.join(ROOT, '.cache', 'containers', 'RESULTS.md');
  fs.writeFileSync(out, `${lines.join('\n')}\n`);
  process.stdout.write(`\n${lines.join('\n')}\ntest:containers: ${failed ? `${failed} FAILED` : 'passed'} in ${seconds(started).toFixed(0)} s; table in ${path.relative(ROOT, out)}\n`);
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  process.stderr.write(`test:containers: ${error.stack}\n`);
  process.exit(1);
});
