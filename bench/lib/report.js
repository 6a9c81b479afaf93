'use strict';
// The plain-text table: one block per group, a row per metric, a column per
// init with "median (ratio to baseline)".

function fmt(value, unit) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  let s;
  if (abs === 0) s = '0';
  else if (Number.isInteger(value) && abs < 10000) s = String(value);
  else if (abs >= 10000) s = Math.round(value).toLocaleString('en-US');
  else if (abs >= 100) s = value.toFixed(0);
  else if (abs >= 10) s = value.toFixed(1);
  else if (abs >= 1) s = value.toFixed(2);
  else s = value.toPrecision(2);
  return unit ? `${s} ${unit}` : s;
}

function cell(group, column, metric) {
  const v = group.summary[column][metric.key];
  const r = group.ratios[column][metric.key];
  const value = fmt(v, metric.unit === '×' ? '×' : metric.unit);
  if (r === null || v === null || column === group.baselineUsed || metric.unit === '×') return value;
  return `${value} (${r.toFixed(2)}×)`;
}

function pad(s, n) {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** The lines for one summarized group. */
function groupLines(group) {
  const label = 'metric';
  const rows = group.metrics.map((m) => [m.label, ...group.columns.map((c) => cell(group, c, m))]);
  const head = [label, ...group.columns.map((c) => (c === group.baselineUsed ? `${c} (base)` : c))];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => r.map((x, i) => pad(x, widths[i])).join('  ').trimEnd();
  const out = [`== ${group.title}`];
  if (group.note) out.push(`   ${group.note}`);
  out.push(line(head), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) out.push(line(r));
  const runs = group.columns.map((c) => `${c} ${group.samples[c].length}`).join(', ');
  out.push(`   runs: ${runs}`);
  for (const c of group.columns) {
    const errs = group.errors[c];
    if (errs.length) out.push(`   ! ${c}: ${errs.length} failed run(s): ${[...new Set(errs)].slice(0, 2).join('; ')}`);
  }
  return out;
}

function machineLines(m) {
  return [
    `machine: ${m.nproc} CPUs, ${m.cpu}; ${m.kernel}; node ${m.node}; pid_max ${m.pid_max}`,
    `load average (1 min): ${m.load_at_start.toFixed(2)} at start${m.load_at_end !== undefined ? `, ${m.load_at_end.toFixed(2)} at end` : ''}`,
  ];
}

module.exports = { groupLines, machineLines, fmt };
