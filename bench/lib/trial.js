'use strict';
// Runs one measured command and reads the single JSON line it prints.
const fs = require('fs');
const { spawnSync } = require('child_process');
const { lastJsonLine } = require('../../test/kit');
const { createGroup } = require('./group');

// Only an object: an init or the workload may print other JSON-shaped lines.
const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

function readResult(file) {
  try {
    return lastJsonLine(fs.readFileSync(file, 'utf8'), isObject) ?? null;
  } catch {
    return null;
  }
}

/**
 * Runs argv to completion. Returns { data, error }: data is the last line
 * that parses as a JSON object, from `outFile` when given (the workload was
 * told to write there) else from stdout. It is kept even when the exit
 * status is not 0, because a workload that found zombies still reports
 * them. error says what went wrong, with the tail of stderr, or is null.
 */
function runJson(argv, { timeoutMs = 120000, env, outFile } = {}) {
  if (outFile) fs.rmSync(outFile, { force: true });
  const r = spawnSync(argv[0], argv.slice(1), {
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
    env: env || process.env,
  });
  const data = (outFile && readResult(outFile)) || lastJsonLine(r.stdout, isObject) || null;
  let error = null;
  if (r.error) error = `${r.error.code || r.error.message}${r.error.code === 'ETIMEDOUT' ? ` after ${timeoutMs} ms` : ''}`;
  else if (r.status !== 0) error = r.signal ? `killed by ${r.signal}` : `exit status ${r.status}`;
  else if (!data) error = 'printed no JSON line';
  if (error) {
    const tail = (r.stderr || '').trim().split('\n').slice(-3).join(' | ');
    if (tail) error += `: ${tail}`;
  }
  return { data, error, stderr: r.stderr || '' };
}

/**
 * Calls fn(entry, rep) for every entry, reps times, interleaved (A B C A B C
 * ...) so that drift in the machine's state hits every entry alike. The
 * starting entry rotates each round so that none always runs right after
 * the same neighbour.
 */
function alternate(entries, reps, fn) {
  for (let rep = 0; rep < reps; rep++) {
    for (let i = 0; i < entries.length; i++) fn(entries[(i + rep) % entries.length], rep);
  }
}

/**
 * Times argv with bench's spawnrun (wall, CPU, wait4's maxrss of the tree):
 * runJson's result, with an error when the command itself failed.
 */
function runTimed(spawnrun, argv) {
  const r = runJson([spawnrun, ...argv], { timeoutMs: 30000 });
  if (r.data && r.data.exit_code !== 0) r.error = `exit code ${r.data.exit_code}, signal ${r.data.signal}`;
  return r;
}

const MARKS = require('path').join(__dirname, '..', 'marks.js');

/**
 * Times a node command from its first line of user code to the end of its
 * process tree: `node` in argv gets `-r bench/marks.js`, which prints when
 * that line ran, and spawnrun says when the tree ended, on the same clock.
 * Node's own start, most of `node -e 0` on this machine and most of the
 * spread between runs of the same command, is left out: what remains is
 * the app's work, its exit and the process's teardown. runTimed's result,
 * with after_ms.
 */
function runAfterStart(spawnrun, argv) {
  const i = argv.indexOf(process.execPath);
  if (i < 0) throw new Error(`runAfterStart: no ${process.execPath} in ${argv.join(' ')}`);
  const r = runTimed(spawnrun, [...argv.slice(0, i + 1), '-r', MARKS, ...argv.slice(i + 1)]);
  const mark = lastJsonLine(r.stderr, (o) => isObject(o) && typeof o.user_start_ns === 'number');
  if (r.data && mark) {
    r.data.after_ms = (r.data.end_ns - mark.user_start_ns) / 1e6;
  } else {
    r.error = r.error ?? 'no start mark on stderr';
    r.data = null;
  }
  return r;
}

/**
 * The "after Node's own start" table of a suite: `columns` ([{ name, argv }],
 * the first the baseline) timed with runAfterStart, interleaved, for
 * `ctx.cfg.startup.reps` rounds. Both start-up suites make theirs here.
 */
function afterStartGroup(ctx, { id, short, title, columns }) {
  const g = createGroup({
    id,
    short,
    title,
    note: 'node -r bench/marks.js notes when user code starts; bench/spawnrun when the process tree ended (both CLOCK_MONOTONIC)',
    columns: columns.map((c) => c.name),
    baseline: columns[0].name,
    metrics: [{ key: 'after_ms', label: "after Node's start: first line to the end, median", unit: 'ms' }],
    derive: (d) => ({ after_ms: d.after_ms }),
  });
  ctx.log(`${short}: ${ctx.cfg.startup.reps} rounds`);
  alternate(columns, ctx.cfg.startup.reps, (c) => g.add(c.name, runAfterStart(ctx.helpers.spawnrun, c.argv)));
  return g;
}

module.exports = { runJson, runTimed, afterStartGroup, alternate };
