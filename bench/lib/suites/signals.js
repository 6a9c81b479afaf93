'use strict';
// Workload 2: SIGUSR1 sent to PID 1 from inside the namespace, forwarded by
// the init to its child. See bench/sigfwd.c.
const { createGroup } = require('../group');
const { runJson, alternate } = require('../trial');
const { bare } = require('../inits');

// With no init, the workload is PID 1 itself and the sender signals the
// receiver directly: the floor of what this test can measure on this
// machine at this moment. Its "init CPU" would be the receiver's own.
const NO_INIT = 'no init';

function derive(d, column) {
  return {
    p50_us: d.received ? d.p50_ns / 1000 : null,
    p99_us: d.received ? d.p99_ns / 1000 : null,
    max_us: d.received ? d.max_ns / 1000 : null,
    lost: d.lost,
    lost_max: d.lost,
    received: d.received,
    delivered_pct: (100 * d.received) / d.sent,
    send_rate_k: d.send_span_ns > 0 ? d.sent / (d.send_span_ns / 1e9) / 1000 : null,
    cpu_us_per_signal: column === NO_INIT ? null : d.cpu_per_signal_ns / 1000,
    order_matched: d.match === 'order' ? 1 : 0,
  };
}

function runSignals(ctx) {
  const { paced, flood } = ctx.cfg.signals;
  const names = [NO_INIT, ...ctx.inits.map((i) => i.name)];
  const runners = [{ name: NO_INIT, argv: bare }, ...ctx.inits];
  const pacedGroup = createGroup({
    id: 'signals-paced',
    short: `Signals, one every ${paced.intervalUs} µs`,
    title: `Signal forwarding: ${paced.count} × SIGUSR1, one every ${paced.intervalUs} µs`,
    note: 'latency = send (sigqueue to PID 1) → handler in the init\'s child, CLOCK_MONOTONIC both sides; "no init": sent straight to the receiver',
    columns: names,
    baseline: 'tini',
    derive,
    metrics: [
      { key: 'p50_us', label: 'latency p50', unit: 'µs', chart: true },
      { key: 'p99_us', label: 'latency p99', unit: 'µs', chart: true },
      { key: 'lost', label: 'lost, median run', unit: '', noRatio: true },
      { key: 'lost_max', label: 'lost, worst run', unit: '', agg: 'max', noRatio: true },
      { key: 'cpu_us_per_signal', label: 'init CPU per signal', unit: 'µs' },
    ],
  });
  const floodGroup = createGroup({
    id: 'signals-flood',
    short: 'Signals, back to back',
    title: `Signal forwarding: ${flood.count} × SIGUSR1 back to back`,
    note: 'standard signals coalesce: "received" counts deliveries; latency is to the newest send (a lower bound)',
    columns: names,
    baseline: 'tini',
    derive,
    metrics: [
      { key: 'received', label: 'received by the child', unit: '', better: 'higher' },
      { key: 'delivered_pct', label: 'received / sent', unit: '%', better: 'higher' },
      { key: 'p50_us', label: 'latency p50 (lower bound)', unit: 'µs' },
      { key: 'p99_us', label: 'latency p99 (lower bound)', unit: 'µs' },
      { key: 'send_rate_k', label: 'send rate', unit: 'k/s', better: 'higher' },
      { key: 'cpu_us_per_signal', label: 'init CPU per signal sent', unit: 'µs' },
    ],
  });
  const { helpers } = ctx;
  ctx.log(`signals: ${ctx.cfg.reps} rounds of paced and flood`);
  const timeoutMs = 60000;
  const entries = runners.flatMap((init) => [
    { init, g: pacedGroup, argv: [helpers.sigfwd, '-c', String(paced.count), '-i', String(paced.intervalUs), '-o', ctx.outFile] },
    { init, g: floodGroup, argv: [helpers.sigfwd, '-c', String(flood.count), '-i', '0', '-g', '300', '-o', ctx.outFile] },
  ]);
  alternate(entries, ctx.cfg.reps, (e) => e.g.add(e.init.name, runJson(e.init.argv(e.argv), { timeoutMs, outFile: ctx.outFile })));
  return [pacedGroup, floodGroup];
}

module.exports = { runSignals };
