'use strict';
// The scenarios, each run under every init it applies to. An init is a
// column of the results table: pid1's three faces (the CLI in front of a
// command, init() in examples/server.js, pid1/register in front of an app
// with no pid1 code) are asserted; tini and catatonit
// run the same steps in the same run, for comparison, and are only recorded.
// Each scenario returns { ok, outcome, status, seconds }: ok is whether the
// outcome is the correct one for that init (null: recorded, not asserted).
const path = require('path');
const { spawnSync } = require('child_process');
const { seconds } = require('./podman');

const ROOT = path.join(__dirname, '..', '..');
const { PTY_RUN } = require('../kit');
const KUBE_YAML = path.join(ROOT, 'examples', 'kubernetes.yaml');

const COMMAND_IMAGE = 'localhost/example/pid1-command:latest';
const APP_IMAGE = 'localhost/example/pid1-app:latest';
const REGISTER_IMAGE = 'localhost/example/pid1-register:latest';

// face 'command': runs any command (the image's CMD is examples/server.sh as
// /app/server, which prints "server: ready", traps SIGTERM, and exits 0);
// face 'app': runs examples/server.js, which prints "listening on 8080" and
// a line per orphan reaped; face 'register': runs examples/plain-server.js,
// which knows nothing of pid1, so only what is seen from outside counts: its
// daemon orphan's "orphan: stopped by SIGTERM" line, ps, the exit status.
const INITS = [
  { id: 'pid1', label: 'pid1 (CLI)', face: 'command', image: COMMAND_IMAGE, args: [], asserted: true },
  { id: 'init', label: 'init() (server.js)', face: 'app', image: APP_IMAGE, args: [], asserted: true },
  // examples/Dockerfile.register: setup.sh builds it when the file exists.
  { id: 'register', label: 'pid1/register (NODE_OPTIONS)', face: 'register', image: REGISTER_IMAGE, args: [], asserted: true, optional: true },
  { id: 'tini', label: 'tini', face: 'command', image: COMMAND_IMAGE, args: ['--entrypoint', '["tini","--"]'], asserted: false },
  { id: 'catatonit', label: 'catatonit (podman --init)', face: 'command', image: COMMAND_IMAGE, args: ['--init', '--entrypoint', ''], asserted: false },
];

// The app prints nothing once its helper has forked the two orphans, and a
// signal sent before would find none; when the first is reaped, both exist.
// plain-server.js's daemon starts the short-lived orphan once its trap is set.
const READY = { command: 'server: ready', app: 'reaped orphan', register: 'orphans: ready' };
const STOP_TIMEOUT = 10; // podman's default, given explicitly
const GRACE_PERIOD = 8; // pid1's default grace period, in seconds
const ORPHANS = 200;
// ORPHANS subshells that exit at once, each leaving a child (sleep 0) that
// is reparented to the init, which must reap it.
const STORM = `i=0; while [ $i -lt ${ORPHANS} ]; do (sleep 0 &); i=$((i+1)); done; echo spawned;`;
const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGUSR2: 12, SIGTERM: 15 };
// plain-server.js's daemon orphan, as ps shows it.
const DAEMON = /^\S+\s+sh -c trap /;

// How the init ends on a stopping signal: server.sh and server.js listen for
// SIGTERM and exit 0; anything else, and an app that does not listen (pid1
// stops its descendants for it), ends with 128 + n.
function stopStatus(init, signal) {
  return signal === 'SIGTERM' && init.face !== 'register' ? 0 : 128 + SIGNALS[signal];
}

// --- steps shared by scenarios -------------------------------------------

// An --entrypoint also clears the image's CMD (as in Docker), so the command
// face names it.
function runArgs(ctx, init, { extra = [], tty = false, command = [] } = {}) {
  const cmd = command.length === 0 && init.face === 'command' ? ['/app/server'] : command;
  return ['run', '--rm', '--name', ctx.name, '--label', 'pid1-test=1', ...(tty ? ['-it'] : []),
    ...init.args, ...extra, init.image, ...cmd];
}

/** Starts the container attached, and waits for its ready line. */
async function startReady(ctx, init, options = {}) {
  const proc = ctx.podman.start(runArgs(ctx, init, options));
  await proc.waitFor(options.ready ?? READY[init.face], options.readyCount);
  return proc;
}

/** Sends what `action` says (podman stop/kill ...) and waits for the container to exit. */
async function exitAfter(ctx, proc, action) {
  const started = process.hrtime.bigint();
  const sent = await ctx.podman.run(action);
  if (sent.status !== 0) throw new Error(`podman ${action.join(' ')}: ${sent.output}`);
  const status = await proc.exited;
  return { status, seconds: seconds(started), output: proc.output };
}

const stop = (ctx, proc) => exitAfter(ctx, proc, ['stop', '-t', String(STOP_TIMEOUT), ctx.name]);

/**
 * How the orphan that the app leaves running ended: it must be stopped by
 * SIGTERM (server.js: its 'reap' event says so, or the app's report of
 * node.shutdown() counts it; plain-server.js: the orphan's own trap says so),
 * not by another signal, nor SIGKILLed after the grace period.
 */
function orphanStop(output) {
  if (/killed pid \d+ .* with SIGKILL/.test(output)) return { termed: false, what: 'orphan SIGKILLed after the grace period' };
  if (output.includes('orphan: stopped by SIGTERM')) return { termed: true, what: 'orphan stopped by SIGTERM' };
  const signals = [...output.matchAll(/reaped orphan \d+: (SIG\w+)/g)].map((m) => m[1]);
  if (signals.includes('SIGTERM')) return { termed: true, what: 'orphan stopped by SIGTERM' };
  if (signals.length > 0) return { termed: false, what: `orphan got ${signals[0]}, not SIGTERM` };
  if (/stopped [1-9]\d* process\(es\), killed 0/.test(output)) return { termed: true, what: 'orphan stopped by shutdown()' };
  return { termed: false, what: "orphan's exit not reported" };
}

function count(output, text) {
  return output.split(text).length - 1;
}

// --- the scenarios --------------------------------------------------------

const zombies = {
  id: 'zombies',
  title: `orphans and zombies (podman exec ps)`,
  applies: () => true,
  async run(ctx, init) {
    const command = init.face === 'command' ? ['sh', '-c', `${STORM} exec sleep infinity`] : [];
    const proc = await startReady(ctx, init, { command, ready: init.face === 'command' ? 'spawned' : READY[init.face] });
    const started = process.hrtime.bigint();
    const left = await ctx.podman.zombies(ctx.name);
    const took = seconds(started);
    await ctx.podman.run(['rm', '-f', '-t', '0', ctx.name]);
    await proc.exited;
    const what = init.face === 'command' ? `${ORPHANS} orphans` : '1 orphan';
    return { ok: left === 0, outcome: `${what}, ${left} zombies left`, status: null, seconds: took };
  },
};

const stopClean = {
  id: 'stop-clean',
  title: 'podman stop: the child cleans up on SIGTERM',
  applies: () => true,
  async run(ctx, init) {
    const proc = await startReady(ctx, init);
    const r = await stop(ctx, proc);
    if (init.face === 'command') {
      const cleaned = r.output.includes('server: stopped');
      return { ok: cleaned && r.status === 0, outcome: cleaned ? 'child cleaned up' : 'no clean-up', ...r };
    }
    // server.js reports its shutdown(); plain-server.js cannot.
    const report = init.face === 'register' || /stopped \d+ process\(es\), killed 0/.test(r.output);
    const { termed, what } = orphanStop(r.output);
    return { ok: report && termed && r.status === stopStatus(init, 'SIGTERM'), outcome: what, ...r };
  },
};

const stopStubborn = {
  id: 'stop-stubborn',
  title: `podman stop -t ${STOP_TIMEOUT}: the child ignores SIGTERM`,
  applies: (init) => init.face === 'command',
  async run(ctx, init) {
    const proc = await startReady(ctx, init, { command: ['sh', '-c', 'trap "" TERM; echo server: ready; exec sleep infinity'] });
    const r = await stop(ctx, proc);
    // pid1 logs, then kills: the line proves the SIGKILL was its own, not podman's.
    const logged = /killed pid \d+ \(.*\) with SIGKILL/.test(r.output);
    const outcome = logged ? `SIGKILL and log line by the init at ${r.seconds.toFixed(1)} s` : 'SIGKILL by podman, no log line';
    return { ok: logged && r.status === 137 && r.seconds < STOP_TIMEOUT, outcome, ...r };
  },
};

const LEFTOVER = 'trap "echo leftover stopped; exit 0" TERM; echo leftover ready; sleep infinity & wait';
const stopLeftovers = {
  id: 'stop-leftovers',
  title: 'podman stop: two grandchildren left behind by the child',
  applies: (init) => init.face === 'command',
  async run(ctx, init) {
    const script = `for i in 1 2; do sh -c '${LEFTOVER}' & done; trap "exit 0" TERM; wait`;
    const proc = await startReady(ctx, init, { command: ['sh', '-c', script], ready: 'leftover ready', readyCount: 2 });
    const r = await stop(ctx, proc);
    const stopped = count(r.output, 'leftover stopped');
    return { ok: stopped === 2 && r.status === 0, outcome: `${stopped} of 2 stopped gracefully`, ...r };
  },
};

function killScenario(signal) {
  const n = SIGNALS[signal];
  return {
    id: `kill-${signal.slice(3)}`,
    title: `podman kill -s ${signal.slice(3)}`,
    applies: () => true,
    async run(ctx, init) {
      const proc = await startReady(ctx, init);
      if (init.face === 'command') {
        // server.sh traps SIGTERM (exit 0) and dies of the others.
        const r = await exitAfter(ctx, proc, ['kill', '-s', signal, ctx.name]);
        const expected = signal === 'SIGTERM' ? 0 : 128 + n;
        const outcome = r.status === expected ? `child got ${signal}` : `exit ${r.status}, expected ${expected}`;
        return { ok: r.status === expected, outcome, ...r };
      }
      if (signal === 'SIGUSR2' && init.face === 'register') {
        // Forwarded only: the daemon orphan (no USR2 trap) dies of it, silently,
        // while the app goes on, until SIGTERM stops it.
        const started = process.hrtime.bigint();
        const sent = await ctx.podman.run(['kill', '-s', signal, ctx.name]);
        if (sent.status !== 0) throw new Error(sent.output);
        // Gone and reaped: a zombie of it does not match DAEMON.
        const reaped = (lines) => !lines.some((l) => DAEMON.test(l) || l.startsWith('Z'));
        const gone = reaped(await ctx.podman.processes(ctx.name, reaped));
        const r = await exitAfter(ctx, proc, ['kill', '-s', 'SIGTERM', ctx.name]);
        const kept = r.status === stopStatus(init, 'SIGTERM') && !r.output.includes('orphan: stopped by SIGTERM');
        const outcome = !gone ? 'orphan not signalled' : kept ? 'forwarded to the orphan, app kept running' : 'app stopped by SIGUSR2';
        return { ok: gone && kept, outcome, ...r, seconds: seconds(started) };
      }
      if (signal === 'SIGUSR2') {
        // Forwarded only: the app must still be there to stop with SIGTERM.
        const started = process.hrtime.bigint();
        const sent = await ctx.podman.run(['kill', '-s', signal, ctx.name]);
        if (sent.status !== 0) throw new Error(sent.output);
        await proc.waitFor('reaped orphan', 2); // the daemon orphan, killed by the forwarded SIGUSR2
        const r = await exitAfter(ctx, proc, ['kill', '-s', 'SIGTERM', ctx.name]);
        const kept = r.status === 0 && /stopped \d+ process\(es\)/.test(r.output);
        return { ok: kept && /reaped orphan \d+: SIGUSR2/.test(r.output), outcome: kept ? 'forwarded, app kept running' : 'app stopped by SIGUSR2', ...r, seconds: seconds(started) };
      }
      const r = await exitAfter(ctx, proc, ['kill', '-s', signal, ctx.name]);
      const expected = stopStatus(init, signal);
      const { termed, what } = orphanStop(r.output);
      return { ok: termed && r.status === expected, outcome: what, ...r };
    },
  };
}

const ctrlC = {
  id: 'ctrl-c',
  title: 'podman run -it, Ctrl+C on the terminal',
  applies: () => true,
  async run(ctx, init) {
    const script = JSON.stringify([['expect', READY[init.face]], ['send', '\u0003']]);
    const argv = ctx.podman.argv(runArgs(ctx, init, { tty: true }));
    const ran = spawnSync('python3', [PTY_RUN, script, '--', ...argv], { env: ctx.podman.env, encoding: 'utf8' });
    if (ran.status !== 0) throw new Error(`pty-run: ${ran.stderr}${ran.stdout}`);
    const { status, output, seconds: took } = JSON.parse(ran.stdout);
    // Well under the grace period: the stop must not wait for it.
    const quick = took < GRACE_PERIOD / 2;
    if (init.face === 'command') return { ok: status === 130 && quick, outcome: status === 130 ? 'child stopped by SIGINT' : 'not stopped', status, seconds: took, output };
    const { termed, what } = orphanStop(output);
    return { ok: status === 130 && quick && termed, outcome: what, status, seconds: took, output };
  },
};

// A command's status, or a Node app's (through pid1/register, which as PID 1
// stops what is left before Node exits: here, an orphan the app left behind).
const EXIT_CASES = {
  command: [['exit 0', 0], ['exit 3', 3], ['exit 255', 255], ['kill -USR1 $$', 138]]
    .map(([script, expected]) => [['sh', '-c', script], expected]),
  register: [['process.exit(0)', 0], ['process.exitCode = 3', 3], ['process.exit(255)', 255], ['throw new Error("uncaught")', 1]]
    .map(([js, expected]) => [['node', '-e', `require("child_process").spawn("sh", ["-c", "sleep 600 &"], { stdio: "ignore" }); ${js}`], expected]),
};
const exitStatus = {
  id: 'exit-status',
  title: 'exit status passed through (exit 0, 3, 255; killed by SIGUSR1, or a Node app that throws)',
  applies: (init) => init.face in EXIT_CASES,
  async run(ctx, init) {
    const started = process.hrtime.bigint();
    const seen = [];
    for (const [command, expected] of EXIT_CASES[init.face]) {
      const r = await ctx.podman.run(runArgs(ctx, init, { command }));
      seen.push({ status: r.status, expected, output: r.output });
    }
    const ok = seen.every((s) => s.status === s.expected);
    const statuses = seen.map((s) => s.status).join(', ');
    const expected = seen.map((s) => s.expected).join(', ');
    return { ok, outcome: ok ? 'all passed through' : `expected ${expected}`, status: statuses, seconds: seconds(started), output: seen.map((s) => s.output).join('') };
  },
};

// The pod as a user would deploy it; podman 4.3 ignores the pod's
// terminationGracePeriodSeconds, so `pod stop -t 30` stands in for the kubelet.
const kube = {
  id: 'kube',
  title: 'examples/kubernetes.yaml: podman kube play, pod stop -t 30',
  applies: (init) => init.id === 'pid1',
  async run(ctx) {
    const down = () => ctx.podman.run(['kube', 'down', KUBE_YAML]);
    await down();
    const play = await ctx.podman.run(['kube', 'play', '--network', 'none', KUBE_YAML]);
    if (play.status !== 0) throw new Error(`kube play: ${play.output}`);
    try {
      const logs = ctx.podman.start(['logs', '-f', 'pid1-example-app']);
      await logs.waitFor('server: ready');
      const started = process.hrtime.bigint();
      const stopped = await ctx.podman.run(['pod', 'stop', '-t', '30', 'pid1-example']);
      const took = seconds(started);
      await logs.exited;
      const code = await ctx.podman.run(['inspect', '--format', '{{.State.ExitCode}}', 'pid1-example-app']);
      const status = Number(code.output.trim());
      const output = logs.output + stopped.output;
      // --forward-delay 5000: SIGTERM reaches the app after 5 s, and the app then stops at once.
      const delayed = took >= 5 && took < 30;
      const cleaned = output.includes('server: stopped');
      return { ok: delayed && cleaned && status === 0, outcome: delayed ? 'SIGTERM held 5 s, then clean stop' : `stopped in ${took.toFixed(1)} s`, status, seconds: took, output };
    } finally {
      await down();
    }
  },
};

// pid1 where a Kubernetes restricted profile puts it, and behind another init.
function reapAndStop(id, title, extraFor, applies) {
  return {
    id,
    title,
    applies,
    async run(ctx, init) {
      const command = init.face === 'command' ? ['sh', '-c', `${STORM} trap "exit 0" TERM; echo server: ready; sleep infinity & wait`] : [];
      const proc = await startReady(ctx, init, { extra: extraFor(init), command });
      const left = await ctx.podman.zombies(ctx.name);
      const r = await stop(ctx, proc);
      const graceful = r.status === stopStatus(init, 'SIGTERM') && (init.face === 'command' || orphanStop(r.output).termed);
      return { ok: left === 0 && graceful, outcome: `${left} zombies, ${graceful ? 'graceful stop' : 'no graceful stop'}`, ...r };
    },
  };
}
const restricted = reapAndStop('restricted', 'user 1000, read-only root, all capabilities dropped',
  () => ['--user', '1000:1000', '--read-only', '--cap-drop=ALL', '--security-opt', 'no-new-privileges'], () => true);
// pid1/register acts only as PID 1 unless PID1_REGISTER=1 asks (README).
const behindInit = reapAndStop('behind-init', 'behind podman --init (catatonit is PID 1; PID1_REGISTER=1 for register)',
  (init) => ['--init', ...(init.face === 'register' ? ['--env', 'PID1_REGISTER=1'] : [])],
  (init) => init.id !== 'catatonit');

const SCENARIOS = [zombies, stopClean, stopStubborn, stopLeftovers,
  ...['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR2'].map(killScenario),
  ctrlC, exitStatus, kube, restricted, behindInit];

module.exports = { INITS, SCENARIOS, COMMAND_IMAGE };
